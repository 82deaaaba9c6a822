//! The world of one scenario: its unique tag and the tagged names it gives what it creates, the
//! sessions and keys it holds, the last exchange, the normaliser that knows its ids, and the list
//! of what to remove when it ends (passed or failed).
//!
//! Beside it: the run every scenario belongs to ([`suite`]), what a scenario removes when it ends
//! ([`cleanup`]) and the check of its answers against the target's OpenAPI document
//! ([`validation`]); the set-up scenarios share where sharing cannot change a result
//! ([`shared`]).

mod cleanup;
pub mod shared;
pub mod suite;
pub mod timing;
mod validation;

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Instant;

use cucumber::Parameter;
use serde_json::{Value, json};

use self::cleanup::Created;
use self::shared::{Fixture, Plan};
use self::suite::Suite;
use self::timing::StepTiming;
use crate::check::normalize::{IdKind, Normalizer};
use crate::client::{Credential, NocoClient, Tap};
use crate::error::{HarnessError, Result};
use crate::exchange::Exchange;
use crate::secret::Secret;

/// A user the scenario created, by its logical username.
#[derive(Debug, Clone)]
pub struct UserInfo {
    /// Id on the target.
    pub id: i64,
    /// Tagged username.
    pub username: String,
    /// Generated password.
    pub password: Secret,
    /// Session token, once signed in.
    pub session: Option<Secret>,
}

/// An API key the scenario created.
#[derive(Debug, Clone)]
pub struct KeyInfo {
    /// The token.
    pub token: Secret,
    /// Who created it: `None` for the administrator, else a logical username.
    pub owner: Option<String>,
    /// The `apiKeys` row id, once known (cleanup looks a key without one up by its name).
    pub id: Option<i64>,
    /// Not for cleanup to remove: revoked by the scenario itself, or the user's own key (key-only
    /// mode).
    pub keep: bool,
}

/// Who makes a call: `the administrator`, `the API key`, `the key "admin key"`,
/// `the user "todos_api_user"`.
#[derive(Debug, Clone, PartialEq, Eq, Parameter)]
#[param(name = "caller", regex = r#"the administrator|the API key|the key "[^"]+"|the user "[^"]+""#)]
pub enum Caller {
    /// The signed-in administrator (session token).
    Administrator,
    /// The scenario's main API key.
    MainKey,
    /// A named API key.
    Key(String),
    /// A created user's session.
    User(String),
}

impl FromStr for Caller {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        let quoted = |prefix: &str| s.strip_prefix(prefix).and_then(|r| r.strip_suffix('"')).map(str::to_owned);
        match s {
            "the administrator" => Ok(Caller::Administrator),
            "the API key" => Ok(Caller::MainKey),
            _ => quoted("the key \"")
                .map(Caller::Key)
                .or_else(|| quoted("the user \"").map(Caller::User))
                .ok_or_else(|| format!("unknown caller {s:?}")),
        }
    }
}

/// How the scenario's failed step failed, for the run's results (cucumber keeps only the message).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepFailure {
    /// The suite could not run the step (rather than: the target did not conform).
    pub runtime: bool,
    /// It may pass on another try ([`HarnessError::is_transient`]).
    pub transient: bool,
}

