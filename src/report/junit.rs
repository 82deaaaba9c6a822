//! The JUnit report's last part: the scenarios a run left out (no app key, no Chromium, key-only
//! mode), as skipped test cases with their reason, so that CI dashboards show them instead of
//! silently counting fewer tests. Scenarios a `--name` or `--tags` filter deselected stay out.

use std::path::Path;

use crate::error::{HarnessError, Result};
use crate::report::readable::escape;

/// Appends a test suite "Not run" with one skipped test case per `(reason, scenario)` to the
/// JUnit file cucumber wrote at `path`.
pub fn add_not_run(path: &Path, left_out: &[(String, String)]) -> Result<()> {
    if left_out.is_empty() {
        return Ok(());
    }
    let failed = |reason: String| HarnessError::File { path: path.display().to_string(), reason };
    let xml = std::fs::read_to_string(path).map_err(|e| failed(e.to_string()))?;
    let end =
        xml.rfind("</testsuites>").ok_or_else(|| failed("no </testsuites> to add the scenarios not run to".into()))?;
    let mut suite = format!(
        r#"<testsuite id="not-run" name="Not run" tests="{0}" skipped="{0}" errors="0" failures="0">"#,
        left_out.len()
    );
    for (why, name) in left_out {
        suite.push_str(&format!(
            r#"<testcase name="Scenario: {}"><skipped message="{}"/></testcase>"#,
            escape(name),
            escape(why)
        ));
    }
    suite.push_str("</testsuite>");
    let written = format!("{}{suite}{}", &xml[..end], &xml[end..]);
    std::fs::write(path, crate::secret::scrub(&written)).map_err(|e| failed(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenarios_not_run_become_skipped_test_cases_with_their_reason() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("junit.xml");
        std::fs::write(&path, r#"<?xml version="1.0"?><testsuites><testsuite name="F"></testsuite></testsuites>"#)
            .expect("written");
        let left_out = [("needs the target's app key (--app-key)".to_owned(), "A <minted> key".to_owned())];

        add_not_run(&path, &left_out).expect("added");

        let xml = std::fs::read_to_string(&path).expect("read");
        assert!(xml.ends_with(
            r#"<testsuite id="not-run" name="Not run" tests="1" skipped="1" errors="0" failures="0"><testcase name="Scenario: A &lt;minted&gt; key"><skipped message="needs the target's app key (--app-key)"/></testcase></testsuite></testsuites>"#
        ), "{xml}");
    }
}
