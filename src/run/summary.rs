//! What a run prints besides cucumber's own lines: the scenarios it left out, what checking
//! answers against the target's OpenAPI documents found, the flaky scenarios, and the failures by
//! kind.

use crate::report::console::say;
use crate::report::results::{Counts, ScenarioResult, Status};
use crate::world::suite::Suite;
use crate::world::timing::ScenarioTiming;

/// What checking responses against the target's OpenAPI documents found.
pub(super) fn print_openapi(suite: &Suite) {
    if !suite.config.validate_openapi {
        return;
    }
    let tally = suite.openapi_tally();
    let undocumented: usize = tally.undocumented.values().sum();
    say(&format!(
        "OpenAPI: {} responses validated against the target's own documents; {undocumented} with a status the document does not declare.",
        tally.validated
    ));
    for (what, count) in &tally.undocumented {
        say(&format!("  undocumented: {what} (×{count})"));
    }
    for (defect, count) in &tally.known_defects {
        say(&format!("  known defect of the document: {defect} (×{count}; see src/check/openapi.rs)"));
    }
    for (collection, why) in &tally.unavailable {
        say(&format!("  not validated: {collection} — {why}"));
    }
}

/// One line per reason; the names when they are few.
pub(super) fn print_left_out(left_out: &[ScenarioResult]) {
    let mut by_reason: std::collections::BTreeMap<&str, Vec<&str>> = std::collections::BTreeMap::new();
    for result in left_out {
        by_reason.entry(result.left_out.as_deref().unwrap_or_default()).or_default().push(result.scenario.as_str());
    }
    for (why, names) in by_reason {
        if names.len() <= 3 {
            for name in names {
                say(&format!("  not run: {name} — {why}"));
            }
        } else {
            say(&format!("  not run: {} scenarios — {why}", names.len()));
        }
    }
}

/// How many scenarios took over a set-up an earlier one had built (see `world::shared`).
pub(super) fn print_shared_setup(timings: &[ScenarioTiming], isolated: bool) {
    if isolated {
        say("Set-up: every scenario built its own (--isolated).");
        return;
    }
    let shared = timings.iter().filter(|t| t.setup_shared).count();
    if shared > 0 {
        say(&format!(
            "Set-up: {shared} of {} scenarios took over the set-up an earlier scenario with the same set-up had built.",
            timings.len()
        ));
    }
}

/// The scenarios that passed only on a retry, and the failed ones by kind.
pub(super) fn print_results(results: &[ScenarioResult]) {
    for result in results.iter().filter(|r| r.status() == Status::Flaky) {
        let why = result.failure().map(|f| f.message.lines().next().unwrap_or_default().to_owned()).unwrap_or_default();
        say(&format!(
            "FLAKY: \"{}\" ({}:{}) passed on attempt {} after: {why}",
            result.scenario,
            result.file,
            result.line,
            result.attempts.len()
        ));
    }
    let counts = Counts::of(results);
    if counts.failed() > 0 {
        say(&format!(
            "Failed steps: {} where the target did not conform, {} the suite could not run.",
            counts.mismatched, counts.broken
        ));
    }
}
