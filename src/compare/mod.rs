//! `nocobase-conformance compare`: the same scenarios on two targets, side A then side B, each a
//! whole run with its own run tag, cleanup, sweep and masked secrets, its snapshot steps
//! collecting their normalised answers instead of checking them ([`crate::run::run`] with
//! [`crate::check::snapshot::SnapshotMode::Collect`]); then every difference between the two,
//! scenario by scenario ([`diff`]), on the console and in the reports ([`report`]).

pub mod diff;
pub mod report;

use self::diff::{Side, compare};
use self::report::Sides;
use crate::check::snapshot::SnapshotMode;
use crate::config::{Comparing, RunConfig};
use crate::report::console::{say, warn};
use crate::run::{Outcome, RunReport};

/// One side's run, and what its snapshot steps collected.
async fn side(name: &str, config: RunConfig) -> (RunReport, Side) {
    say(&format!("Side {name}:"));
    let collected = match &config.snapshots {
        SnapshotMode::Collect(collected) => collected.clone(),
        _ => Default::default(),
    };
    let report = crate::run::run(config).await;
    let side = Side { results: report.results.clone(), values: collected.values() };
    (report, side)
}

/// Runs both sides and compares them; the exit code: 0 they agree, 1 they differ, 2 a side could
/// not run.
pub async fn command(comparing: Comparing) -> u8 {
    let (report_a, a) = side("A", comparing.a).await;
    let (report_b, b) = side("B", comparing.b).await;
    let unknown = |r: &RunReport| r.target.clone().unwrap_or_else(|| "(did not start)".into());
    let sides = Sides { a: unknown(&report_a), b: unknown(&report_b) };
    for (name, report) in [("A", &report_a), ("B", &report_b)] {
        if report.outcome == Outcome::Broken {
            warn(&format!(
                "error: side {name} could not run{}",
                report.error.as_deref().map(|e| format!(": {e}")).unwrap_or_default()
            ));
        }
    }
    let compared = compare(&a, &b);
    for line in report::console(&sides, &compared) {
        say(&line);
    }
    let mut written = true;
    if let Some(path) = &comparing.report {
        let html = path.extension().is_some_and(|e| e == "html" || e == "htm");
        let text = if html { report::html(&sides, &compared) } else { report::markdown(&sides, &compared) };
        written &= report::write(path, &text).inspect_err(|e| warn(&format!("error: {e}"))).is_ok();
    }
    if let Some(path) = &comparing.junit {
        written &= report::write(path, &report::junit(&sides, &compared))
            .inspect_err(|e| warn(&format!("error: {e}")))
            .is_ok();
    }
    if report_a.outcome == Outcome::Broken || report_b.outcome == Outcome::Broken || !written {
        2
    } else if compared.iter().any(|c| !c.differing.is_empty()) {
        1
    } else {
        0
    }
}
