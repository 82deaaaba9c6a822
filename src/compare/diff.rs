//! What differs between two runs of the same scenarios: scenario by scenario, whether each side
//! passed (and where it failed), and every place where the answers the scenario's snapshot steps
//! computed differ, both sides normalised the same way.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use crate::check::snapshot::slug;
use crate::mismatch::{Difference, differences};
use crate::report::results::{ScenarioResult, Status};

/// One side of a comparison, as it ran.
#[derive(Debug, Clone)]
pub struct Side {
    /// The side's results, scenario by scenario.
    pub results: Vec<ScenarioResult>,
    /// What its snapshot steps computed, by snapshot name.
    pub values: BTreeMap<String, Value>,
}

/// One thing that differs in a scenario: its result, or one of its snapshots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Differing {
    /// `result`, or the snapshot's label (`wrong password`).
    pub what: String,
    /// Where and how, side A as `expected`, side B as `actual`.
    pub differences: Vec<Difference>,
}

/// One scenario on both sides.
#[derive(Debug, Clone)]
pub struct ScenarioComparison {
    /// Its feature file, as shown.
    pub file: String,
    /// Its feature's name.
    pub feature: String,
    /// Its name.
    pub scenario: String,
    /// Its line.
    pub line: usize,
    /// Its result on each side, in words.
    pub results: (String, String),
    /// What differs; empty when the two sides agree, and when a side left the scenario out.
    pub differing: Vec<Differing>,
    /// A side left the scenario out (it cannot restart, it runs on another database, …): there is
    /// nothing to compare, which is neither agreement nor a difference.
    pub left_out: bool,
}

/// A result in words: `passed`, `failed at Then … (line 9): <first line>`, `not run: <why>`.
fn in_words(result: Option<&ScenarioResult>) -> String {
    let Some(result) = result else { return "not run".into() };
    match (result.status(), result.failure()) {
        (Status::Failed, Some(failure)) => {
            let at = failure.step.as_ref().map(|s| format!(" at {} {} (line {})", s.keyword, s.text, s.line));
            let first = failure.message.lines().next().unwrap_or_default();
            format!("failed{}: {first}", at.unwrap_or_default())
        }
        (Status::Skipped, _) => format!("not run: {}", result.left_out.as_deref().unwrap_or_default()),
        (status, _) => status.word().to_owned(),
    }
}

/// Whether two results say the same: both passed (a flaky pass is a pass), or both failed at the
/// same step the same way, or both were left out. Messages name each run's own tagged names, so
/// they are not compared.
fn same_result(a: Option<&ScenarioResult>, b: Option<&ScenarioResult>) -> bool {
    let key = |r: Option<&ScenarioResult>| {
        r.map(|r| match r.status() {
            Status::Flaky => (Status::Passed, None, false),
            status => {
                let failure = r.failure().filter(|_| status == Status::Failed);
                (status, failure.and_then(|f| f.step.as_ref()).map(|s| s.line), failure.is_some_and(|f| f.runtime))
            }
        })
    };
    key(a) == key(b)
}

/// The snapshot names of a scenario start with `<file stem>__<scenario slug>__`.
fn prefix(result: &ScenarioResult) -> String {
    let stem = Path::new(&result.file).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    format!("{stem}__{}__", slug(&result.scenario))
}

/// Every scenario of either side, compared, in the order of their files and lines.
pub fn compare(a: &Side, b: &Side) -> Vec<ScenarioComparison> {
    let key = |r: &ScenarioResult| (r.file.clone(), r.line, r.column);
    let a_results: BTreeMap<_, &ScenarioResult> = a.results.iter().map(|r| (key(r), r)).collect();
    let b_results: BTreeMap<_, &ScenarioResult> = b.results.iter().map(|r| (key(r), r)).collect();
    let keys: BTreeSet<_> = a_results.keys().chain(b_results.keys()).cloned().collect();
    keys.into_iter()
        .filter_map(|k| {
            let (ra, rb) = (a_results.get(&k).copied(), b_results.get(&k).copied());
            let any = ra.or(rb)?;
            let results = (in_words(ra), in_words(rb));
            let left_out = [ra, rb].iter().any(|r| r.is_none_or(|r| r.status() == Status::Skipped));
            let differing = if left_out { Vec::new() } else { what_differs(a, b, (ra, rb), any, &results) };
            Some(ScenarioComparison {
                file: any.file.clone(),
                feature: any.feature.clone(),
                scenario: any.scenario.clone(),
                line: any.line,
                results,
                differing,
                left_out,
            })
        })
        .collect()
}

