//! Machine-readable results (`--format json`, `--json PATH`): one JSON object per line per
//! scenario — its feature and file, name, line, tags, status (`passed`, `flaky`, `failed`,
//! `skipped`), duration, attempts and, when it failed (or was flaky), the step and the mismatch
//! or error; secrets masked like every other output.

use std::path::Path;

use serde_json::{Value, json};

use crate::error::{HarnessError, Result};
use crate::report::results::{ScenarioResult, Status};

/// One scenario's line (without the newline).
pub fn line(result: &ScenarioResult) -> String {
    let failure = result.failure().filter(|_| matches!(result.status(), Status::Failed | Status::Flaky)).map(|f| {
        json!({
            "kind": f.kind(),
            "step": f.step.as_ref().map(|s| json!({"keyword": s.keyword, "text": s.text, "line": s.line})),
            "message": f.message,
            "transient": f.transient,
        })
    });
    let value = json!({
        "feature": result.feature,
        "file": result.file,
        "rule": result.rule,
        "scenario": result.scenario,
        "line": result.line,
        "tags": result.tags,
        "status": result.status().word(),
        "duration_ms": u64::try_from(result.took().as_millis()).unwrap_or(u64::MAX),
        "attempts": result.attempts.len(),
        "failure": failure.unwrap_or(Value::Null),
        "reason": result.left_out,
    });
    crate::secret::scrub(&value.to_string())
}

/// Every scenario's line, each ending in a newline.
pub fn lines(results: &[ScenarioResult]) -> String {
    results.iter().map(|r| format!("{}\n", line(r))).collect()
}

/// Writes the lines to `path` (its folder made if missing).
pub fn write(path: &Path, results: &[ScenarioResult]) -> Result<()> {
    let failed = |e: std::io::Error| HarnessError::File { path: path.display().to_string(), reason: e.to_string() };
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder).map_err(failed)?;
    }
    std::fs::write(path, lines(results)).map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::results::tests::result;

    #[test]
    fn a_failed_scenario_s_line_names_its_step_and_mismatch_and_hides_secrets() {
        crate::secret::register("hunter2-secret-value");
        let mut failed = result(&[Some(false)]);
        if let Some(f) = failed.attempts[0].failure.as_mut() {
            f.message = "status does not match; sent hunter2-secret-value".into();
        }
        let parsed: Value = serde_json::from_str(&line(&failed)).expect("one JSON object");
        assert_eq!(parsed["status"], "failed");
        assert_eq!(parsed["scenario"], "Listing");
        assert_eq!(parsed["file"], "features/07_use_the_api_key.feature");
        assert_eq!(parsed["failure"]["kind"], "mismatch");
        assert_eq!(
            parsed["failure"]["step"],
            json!({"keyword": "Then", "text": "the response status is 200", "line": 9})
        );
        assert_eq!(parsed["failure"]["message"], "status does not match; sent [redacted]");
        assert_eq!(parsed["tags"], json!(["crud"]));

        let passed: Value = serde_json::from_str(&line(&result(&[None]))).expect("one JSON object");
        assert_eq!((passed["status"].as_str(), passed["failure"].is_null()), (Some("passed"), true));
        assert_eq!(lines(&[result(&[None]), result(&[Some(true), None])]).lines().count(), 2);
    }
}