/// The state of one scenario.
#[derive(Debug, cucumber::World)]
#[world(init = Self::new)]
pub struct TutorialWorld {
    /// The run.
    pub suite: Arc<Suite>,
    /// Unique to this scenario; part of every name it creates.
    pub tag: String,
    /// Normalisation rules (tag, known ids).
    pub normalizer: Normalizer,
    /// The administrator's session.
    pub admin: Option<Secret>,
    /// Users created, by logical username.
    pub users: BTreeMap<String, UserInfo>,
    /// API keys created, by logical name.
    pub keys: BTreeMap<String, KeyInfo>,
    /// Record ids, by title.
    pub records: BTreeMap<String, Value>,
    /// The last exchange.
    pub last: Option<Exchange>,
    /// What the To-Dos page showed when the scenario last opened it.
    pub page: Option<crate::browser::RenderedPage>,
    /// The last token a response issued.
    pub last_token: Option<Secret>,
    /// `<feature>__<scenario>` prefix of snapshot names.
    pub snapshot_prefix: String,
    /// Scenario name, for snapshot descriptions.
    pub scenario_name: String,
    /// How its failed step failed, if one did.
    pub failure: Option<StepFailure>,
    created: Created,
    /// The scenario's own client: the run's, with a tap on what it sends.
    client: NocoClient,
    tap: Arc<Tap>,
    /// Its steps, and how many of them are set-up.
    plan: Plan,
    /// Steps begun so far.
    steps_begun: usize,
    /// The first steps a shared fixture already did.
    skip_steps: usize,
    /// The set-up it took over, or built: given back to the pool if the scenario only reads.
    fixture: Option<Fixture>,
    /// The same at the end of the Background, when the set-up goes on after it.
    background_fixture: Option<Fixture>,
    /// When it began, and how long each step took.
    began: Instant,
    step_timings: Vec<StepTiming>,
}

impl TutorialWorld {
    async fn new() -> Result<Self> {
        let suite = Suite::current().ok_or_else(|| HarnessError::Scenario("no suite is running".into()))?;
        Self::on(suite)
    }

    /// A fresh world in `suite`'s run.
    fn on(suite: Arc<Suite>) -> Result<Self> {
        let tag = suite.next_scenario_tag();
        let mut normalizer = Normalizer::new();
        normalizer.strip_tag(&tag);
        normalizer.created_rows_whole(suite.dialect.as_deref() == Some("postgres"));
        normalizer.api_path(suite.client.base().path());
        if let Ok(admin) = suite.admin_id() {
            normalizer.know(IdKind::User, &json!(admin), "admin");
        }
        let tap = Arc::new(Tap::default());
        Ok(Self {
            client: suite.client.tapped(Arc::clone(&tap)),
            tap,
            plan: Plan::default(),
            steps_begun: 0,
            skip_steps: 0,
            fixture: None,
            background_fixture: None,
            began: Instant::now(),
            step_timings: Vec::new(),
            suite,
            tag,
            normalizer,
            admin: None,
            users: BTreeMap::new(),
            keys: BTreeMap::new(),
            records: BTreeMap::new(),
            last: None,
            page: None,
            last_token: None,
            snapshot_prefix: String::new(),
            scenario_name: String::new(),
            failure: None,
            created: Created::default(),
        })
    }

    /// Removes a fixture no scenario took (at the end of the run).
    pub async fn remove_fixture(suite: Arc<Suite>, fixture: Fixture) {
        let mut world = match Self::on(suite) {
            Ok(world) => world,
            Err(_) => return,
        };
        world.scenario_name = format!("the shared set-up of \"{}\"", fixture.built_by);
        world.restore(&fixture);
        world.clean_up().await;
    }

    /// The scenario's client.
    pub fn client(&self) -> &NocoClient {
        &self.client
    }

    /// A name the scenario creates: the logical name plus the tag (`todos` → `todos_nc…`).
    pub fn tagged(&self, name: &str) -> String {
        format!("{name}_{}", self.tag)
    }

    /// A title made unique with the tag (`To Dos API Role` → `To Dos API Role nc…`).
    pub fn tagged_title(&self, title: &str) -> String {
        format!("{title} {}", self.tag)
    }

    /// An email made unique with the tag (`a@example.com` → `a-nc…@example.com`).
    pub fn tagged_email(&self, email: &str) -> String {
        match email.split_once('@') {
            Some((local, domain)) => format!("{local}-{}@{domain}", self.tag),
            None => format!("{email}-{}", self.tag),
        }
    }