/// What differs in a scenario both sides ran: its result, then each of its snapshots.
fn what_differs(
    a: &Side,
    b: &Side,
    (ra, rb): (Option<&ScenarioResult>, Option<&ScenarioResult>),
    any: &ScenarioResult,
    results: &(String, String),
) -> Vec<Differing> {
    let mut differing = Vec::new();
    if !same_result(ra, rb) {
        let difference = Difference { path: ".".into(), expected: results.0.clone(), actual: results.1.clone() };
        differing.push(Differing { what: "result".into(), differences: vec![difference] });
    }
    let prefix = prefix(any);
    let names: BTreeSet<&String> = a.values.keys().chain(b.values.keys()).filter(|n| n.starts_with(&prefix)).collect();
    for name in names {
        let label = name[prefix.len()..].replace('_', " ");
        let reached = |expected: &str, actual: &str| {
            vec![Difference { path: ".".into(), expected: expected.into(), actual: actual.into() }]
        };
        let differences = match (a.values.get(name), b.values.get(name)) {
            (Some(va), Some(vb)) => differences(va, vb),
            (Some(_), None) => reached("checked", "(not reached)"),
            (None, Some(_)) => reached("(not reached)", "checked"),
            (None, None) => Vec::new(),
        };
        if !differences.is_empty() {
            differing.push(Differing { what: label, differences });
        }
    }
    differing
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::report::results::tests::result;

    #[test]
    fn one_field_that_differs_is_named_and_nothing_else() {
        let name = "07_use_the_api_key__listing__list".to_owned();
        let a = Side {
            results: vec![result(&[None])],
            values: BTreeMap::from([(name.clone(), json!({"body": {"title": "eat food", "id": 1}}))]),
        };
        let b = Side {
            results: vec![result(&[None])],
            values: BTreeMap::from([(name, json!({"body": {"title": "sleep", "id": 1}}))]),
        };
        let compared = compare(&a, &b);
        assert_eq!(compared.len(), 1);
        assert_eq!(
            compared[0].differing,
            [Differing {
                what: "list".into(),
                differences: vec![Difference {
                    path: ".body.title".into(),
                    expected: "\"eat food\"".into(),
                    actual: "\"sleep\"".into()
                }]
            }]
        );
        assert!(compare(&a, &a).iter().all(|c| c.differing.is_empty()), "a side agrees with itself");
    }

    #[test]
    fn a_scenario_that_fails_on_one_side_only_differs_in_its_result() {
        let a = Side { results: vec![result(&[None])], values: BTreeMap::new() };
        let b = Side { results: vec![result(&[Some(false)])], values: BTreeMap::new() };
        let compared = compare(&a, &b);
        assert_eq!(compared[0].differing[0].what, "result");
        assert_eq!(compared[0].results.0, "passed");
        assert!(
            compared[0].results.1.starts_with("failed at Then the response status is 200 (line 9): "),
            "{:?}",
            compared[0].results
        );
        let flaky = Side { results: vec![result(&[Some(true), None])], values: BTreeMap::new() };
        assert!(compare(&a, &flaky)[0].differing.is_empty(), "a flaky pass is a pass");
    }

    #[test]
    fn a_scenario_one_side_left_out_is_not_compared() {
        let a = Side { results: vec![result(&[None])], values: BTreeMap::new() };
        let mut not_run = result(&[None]);
        not_run.attempts.clear();
        not_run.left_out = Some("needs --restart-command to restart the deployment".into());
        let b = Side { results: vec![not_run], values: BTreeMap::new() };
        let compared = compare(&a, &b);
        assert!(compared[0].left_out && compared[0].differing.is_empty(), "{:?}", compared[0]);
        assert_eq!(compared[0].results.1, "not run: needs --restart-command to restart the deployment");
        assert!(!compare(&a, &a)[0].left_out, "run on both sides, it is compared");
    }
}
