//! Set-up shared between scenarios where sharing cannot change a result.
//!
//! A scenario's *set-up* is its feature's Background and the `Given` steps that open the
//! scenario. Scenarios with the same set-up (the same steps, word for word) would build the same
//! state on the target: the first builds it; when it ends having only read (no request of its
//! client could change the target's state, see [`crate::client::Tap`]) and passed, its state as
//! it stood when the set-up was complete — a [`Fixture`] — goes back to the run's [`Pool`]
//! instead of being removed. The next scenario with that set-up takes it out (a fixture is
//! used by one scenario at a time, so concurrency changes nothing) and skips its set-up steps. A
//! scenario that writes, or fails, removes everything as before, the fixture included. What is
//! left in the pool is removed when the run ends, before the sweep for leftovers.
//!
//! `--isolated` turns sharing off: every scenario builds its own set-up.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use cucumber::gherkin::{self, StepType};
use serde_json::Value;

use super::cleanup::Created;
use super::{KeyInfo, UserInfo};
use crate::browser::RenderedPage;
use crate::check::normalize::Normalizer;
use crate::exchange::Exchange;
use crate::secret::Secret;
use crate::world::timing::ScenarioTiming;

/// What a scenario will run: how many of its first steps are set-up, and the text that
/// identifies that set-up.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// The set-up steps, as one text (keyword-free step text, doc strings and tables).
    pub key: String,
    /// How many steps the set-up is.
    pub setup_steps: usize,
}

impl Plan {
    /// The set-up of `scenario`: the feature's and the rule's Background, then the scenario's
    /// opening `Given` steps.
    pub fn of(feature: &gherkin::Feature, rule: Option<&gherkin::Rule>, scenario: &gherkin::Scenario) -> Self {
        let background = feature.background.iter().chain(rule.and_then(|r| r.background.as_ref()));
        let opening = scenario.steps.iter().take_while(|s| s.ty == StepType::Given);
        let steps: Vec<&gherkin::Step> = background.flat_map(|b| &b.steps).chain(opening).collect();
        let key = steps.iter().map(|s| describe(s)).collect::<Vec<_>>().join("\n");
        Self { key, setup_steps: steps.len() }
    }
}

/// A step as the set-up key holds it: its text, doc string and table.
fn describe(step: &gherkin::Step) -> String {
    let mut text = step.value.clone();
    if let Some(docstring) = &step.docstring {
        text.push_str(&format!(" \"\"\"{docstring}\"\"\""));
    }
    if let Some(table) = &step.table {
        for row in &table.rows {
            text.push_str(&format!(" |{}|", row.join("|")));
        }
    }
    text
}

/// A scenario's state at the end of its set-up: what a later scenario with the same set-up
/// takes over.
#[derive(Debug, Clone)]
pub struct Fixture {
    pub(super) tag: String,
    pub(super) normalizer: Normalizer,
    pub(super) admin: Option<Secret>,
    pub(super) users: BTreeMap<String, UserInfo>,
    pub(super) keys: BTreeMap<String, KeyInfo>,
    pub(super) records: BTreeMap<String, Value>,
    pub(super) last: Option<Exchange>,
    pub(super) last_token: Option<Secret>,
    pub(super) page: Option<RenderedPage>,
    pub(super) created: Created,
    /// The scenario that built it, for messages about its removal.
    pub(super) built_by: String,
}

/// The fixtures of a run that no scenario is using, by set-up.
#[derive(Debug, Default)]
pub struct Pool(Mutex<HashMap<String, Vec<Fixture>>>);

impl Pool {
    /// A fixture for this set-up, if one is free.
    pub fn take(&self, key: &str) -> Option<Fixture> {
        self.0.lock().ok()?.get_mut(key)?.pop()
    }

    /// Gives a fixture back for the next scenario with its set-up.
    pub fn put(&self, key: String, fixture: Fixture) {
        if let Ok(mut pool) = self.0.lock() {
            pool.entry(key).or_default().push(fixture);
        }
    }

    /// Every fixture left, taken out (to be removed at the end of the run).
    pub fn drain(&self) -> Vec<Fixture> {
        self.0.lock().map(|mut pool| pool.drain().flat_map(|(_, fixtures)| fixtures).collect()).unwrap_or_default()
    }
}

impl super::TutorialWorld {
    /// Whether this run shares set-up (`--isolated` turns it off).
    pub(super) fn sharing(&self) -> bool {
        !self.suite.config.isolated
    }

    /// The scenario's state now, as a fixture.
    pub(super) fn fixture(&self) -> Fixture {
        Fixture {
            tag: self.tag.clone(),
            normalizer: self.normalizer.clone(),
            admin: self.admin.clone(),
            users: self.users.clone(),
            keys: self.keys.clone(),
            records: self.records.clone(),
            last: self.last.clone(),
            last_token: self.last_token.clone(),
            page: self.page.clone(),
            created: self.created.clone(),
            built_by: self.scenario_name.clone(),
        }
    }

    /// Takes over a fixture's state.
    pub(super) fn restore(&mut self, fixture: &Fixture) {
        self.tag = fixture.tag.clone();
        self.normalizer = fixture.normalizer.clone();
        self.admin = fixture.admin.clone();
        self.users = fixture.users.clone();
        self.keys = fixture.keys.clone();
        self.records = fixture.records.clone();
        self.last = fixture.last.clone();
        self.last_token = fixture.last_token.clone();
        self.page = fixture.page.clone();
        self.created = fixture.created.clone();
    }

    /// Before the scenario's first step: its plan, and a free fixture of its set-up if the pool
    /// has one.
    pub fn begin(&mut self, feature: &gherkin::Feature, rule: Option<&gherkin::Rule>, scenario: &gherkin::Scenario) {
        self.snapshot_prefix = crate::check::snapshot::scenario_prefix(feature, scenario);
        self.scenario_name = scenario.name.clone();
        self.plan = Plan::of(feature, rule, scenario);
        if !self.sharing() || self.plan.setup_steps == 0 {
            return;
        }
        if let Some(fixture) = self.suite.pool.take(&self.plan.key) {
            self.restore(&fixture);
            self.skip_steps = self.plan.setup_steps;
            self.fixture = Some(fixture);
        }
    }

    /// After the scenario's last step: its timings to the run; its fixture back to the pool
    /// if it passed having only read, else everything it holds removed.
    pub async fn finish(&mut self, passed: bool) {
        self.suite.record_timing(ScenarioTiming {
            feature: self.snapshot_prefix.split("__").next().unwrap_or_default().to_owned(),
            scenario: self.scenario_name.clone(),
            took: self.began.elapsed(),
            setup_steps: self.plan.setup_steps,
            setup_shared: self.skip_steps > 0,
            steps: std::mem::take(&mut self.step_timings),
            requests: self.tap.take_requests(),
        });
        match self.fixture.take() {
            Some(fixture) if passed && !self.tap.wrote() => self.suite.pool.put(self.plan.key.clone(), fixture),
            _ => self.clean_up().await,
        }
    }
}