    /// The administrator's session credential.
    pub fn admin(&self) -> Result<Credential> {
        self.admin.clone().map(Credential::Bearer).ok_or_else(|| {
            HarnessError::Scenario(
                "the administrator is not signed in (add \"Given the administrator is signed in\")".into(),
            )
        })
    }

    /// A created user's session credential.
    pub fn user_session(&self, username: &str) -> Result<Credential> {
        self.users
            .get(username)
            .and_then(|u| u.session.clone())
            .map(Credential::Bearer)
            .ok_or_else(|| HarnessError::Scenario(format!("the user \"{username}\" has not signed in")))
    }

    /// A created key's credential.
    pub fn key(&self, name: &str) -> Result<Credential> {
        self.keys
            .get(name)
            .map(|k| Credential::Bearer(k.token.clone()))
            .ok_or_else(|| HarnessError::Scenario(format!("there is no API key \"{name}\" in this scenario")))
    }

    /// The scenario's main key: the only one, or the one called `todos`.
    pub fn main_key(&self) -> Result<Credential> {
        if let Some(key) = self.keys.get("todos") {
            return Ok(Credential::Bearer(key.token.clone()));
        }
        match self.keys.values().next() {
            Some(key) if self.keys.len() == 1 => Ok(Credential::Bearer(key.token.clone())),
            _ => Err(HarnessError::Scenario("which API key? none is called \"todos\"".into())),
        }
    }

    /// The scenario's collection, by its real (tagged) name: the one it created last (a feature
    /// of a user's own names its own), else the tutorial's `todos`. The steps about records work
    /// on it.
    pub fn collection(&self) -> String {
        self.created.collections.last().cloned().unwrap_or_else(|| self.tagged("todos"))
    }

    /// The scenario's collection as the feature names it (`todos`, `projects`).
    pub fn collection_name(&self) -> String {
        let real = self.collection();
        real.strip_suffix(&format!("_{}", self.tag)).map(str::to_owned).unwrap_or(real)
    }

    /// The key-only scenarios' key and the real name of its collection.
    pub fn lone_key(&self) -> Result<(Credential, String)> {
        let key = self.keys.get("lone").ok_or_else(|| HarnessError::Scenario("no key for this scenario".into()))?;
        let collection = match &self.suite.config.key_only {
            Some(key_only) => key_only.collection.clone(),
            None => self.collection(),
        };
        Ok((Credential::Bearer(key.token.clone()), collection))
    }

    /// The credential a caller uses.
    pub fn credential(&self, caller: &Caller) -> Result<Credential> {
        match caller {
            Caller::Administrator => self.admin(),
            Caller::MainKey => self.main_key(),
            Caller::Key(name) => self.key(name),
            Caller::User(name) => self.user_session(name),
        }
    }

    /// Runs one step's body: every step definition goes through here. A failure's kind is kept in
    /// [`Self::failure`] for the run's results (cucumber turns an `Err` into a panic message and
    /// loses the kind: "did not conform" and "could not run" end in different exit codes, and
    /// only a transient failure is retried).
    ///
    /// The opening steps that a shared fixture already did are not run again ([`shared`]); the
    /// end of the set-up is where this scenario's own state becomes a fixture.
    pub async fn step(&mut self, body: impl AsyncFnOnce(&mut Self) -> Result<()>) -> Result<()> {
        let index = self.steps_begun;
        self.steps_begun += 1;
        if index < self.skip_steps {
            self.step_timings.push(StepTiming {
                index,
                text: String::new(),
                took: std::time::Duration::ZERO,
                shared: true,
            });
            return Ok(());
        }
        let started = Instant::now();
        let result = body(self).await;
        self.step_timings.push(StepTiming { index, text: String::new(), took: started.elapsed(), shared: false });
        match &result {
            Err(error) => {
                self.failure = Some(StepFailure { runtime: error.is_runtime(), transient: error.is_transient() });
            }
            Ok(()) => self.step_done(index),
        }
        result
    }

