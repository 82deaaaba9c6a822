//! What a run found, scenario by scenario: where each scenario is written, each attempt at it
//! (one, or more with `--retries`), how it failed, and the scenarios left out with why. Every
//! machine-readable report (JUnit, JSON lines, GitHub's annotations and summary) is written from
//! these, after the run; the run gives them back in its report.

use std::time::Duration;

/// How a scenario ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// Passed on its first attempt.
    Passed,
    /// Failed on a transport error or a server error, then passed on a retry.
    Flaky,
    /// Failed (on its last attempt).
    Failed,
    /// Left out of the run (no app key, no Chromium, key-only mode).
    Skipped,
}

impl Status {
    /// `passed`, `flaky`, `failed`, `skipped`.
    pub fn word(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Flaky => "flaky",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
        }
    }
}

/// The step a scenario failed at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedStep {
    /// `Given`, `When`, `Then`, `And`, `But`.
    pub keyword: String,
    /// Its text.
    pub text: String,
    /// Its line in the feature file.
    pub line: usize,
}

/// How one attempt failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The step, or `None` when a hook failed (the scenario's set-up or cleanup around steps).
    pub step: Option<FailedStep>,
    /// What went wrong: the mismatch or the error, secrets masked.
    pub message: String,
    /// The suite could not run it (rather than: the target did not conform).
    pub runtime: bool,
    /// No answer, or a server error nobody expected: worth a retry.
    pub transient: bool,
}

impl Failure {
    /// `mismatch` (the target did not conform) or `could not run`.
    pub fn kind(&self) -> &'static str {
        if self.runtime { "could not run" } else { "mismatch" }
    }
}

/// One attempt at a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// From its start to its end, cleanup included.
    pub took: Duration,
    /// How it failed; `None` when it passed.
    pub failure: Option<Failure>,
}

/// One scenario's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioResult {
    /// Its feature file, as shown (`features/07_use_the_api_key.feature`).
    pub file: String,
    /// Its feature's name.
    pub feature: String,
    /// Its rule's name, if it is in one.
    pub rule: Option<String>,
    /// Its name.
    pub scenario: String,
    /// Its line (an example's line for a Scenario Outline) and column.
    pub line: usize,
    /// Its column.
    pub column: usize,
    /// Its tags, the feature's and rule's included (without `@`).
    pub tags: Vec<String>,
    /// Every attempt, in order; none when it was left out.
    pub attempts: Vec<Attempt>,
    /// Why it was left out, when it was.
    pub left_out: Option<String>,
}

impl ScenarioResult {
    /// How it ended.
    pub fn status(&self) -> Status {
        match self.attempts.last() {
            None => Status::Skipped,
            Some(last) if last.failure.is_some() => Status::Failed,
            Some(_) if self.attempts.len() > 1 => Status::Flaky,
            Some(_) => Status::Passed,
        }
    }

    /// The failure that tells what happened: the last attempt's, or for a flaky scenario the
    /// one it recovered from.
    pub fn failure(&self) -> Option<&Failure> {
        self.attempts.iter().rev().find_map(|a| a.failure.as_ref())
    }

    /// All its attempts' time.
    pub fn took(&self) -> Duration {
        self.attempts.iter().map(|a| a.took).sum()
    }

    /// `Scenario: <name>: <file>:<line>:<column>`, as JUnit reports name test cases.
    pub fn case_name(&self) -> String {
        let rule = self.rule.as_ref().map(|r| format!("Rule: {r}: ")).unwrap_or_default();
        format!("{rule}Scenario: {}: {}:{}:{}", self.scenario, self.file, self.line, self.column)
    }
}

/// How many scenarios ended how.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Passed at once.
    pub passed: usize,
    /// Passed on a retry.
    pub flaky: usize,
    /// Failed because the target did not conform.
    pub mismatched: usize,
    /// Failed because the suite could not run them.
    pub broken: usize,
    /// Left out.
    pub skipped: usize,
}

impl Counts {
    /// The counts of `results`.
    pub fn of(results: &[ScenarioResult]) -> Self {
        let mut counts = Counts::default();
        for result in results {
            match result.status() {
                Status::Passed => counts.passed += 1,
                Status::Flaky => counts.flaky += 1,
                Status::Skipped => counts.skipped += 1,
                Status::Failed if result.failure().is_some_and(|f| f.runtime) => counts.broken += 1,
                Status::Failed => counts.mismatched += 1,
            }
        }
        counts
    }

    /// Scenarios that ran.
    pub fn ran(&self) -> usize {
        self.passed + self.flaky + self.mismatched + self.broken
    }

    /// Scenarios that failed, either way.
    pub fn failed(&self) -> usize {
        self.mismatched + self.broken
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A result with these attempts (`Some(transient)` a failure, `None` a pass).
    pub(crate) fn result(attempts: &[Option<bool>]) -> ScenarioResult {
        let attempts = attempts
            .iter()
            .map(|a| Attempt {
                took: Duration::from_millis(10),
                failure: a.map(|transient| Failure {
                    step: Some(FailedStep {
                        keyword: "Then".into(),
                        text: "the response status is 200".into(),
                        line: 9,
                    }),
                    message: "status of the response does not match".into(),
                    runtime: false,
                    transient,
                }),
            })
            .collect();
        ScenarioResult {
            file: "features/07_use_the_api_key.feature".into(),
            feature: "Step 7".into(),
            rule: None,
            scenario: "Listing".into(),
            line: 7,
            column: 3,
            tags: vec!["crud".into()],
            attempts,
            left_out: None,
        }
    }

    #[test]
    fn a_scenario_that_passes_on_a_retry_is_flaky() {
        assert_eq!(result(&[None]).status(), Status::Passed);
        assert_eq!(result(&[Some(true), None]).status(), Status::Flaky);
        assert_eq!(result(&[Some(true), Some(true)]).status(), Status::Failed);
        assert_eq!(result(&[]).status(), Status::Skipped);
        let flaky = result(&[Some(true), None]);
        assert!(flaky.failure().is_some_and(|f| f.transient), "a flaky scenario tells what it recovered from");
        assert_eq!(flaky.took(), Duration::from_millis(20));
        let counts = Counts::of(&[flaky, result(&[Some(false)]), result(&[None])]);
        assert_eq!((counts.passed, counts.flaky, counts.mismatched, counts.ran()), (1, 1, 1, 3));
    }
}
