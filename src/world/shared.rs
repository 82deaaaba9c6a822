//! Set-up shared between scenarios where sharing cannot change a result.
//!
//! A scenario's *set-up* is its feature's Background and the `Given` steps that open the
//! scenario. Scenarios with the same set-up (the same steps, word for word) would build the same
//! state on the target: the first builds it; when it passes having changed nothing that was
//! there (its client only read, or only added new roles, users, keys, collections or sessions,
//! which it then removes; see [`crate::client::Tap`]), its state as it stood when the set-up was
//! complete — a [`Fixture`] — goes back to the run's [`Pool`] instead of being removed. The next
//! scenario with that set-up takes it out (a fixture is used by one scenario at a time, so
//! concurrency changes nothing) and skips its set-up steps. A scenario that changes anything
//! else (updates, deletes, assigns a role), fails, or cannot remove what it added removes
//! everything as before, the fixture included. What is left in the pool is removed when the run
//! ends, before the sweep for leftovers.
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
use crate::client::Since;
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
    /// The Background's steps alone, as one text: a set-up other scenarios of the feature share
    /// even when their opening `Given` steps differ.
    pub background_key: String,
    /// How many steps the Background is.
    pub background_steps: usize,
    /// Every step's text, Background first.
    pub texts: Vec<String>,
}

impl Plan {
    /// The set-up of `scenario`: the feature's and the rule's Background, then the scenario's
    /// opening `Given` steps.
    pub fn of(feature: &gherkin::Feature, rule: Option<&gherkin::Rule>, scenario: &gherkin::Scenario) -> Self {
        let background: Vec<&gherkin::Step> =
            feature.background.iter().chain(rule.and_then(|r| r.background.as_ref())).flat_map(|b| &b.steps).collect();
        let opening = scenario.steps.iter().take_while(|s| s.ty == StepType::Given);
        let setup: Vec<&gherkin::Step> = background.iter().copied().chain(opening).collect();
        let key_of = |steps: &[&gherkin::Step]| steps.iter().map(|s| describe(s)).collect::<Vec<_>>().join("\n");
        let texts = background.iter().copied().chain(&scenario.steps).map(|s| s.value.clone()).collect();
        Self {
            key: key_of(&setup),
            setup_steps: setup.len(),
            background_key: key_of(&background),
            background_steps: background.len(),
            texts,
        }
    }

    /// Whether the Background is a set-up of its own, shorter than the whole.
    pub fn background_apart(&self) -> bool {
        self.background_steps > 0 && self.background_steps < self.setup_steps
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
        } else if self.plan.background_apart()
            && let Some(fixture) = self.suite.pool.take(&self.plan.background_key)
        {
            self.restore(&fixture);
            self.skip_steps = self.plan.background_steps;
            self.background_fixture = Some(fixture);
        }
    }

    /// After a step: at the end of the Background (when it is shorter than the set-up) and at
    /// the end of the set-up, the scenario's state becomes a fixture, and writes are counted
    /// from there.
    pub(super) fn step_done(&mut self, index: usize) {
        if !self.sharing() {
            return;
        }
        if index + 1 == self.plan.background_steps && self.plan.background_apart() {
            self.background_fixture = Some(self.fixture());
            self.tap.start(Since::Background);
        }
        if index + 1 == self.plan.setup_steps {
            self.fixture = Some(self.fixture());
            self.tap.start(Since::SetUp);
        }
    }

    /// After the scenario's last step: its timings to the run; a fixture back to the pool if it
    /// passed having changed nothing that was there (what it added removed first), else
    /// everything it holds removed.
    pub async fn finish(&mut self, passed: bool) {
        let took = self.began.elapsed();
        let requests = self.tap.take_requests();
        let cleaning = std::time::Instant::now();
        // The Background's fixture is the one most scenarios can use: given back whenever
        // everything since the Background was an addition; else the whole set-up's.
        let background =
            self.background_fixture.take().map(|f| (f, Since::Background, self.plan.background_key.clone()));
        let setup = self.fixture.take().map(|f| (f, Since::SetUp, self.plan.key.clone()));
        let candidate =
            [background, setup].into_iter().flatten().find(|(_, since, _)| passed && !self.tap.changed(*since));
        let gave_back = match candidate {
            Some((fixture, since, key)) => {
                let restored = !self.tap.wrote(since) || self.clean_up_since(&fixture).await;
                if restored {
                    self.suite.pool.put(key, fixture);
                } else {
                    self.restore(&fixture);
                    self.clean_up().await;
                }
                restored
            }
            None => {
                self.clean_up().await;
                false
            }
        };
        let mut steps = std::mem::take(&mut self.step_timings);
        for step in &mut steps {
            step.text = self.plan.texts.get(step.index).cloned().unwrap_or_default();
        }
        self.suite.record_timing(ScenarioTiming {
            feature: self.snapshot_prefix.split("__").next().unwrap_or_default().to_owned(),
            scenario: self.scenario_name.clone(),
            took,
            cleanup: cleaning.elapsed(),
            setup_steps: self.plan.setup_steps,
            setup_shared: self.skip_steps > 0,
            gave_back,
            steps,
            requests,
        });
    }

    /// Removes only what the scenario added to a fixture it took over or built (keys, users,
    /// roles, collections, sessions it made after the set-up), so that the fixture is as it was.
    /// False when something could not be removed (reported), and the fixture must go too.
    pub(super) async fn clean_up_since(&mut self, fixture: &Fixture) -> bool {
        self.created.collections.retain(|c| !fixture.created.collections.contains(c));
        self.created.roles.retain(|r| !fixture.created.roles.contains(r));
        self.created.users.retain(|u| !fixture.created.users.contains(u));
        self.created.assignments.retain(|a| !fixture.created.assignments.contains(a));
        self.created
            .key_records
            .retain(|(c, id, _)| !fixture.created.key_records.iter().any(|(fc, fid, _)| fc == c && fid == id));
        self.keys.retain(|name, _| !fixture.keys.contains_key(name));
        self.users.retain(|name, _| !fixture.users.contains_key(name));
        let own_admin_session = self.admin.as_ref().map(Secret::expose) != fixture.admin.as_ref().map(Secret::expose);
        let problems = self.remove_created_signing_out(own_admin_session).await;
        let clean = problems.is_empty();
        self.report_cleanup(problems);
        clean
    }
}
