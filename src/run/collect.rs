//! The run's results as cucumber reports them: a writer that turns each scenario's events into an
//! [`Attempt`] of its [`ScenarioResult`]. The kind of a failed step (did not conform, could not
//! run, transient) is read from the world cucumber hands over with the failure; cucumber itself
//! keeps only the message. Durations are the events' own timestamps (the console's writer
//! reorders events, so the time they arrive here says nothing). One collector serves every pass of a run, so a retried scenario's
//! attempts add up.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use cucumber::event::{Cucumber, Feature, Hook, Rule, Scenario, Step, StepError};
use cucumber::{Event, gherkin, parser};

use crate::report::results::{Attempt, FailedStep, Failure, ScenarioResult};
use crate::world::TutorialWorld;

/// A scenario's place: its file (as shown), line and column.
type Key = (String, usize, usize);

#[derive(Debug, Default)]
struct State {
    started: HashMap<Key, SystemTime>,
    failures: HashMap<Key, Failure>,
    results: Vec<ScenarioResult>,
}

/// Collects results; clones share them.
#[derive(Debug, Clone, Default)]
pub(super) struct Collector(Arc<Mutex<State>>);

/// The file a feature is shown as.
pub(super) fn file_of(feature: &gherkin::Feature) -> String {
    feature.path.as_ref().map(|p| p.display().to_string()).unwrap_or_else(|| feature.name.clone())
}

impl Collector {
    /// Every scenario's result so far, in the order of their files and lines.
    pub(super) fn results(&self) -> Vec<ScenarioResult> {
        let mut results = self.0.lock().map(|s| s.results.clone()).unwrap_or_default();
        results.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
        results
    }

    fn scenario(
        &self,
        feature: &gherkin::Feature,
        rule: Option<&gherkin::Rule>,
        scenario: &gherkin::Scenario,
        event: &Scenario<TutorialWorld>,
        at: SystemTime,
    ) {
        let Ok(mut state) = self.0.lock() else { return };
        let key = (file_of(feature), scenario.position.line, scenario.position.col);
        match event {
            Scenario::Started => {
                state.failures.remove(&key);
                state.started.insert(key, at);
            }
            Scenario::Step(step, Step::Failed(_, _, world, error))
            | Scenario::Background(step, Step::Failed(_, _, world, error)) => {
                let failed = FailedStep {
                    keyword: step.keyword.trim().to_owned(),
                    text: step.value.clone(),
                    line: step.position.line,
                };
                let failure = step_failure(Some(failed), world.as_deref(), error);
                state.failures.entry(key).or_insert(failure);
            }
            Scenario::Hook(ty, Hook::Failed(_, info)) => {
                let message = crate::secret::scrub(&format!("the scenario's {ty:?} hook failed: {}", panic_text(info)));
                let failure = Failure { step: None, message, runtime: true, transient: false };
                state.failures.entry(key).or_insert(failure);
            }
            Scenario::Finished => {
                let started = state.started.remove(&key);
                let took = started.and_then(|t| at.duration_since(t).ok()).unwrap_or_default();
                let attempt = Attempt { took, failure: state.failures.remove(&key) };
                match state.results.iter_mut().find(|r| (&r.file, r.line, r.column) == (&key.0, key.1, key.2)) {
                    Some(result) => result.attempts.push(attempt),
                    None => {
                        let tags = feature.tags.iter().chain(rule.iter().flat_map(|r| &r.tags)).chain(&scenario.tags);
                        state.results.push(ScenarioResult {
                            file: key.0,
                            feature: feature.name.clone(),
                            rule: rule.map(|r| r.name.clone()),
                            scenario: scenario.name.clone(),
                            line: key.1,
                            column: key.2,
                            tags: tags.cloned().collect(),
                            attempts: vec![attempt],
                            left_out: None,
                        });
                    }
                }
            }
            _ => {}
        }
    }
}

/// How a step failed: the world says the kind when the step went through it (every step of the
/// suite's does); an undefined or ambiguous step could not run.
fn step_failure(step: Option<FailedStep>, world: Option<&TutorialWorld>, error: &StepError) -> Failure {
    let message = crate::secret::scrub(&match error {
        StepError::Panic(info) => panic_text(info),
        other => other.to_string(),
    });
    let (runtime, transient) = match (error, world.and_then(|w| w.failure)) {
        (StepError::Panic(_), Some(kind)) => (kind.runtime, kind.transient),
        (StepError::Panic(_), None) => (false, false),
        (StepError::NotFound | StepError::AmbiguousMatch(_), _) => (true, false),
    };
    Failure { step, message, runtime, transient }
}

/// The text of a panic's payload (a failed step's error, as the step returned it).
fn panic_text(info: &cucumber::event::Info) -> String {
    (**info)
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| (**info).downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "(a panic without a message)".to_owned())
}

impl cucumber::Writer<TutorialWorld> for Collector {
    type Cli = cucumber::cli::Empty;

    async fn handle_event(&mut self, event: parser::Result<Event<Cucumber<TutorialWorld>>>, _cli: &Self::Cli) {
        let Ok(event) = event else { return };
        match &event.value {
            Cucumber::Feature(feature, Feature::Scenario(scenario, retryable)) => {
                self.scenario(feature, None, scenario, &retryable.event, event.at);
            }
            Cucumber::Feature(feature, Feature::Rule(rule, Rule::Scenario(scenario, retryable))) => {
                self.scenario(feature, Some(rule), scenario, &retryable.event, event.at);
            }
            _ => {}
        }
    }
}

impl cucumber::writer::NonTransforming for Collector {}