    /// The id of the record with this title.
    pub fn record_id(&self, title: &str) -> Result<String> {
        match self.records.get(title) {
            Some(Value::Number(n)) => Ok(n.to_string()),
            Some(Value::String(s)) => Ok(s.clone()),
            _ => Err(HarnessError::Scenario(format!("no to-do \"{title}\" was created in this scenario"))),
        }
    }

    /// Keeps the exchange as the scenario's last one.
    pub fn remember(&mut self, exchange: Exchange) -> &Exchange {
        self.last.insert(exchange)
    }

    /// Keeps the exchange as the last one, after checking it against the target's OpenAPI document
    /// when it is a collection action on one of the scenario's collections. A body that breaks the
    /// document (other than by a known defect of NocoBase's document) fails the step.
    pub async fn observe(&mut self, exchange: Exchange) -> Result<()> {
        let outcome = self.validate(&exchange).await;
        self.remember(exchange);
        outcome
    }

    /// The last exchange.
    pub fn last(&self) -> Result<&Exchange> {
        self.last.as_ref().ok_or_else(|| HarnessError::Scenario("no request was made yet".into()))
    }

    /// Names a record id for snapshots.
    pub fn know_record(&mut self, title: &str, id: &Value) {
        self.records.insert(title.to_owned(), id.clone());
        self.normalizer.know(IdKind::Record, id, title);
    }

    /// Remembers a collection to remove at the end.
    pub fn created_collection(&mut self, name: String) {
        self.created.collections.push(name);
    }

    /// Remembers a role to remove at the end.
    pub fn created_role(&mut self, name: String) {
        self.created.roles.push(name);
    }

    /// Whether the scenario created this (tagged) role.
    pub fn has_created_role(&self, name: &str) -> bool {
        self.created.roles.iter().any(|r| r == name)
    }

    /// Remembers a user to remove at the end.
    pub fn created_user(&mut self, logical: &str, info: UserInfo) {
        self.normalizer.know(IdKind::User, &json!(info.id), logical);
        self.created.users.push(info.id);
        self.users.insert(logical.to_owned(), info);
    }

    /// Forgets a user the scenario removed itself: its session died with it, and its keys (whose
    /// rows NocoBase keeps, listed to nobody) can no longer be removed by their owner.
    pub fn removed_user(&mut self, logical: &str) {
        if let Some(user) = self.users.remove(logical) {
            self.created.users.retain(|id| *id != user.id);
        }
        for key in self.keys.values_mut().filter(|k| k.owner.as_deref() == Some(logical)) {
            key.keep = true;
        }
    }

    /// Remembers a record written with an API key, to delete with that key at the end.
    pub fn created_with_key(&mut self, collection: String, id: Value, key: Credential) {
        self.created.key_records.push((collection, id, key));
    }

    /// Forgets a record written with an API key that the scenario deleted itself.
    pub fn destroyed_with_key(&mut self, collection: &str, id: &str) {
        self.created.key_records.retain(|(c, i, _)| !(c == collection && cleanup::value_text(i) == id));
    }

    /// Remembers the token policy as it was, to put back at the end (first of all, so that the
    /// rest of the cleanup runs under it).
    pub fn changed_token_policy(&mut self, before: Value) {
        self.created.token_policy.get_or_insert(before);
    }

    /// Remembers a role given to a user the scenario did not create.
    pub fn assigned_role(&mut self, role: String, user_id: i64) {
        self.created.assignments.push((role, user_id));
    }

    /// The row id of the key with this logical name, as its owner's `apiKeys:list` shows it.
    pub async fn key_id(&self, owner: &Credential, name: &str) -> Result<Option<i64>> {
        let filter = json!({"name": self.tagged(name)});
        let exchange = self.client().api_keys_list(owner, &format!("filter={filter}")).await?;
        Ok(exchange.pointer("/data/0/id").and_then(Value::as_i64))
    }
}
