//! What a run prints besides cucumber's own lines: the scenarios it left out, and what checking
//! answers against the target's OpenAPI documents found.

use crate::report::console::say;
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
pub(super) fn print_left_out(left_out: &[(String, String)]) {
    let mut by_reason: std::collections::BTreeMap<&str, Vec<&str>> = std::collections::BTreeMap::new();
    for (why, name) in left_out {
        by_reason.entry(why.as_str()).or_default().push(name.as_str());
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
