//! The JUnit XML report (`--junit PATH`), written from the run's results: one test suite per
//! feature, one test case per scenario — a failure with its message, a scenario left out (no app
//! key, no Chromium, key-only mode) as skipped with the reason, so that CI dashboards show it
//! instead of silently counting fewer tests, and a scenario that passed on a retry with its
//! earlier failure as `flakyFailure` (Maven Surefire's element, which CI dashboards read as
//! "flaky"); a scenario that failed every attempt has its earlier failures as `rerunFailure`.
//! Scenarios a `--name` or `--tags` filter deselected stay out.

use std::fmt::Write as _;
use std::path::Path;

use crate::error::{HarnessError, Result};
use crate::report::readable::escape;
use crate::report::results::{Failure, ScenarioResult, Status};

/// Writes the report of `results` to `path` (its folder made if missing), secrets masked.
pub fn write(path: &Path, results: &[ScenarioResult]) -> Result<()> {
    let failed = |e: std::io::Error| HarnessError::File { path: path.display().to_string(), reason: e.to_string() };
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder).map_err(failed)?;
    }
    std::fs::write(path, crate::secret::scrub(&render(results))).map_err(failed)
}

/// The XML of `results`.
pub fn render(results: &[ScenarioResult]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<testsuites>\n");
    let mut features: Vec<(&str, &str)> = Vec::new();
    for result in results {
        if !features.contains(&(result.file.as_str(), result.feature.as_str())) {
            features.push((&result.file, &result.feature));
        }
    }
    for (id, (file, feature)) in features.into_iter().enumerate() {
        let cases: Vec<&ScenarioResult> = results.iter().filter(|r| r.file == file && r.feature == feature).collect();
        let count = |status: Status| cases.iter().filter(|c| c.status() == status).count();
        let time: f64 = cases.iter().map(|c| c.took().as_secs_f64()).sum();
        let _ = writeln!(
            out,
            r#"  <testsuite id="{id}" name="{}" tests="{}" skipped="{}" errors="0" failures="{}" time="{time:.3}">"#,
            escape(&format!("Feature: {feature}: {file}")),
            cases.len(),
            count(Status::Skipped),
            count(Status::Failed),
        );
        for case in cases {
            case_xml(&mut out, case);
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

fn case_xml(out: &mut String, case: &ScenarioResult) {
    let _ = write!(
        out,
        r#"    <testcase name="{}" classname="{}" time="{:.3}">"#,
        escape(&case.case_name()),
        escape(&case.feature),
        case.took().as_secs_f64()
    );
    let failures: Vec<&Failure> = case.attempts.iter().filter_map(|a| a.failure.as_ref()).collect();
    match case.status() {
        Status::Passed => {}
        Status::Skipped => {
            let why = case.left_out.as_deref().unwrap_or("left out");
            let _ = write!(out, r#"<skipped message="{}"/>"#, escape(why));
        }
        Status::Flaky => {
            for failure in failures {
                element(out, "flakyFailure", failure);
            }
        }
        Status::Failed => {
            if let Some((last, earlier)) = failures.split_last() {
                element(out, "failure", last);
                for failure in earlier {
                    element(out, "rerunFailure", failure);
                }
            }
        }
    }
    out.push_str("</testcase>\n");
}

/// `<name type="…" message="…">`, the failed step and the message inside.
fn element(out: &mut String, name: &str, failure: &Failure) {
    let step =
        failure.step.as_ref().map(|s| format!("{} {} (line {})\n", s.keyword, s.text, s.line)).unwrap_or_default();
    let body = format!("{step}{}", failure.message);
    let _ = if name == "failure" {
        write!(
            out,
            r#"<{name} type="{}" message="{}">{}</{name}>"#,
            failure.kind(),
            escape(&failure.message),
            escape(&body)
        )
    } else {
        write!(
            out,
            r#"<{name} type="{}" message="{}"><stackTrace>{}</stackTrace></{name}>"#,
            failure.kind(),
            escape(&failure.message),
            escape(&body)
        )
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::results::tests::result;

    #[test]
    fn flaky_failed_and_left_out_scenarios_are_written_as_ci_dashboards_read_them() {
        let mut left_out = result(&[]);
        left_out.scenario = "A <minted> key".into();
        left_out.line = 30;
        left_out.left_out = Some("needs the target's app key (--app-key)".into());
        let xml = render(&[result(&[Some(true), None]), result(&[Some(true), Some(false)]), left_out]);

        assert!(roxmltree::Document::parse(&xml).is_ok(), "well-formed XML: {xml}");
        assert!(xml.contains(r#"<flakyFailure type="mismatch" message="status of the response does not match"><stackTrace>Then the response status is 200 (line 9)"#), "{xml}");
        assert!(xml.contains(r#"<failure type="mismatch""#) && xml.contains("<rerunFailure "), "{xml}");
        assert!(
            xml.contains(r#"name="Scenario: A &lt;minted&gt; key: features/07_use_the_api_key.feature:30:3""#),
            "{xml}"
        );
        assert!(xml.contains(r#"<skipped message="needs the target's app key (--app-key)"/>"#), "{xml}");
        assert!(xml.contains(r#"tests="3" skipped="1" errors="0" failures="1""#), "{xml}");
    }
}
