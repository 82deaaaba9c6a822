//! GitHub Actions (when `GITHUB_ACTIONS=true`): an `::error` annotation at the line of each failed
//! scenario's failing step (a `::warning` for a flaky one, unless flaky fails the run), and a
//! Markdown summary of the run appended to `$GITHUB_STEP_SUMMARY`. Secrets masked, as everywhere.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::error::{HarnessError, Result};
use crate::report::results::{Counts, ScenarioResult, Status};

/// What GitHub's environment tells a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GitHub {
    /// `$GITHUB_STEP_SUMMARY`: the file the job's summary is appended to.
    pub summary: Option<PathBuf>,
    /// `$GITHUB_WORKSPACE`: annotations name files relative to it.
    pub workspace: Option<PathBuf>,
}

/// The run as the summary and annotations tell it.
#[derive(Debug, Clone, Copy)]
pub struct Verdict<'a> {
    /// `passed`, `failed` or `could not run`.
    pub outcome: &'a str,
    /// The target, in words (`the live target at … (NocoBase 2.2.15)`), once known.
    pub target: Option<&'a str>,
    /// Why the run could not run at all, if so.
    pub error: Option<&'a str>,
    /// Whether a flaky scenario fails the run (`--fail-on-flaky`).
    pub flaky_fails: bool,
}

/// A workflow command's message: `%`, CR and LF escaped.
fn data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// A workflow command's property value: also `:` and `,`.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

impl GitHub {
    /// A feature file as the repository names it: relative to the workspace when under it.
    fn file(&self, file: &str) -> String {
        let path = Path::new(file);
        match &self.workspace {
            Some(workspace) if path.is_absolute() => {
                path.strip_prefix(workspace).map(|p| p.display().to_string()).unwrap_or_else(|_| file.to_owned())
            }
            _ => file.to_owned(),
        }
    }

    /// The annotations of a run, one line each.
    pub fn annotations(&self, results: &[ScenarioResult], verdict: Verdict<'_>) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(error) = verdict.error {
            out.push(format!("::error title={}::{}", property("nocobase-conformance could not run"), data(error)));
        }
        for result in results {
            let level = match result.status() {
                Status::Failed => "error",
                Status::Flaky if verdict.flaky_fails => "error",
                Status::Flaky => "warning",
                Status::Passed | Status::Skipped => continue,
            };
            let Some(failure) = result.failure() else { continue };
            let line = failure.step.as_ref().map_or(result.line, |s| s.line);
            let title = match result.status() {
                Status::Flaky => format!("{} (flaky: passed on attempt {})", result.scenario, result.attempts.len()),
                _ => result.scenario.clone(),
            };
            let step = failure.step.as_ref().map(|s| format!("{} {}\n", s.keyword, s.text)).unwrap_or_default();
            out.push(format!(
                "::{level} file={},line={line},title={}::{}",
                property(&self.file(&result.file)),
                property(&title),
                data(&format!("{step}{}", failure.message))
            ));
        }
        out.into_iter().map(|l| crate::secret::scrub(&l)).collect()
    }

    /// The job summary's Markdown.
    pub fn summary(results: &[ScenarioResult], verdict: Verdict<'_>) -> String {
        let counts = Counts::of(results);
        let mark = match verdict.outcome {
            "passed" => "✔",
            _ => "✘",
        };
        let mut out = format!("## {mark} NocoBase conformance: {}\n\n", verdict.outcome);
        if let Some(target) = verdict.target {
            let _ = writeln!(out, "Target: {target}\n");
        }
        if let Some(error) = verdict.error {
            let _ = writeln!(out, "The suite could not run:\n\n```text\n{error}\n```\n");
        }
        let _ = writeln!(
            out,
            "| passed | flaky | failed | could not run | not run |\n|---:|---:|---:|---:|---:|\n| {} | {} | {} | {} | {} |\n",
            counts.passed, counts.flaky, counts.mismatched, counts.broken, counts.skipped
        );
        for (status, heading) in [(Status::Failed, "Failed"), (Status::Flaky, "Flaky (passed on a retry)")] {
            let listed: Vec<&ScenarioResult> = results.iter().filter(|r| r.status() == status).collect();
            if listed.is_empty() {
                continue;
            }
            let _ = writeln!(out, "### {heading}\n");
            for result in listed {
                let Some(failure) = result.failure() else { continue };
                let at = failure.step.as_ref().map_or(result.line, |s| s.line);
                let step = failure.step.as_ref().map(|s| format!(" — {} {}", s.keyword, s.text)).unwrap_or_default();
                let _ = writeln!(
                    out,
                    "<details><summary><b>{}</b> ({}:{at}){}</summary>\n\n```text\n{}\n```\n</details>\n",
                    crate::report::readable::escape(&result.scenario),
                    result.file,
                    crate::report::readable::escape(&step),
                    failure.message.replace("```", "'''")
                );
            }
        }
        crate::secret::scrub(&out)
    }

    /// Prints the annotations (to stdout, or stderr when stdout carries JSON) and appends the
    /// summary to `$GITHUB_STEP_SUMMARY`.
    pub fn publish(&self, results: &[ScenarioResult], verdict: Verdict<'_>, to_stderr: bool) -> Result<()> {
        for line in self.annotations(results, verdict) {
            if to_stderr {
                let _ = writeln!(std::io::stderr().lock(), "{line}");
            } else {
                let _ = writeln!(std::io::stdout().lock(), "{line}");
            }
        }
        let Some(path) = &self.summary else { return Ok(()) };
        let failed = |e: std::io::Error| HarnessError::File { path: path.display().to_string(), reason: e.to_string() };
        let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path).map_err(failed)?;
        file.write_all(Self::summary(results, verdict).as_bytes()).map_err(failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::results::tests::result;

    fn verdict(outcome: &str) -> Verdict<'_> {
        Verdict { outcome, target: Some("the embedded target"), error: None, flaky_fails: false }
    }

    #[test]
    fn a_failure_is_annotated_at_its_step_s_line_and_a_flaky_one_warned() {
        let github = GitHub { summary: None, workspace: Some(PathBuf::from("/ws")) };
        let mut own = result(&[Some(false)]);
        own.file = "/ws/ci/features/own.feature".into();
        let lines = github.annotations(
            &[result(&[Some(false)]), result(&[Some(true), None]), own, result(&[None])],
            verdict("failed"),
        );
        assert_eq!(
            lines[0],
            "::error file=features/07_use_the_api_key.feature,line=9,title=Listing::Then the response status is 200%0Astatus of the response does not match"
        );
        assert!(lines[1].starts_with("::warning file=features/07_use_the_api_key.feature,line=9,title=Listing (flaky%3A passed on attempt 2)::"), "{}", lines[1]);
        assert!(lines[2].starts_with("::error file=ci/features/own.feature,line=9,"), "{}", lines[2]);
        assert_eq!(lines.len(), 3, "a passed scenario is not annotated");
    }

    #[test]
    fn the_summary_counts_and_lists_what_failed() {
        let summary = GitHub::summary(&[result(&[Some(false)]), result(&[None])], verdict("failed"));
        assert!(summary.starts_with("## ✘ NocoBase conformance: failed\n"), "{summary}");
        assert!(summary.contains("| 1 | 0 | 1 | 0 | 0 |"), "{summary}");
        assert!(
            summary
                .contains("<b>Listing</b> (features/07_use_the_api_key.feature:9) — Then the response status is 200"),
            "{summary}"
        );
    }
}
