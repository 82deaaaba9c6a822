//! The reports a run writes from its results once it is over: JUnit (`--junit`), JSON lines
//! (`--json PATH`, and stdout with `--format json`), and GitHub Actions' annotations and job
//! summary. Their files are made before the target starts ([`prepare`]), so that a path that
//! cannot be written stops the run before it touches the target.

use std::io::Write as _;
use std::path::Path;

use super::RunReport;
use crate::cli::Format;
use crate::config::RunConfig;
use crate::error::{HarnessError, Result};
use crate::report::github::Verdict;
use crate::report::{json, junit};

/// Makes the report files (and their folders), empty.
pub(super) fn prepare(config: &RunConfig) -> Result<()> {
    for path in [&config.junit, &config.json].into_iter().flatten() {
        make(path)?;
    }
    Ok(())
}

fn make(path: &Path) -> Result<()> {
    let cannot = |e: std::io::Error| HarnessError::File { path: path.display().to_string(), reason: e.to_string() };
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder).map_err(cannot)?;
    }
    std::fs::File::create(path).map(drop).map_err(cannot)
}

/// Writes what the configuration asks for from `report`.
pub(super) fn publish(config: &RunConfig, report: &RunReport) -> Result<()> {
    if config.format == Format::Json {
        let _ = std::io::stdout().lock().write_all(json::lines(&report.results).as_bytes());
    }
    if let Some(path) = &config.json {
        json::write(path, &report.results)?;
    }
    if let Some(path) = &config.junit {
        junit::write(path, &report.results)?;
    }
    if let Some(github) = &config.github {
        let verdict = Verdict {
            outcome: report.outcome.word(),
            target: report.target.as_deref(),
            error: report.error.as_deref(),
            flaky_fails: config.fail_on_flaky,
        };
        github.publish(&report.results, verdict, config.format == Format::Json)?;
    }
    Ok(())
}
