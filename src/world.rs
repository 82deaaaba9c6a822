//! The world of one scenario: its unique tag and the tagged names it gives what it creates, the
//! sessions and keys it holds, the last exchange, the normaliser that knows its ids, and the list
//! of what to remove when it ends (passed or failed).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Value, json};

use crate::client::{Credential, Exchange, NocoClient};
use crate::error::{HarnessError, Result};
use crate::normalize::{IdKind, Normalizer};
use crate::secret::Secret;
use crate::suite::Suite;

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

/// Everything the scenario created, removed when it ends.
#[derive(Debug, Default)]
struct Created {
    collections: Vec<String>,
    roles: Vec<String>,
    users: Vec<i64>,
    /// (role, user id) assignments made to users the scenario did not create.
    assignments: Vec<(String, i64)>,
    /// Records written with an API key: (collection, id, key), deleted with that key.
    key_records: Vec<(String, Value, Credential)>,
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
    /// OpenAPI documents of the scenario's collections (`None`: not served).
    docs: BTreeMap<String, Option<crate::openapi::Document>>,
    /// What the To-Dos page showed when the scenario last opened it.
    pub page: Option<crate::browser::RenderedPage>,
    /// The last token a response issued.
    pub last_token: Option<Secret>,
    /// `<feature>__<scenario>` prefix of snapshot names.
    pub snapshot_prefix: String,
    /// Scenario name, for snapshot descriptions.
    pub scenario_name: String,
    created: Created,
}

impl TutorialWorld {
    async fn new() -> Result<Self> {
        let suite = Suite::current().ok_or_else(|| HarnessError::Scenario("no suite is running".into()))?;
        let tag = suite.next_scenario_tag();
        let mut normalizer = Normalizer::new();
        normalizer.strip_tag(&tag);
        if let Ok(admin) = suite.admin_id() {
            normalizer.know(IdKind::User, &json!(admin), "admin");
        }
        Ok(Self {
            suite,
            tag,
            normalizer,
            admin: None,
            users: BTreeMap::new(),
            keys: BTreeMap::new(),
            records: BTreeMap::new(),
            last: None,
            docs: BTreeMap::new(),
            page: None,
            last_token: None,
            snapshot_prefix: String::new(),
            scenario_name: String::new(),
            created: Created::default(),
        })
    }

    /// The client.
    pub fn client(&self) -> &NocoClient {
        &self.suite.client
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

    /// Checks the exchange against the target's OpenAPI document (see [`Self::observe`]) without
    /// keeping it: for the set-up steps' own collection actions.
    pub async fn validate(&mut self, exchange: &Exchange) -> Result<()> {
        use crate::openapi::{Document, Verdict, action_path};
        if !self.suite.config.validate_openapi {
            return Ok(());
        }
        let Some(body) = exchange.body.json() else { return Ok(()) };
        let Some(action) = action_path(&exchange.path, &exchange.method) else { return Ok(()) };
        let collection = action.trim_start_matches('/').split(':').next().unwrap_or_default().to_owned();
        let ours = collection == self.tagged("todos")
            || self.suite.config.key_only.as_ref().is_some_and(|k| k.collection == collection);
        if !ours {
            return Ok(());
        }
        if !self.docs.contains_key(&collection) {
            let credential = self.admin().or_else(|_| self.main_key()).or_else(|_| self.key("lone"));
            let doc = match credential {
                Ok(credential) => {
                    let fetched =
                        self.suite.client.swagger_get(&credential, &format!("collections/{collection}")).await?;
                    match (fetched.status, fetched.body.json()) {
                        (200, Some(doc)) => Document::new(doc.clone()),
                        (status, _) => {
                            let logical = self.normalizer.text(&collection);
                            self.suite.openapi(|t| {
                                t.unavailable.insert(logical, format!("swagger:get answered {status}"));
                            });
                            None
                        }
                    }
                }
                Err(_) => None,
            };
            self.docs.insert(collection.clone(), doc);
        }
        let Some(Some(doc)) = self.docs.get_mut(&collection) else { return Ok(()) };
        let template = self.normalizer.text(&action);
        match doc.check(&exchange.method, &action, exchange.status, body) {
            Verdict::NotCovered | Verdict::NoSchema => Ok(()),
            Verdict::Undocumented(what) => {
                let what = self.normalizer.text(&what);
                self.suite.openapi(|t| *t.undocumented.entry(what).or_insert(0) += 1);
                Ok(())
            }
            Verdict::Checked(violations) => {
                let (known, unknown): (Vec<_>, Vec<_>) = violations.into_iter().partition(|v| v.known_defect.is_some());
                self.suite.openapi(|t| {
                    t.validated += 1;
                    for v in &known {
                        if let Some(defect) = v.known_defect {
                            *t.known_defects.entry(defect).or_insert(0) += 1;
                        }
                    }
                });
                if unknown.is_empty() {
                    return Ok(());
                }
                let mut mismatch = crate::mismatch::Mismatch::new(
                    format!("the response to {} {template} against the target's OpenAPI document", exchange.method),
                    "a body its document describes",
                    format!("{} violation(s)", unknown.len()),
                    Some(exchange),
                );
                mismatch.diff = unknown
                    .iter()
                    .map(|v| {
                        format!(
                            "body {}: {} (document {})",
                            v.instance_path,
                            v.message,
                            self.normalizer.text(&v.schema_path)
                        )
                    })
                    .collect();
                Err(HarnessError::mismatch(mismatch))
            }
        }
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

    /// Remembers a record written with an API key, to delete with that key at the end.
    pub fn created_with_key(&mut self, collection: String, id: Value, key: Credential) {
        self.created.key_records.push((collection, id, key));
    }

    /// Forgets a record written with an API key that the scenario deleted itself.
    pub fn destroyed_with_key(&mut self, collection: &str, id: &str) {
        self.created.key_records.retain(|(c, i, _)| !(c == collection && value_text(i) == id));
    }

    /// Remembers a role given to a user the scenario did not create.
    pub fn assigned_role(&mut self, role: String, user_id: i64) {
        self.created.assignments.push((role, user_id));
    }

    /// Removes everything the scenario created, in dependency order, and signs its sessions out;
    /// problems are reported to the suite (and make the run fail, since they are leftovers).
    pub async fn clean_up(&mut self) {
        if self.suite.config.keep {
            return;
        }
        let client = self.suite.client.clone();
        let mut problems = Vec::new();
        for (collection, id, key) in std::mem::take(&mut self.created.key_records) {
            let id = value_text(&id);
            check_cleanup(client.records_destroy(&key, &collection, &id).await, &format!("record {id}"), &mut problems);
        }
        let Ok(admin) = self.admin() else {
            for problem in problems {
                self.suite.record_cleanup_problem(format!("{}: {problem}", self.scenario_name));
            }
            return;
        };
        for (name, key) in std::mem::take(&mut self.keys) {
            if key.keep {
                continue;
            }
            let owner = match &key.owner {
                None => Some(admin.clone()),
                Some(user) => self.users.get(user).and_then(|u| u.session.clone()).map(Credential::Bearer),
            };
            let Some(owner) = owner else {
                problems.push(format!("API key \"{name}\": its owner is not signed in"));
                continue;
            };
            let id = match key.id {
                Some(id) => Some(id),
                None => self.key_id(&owner, &name).await.unwrap_or(None),
            };
            let Some(id) = id else {
                problems.push(format!("API key \"{name}\": not found in its owner's apiKeys:list"));
                continue;
            };
            check_cleanup(client.api_keys_destroy(&owner, id).await, &format!("API key {name}"), &mut problems);
        }
        for (role, user) in std::mem::take(&mut self.created.assignments) {
            check_cleanup(
                client.role_users_remove(&admin, &role, &[user]).await,
                &format!("role {role} of user {user}"),
                &mut problems,
            );
        }
        for (name, user) in std::mem::take(&mut self.users) {
            if let Some(session) = user.session {
                check_cleanup(
                    client.auth_sign_out(&Credential::Bearer(session)).await,
                    &format!("the session of user {name} (signing out)"),
                    &mut problems,
                );
            }
        }
        for id in std::mem::take(&mut self.created.users) {
            check_cleanup(client.users_destroy(&admin, id).await, &format!("user {id}"), &mut problems);
        }
        for role in std::mem::take(&mut self.created.roles) {
            check_cleanup(client.roles_destroy(&admin, &role).await, &format!("role {role}"), &mut problems);
        }
        for collection in std::mem::take(&mut self.created.collections) {
            check_cleanup(
                client.collections_destroy(&admin, &collection).await,
                &format!("collection {collection}"),
                &mut problems,
            );
        }
        check_cleanup(client.auth_sign_out(&admin).await, "the administrator's session (signing out)", &mut problems);
        self.admin = None;
        for problem in problems {
            self.suite.record_cleanup_problem(format!("{}: {problem}", self.scenario_name));
        }
    }

    /// The row id of the key with this logical name, as its owner's `apiKeys:list` shows it.
    pub async fn key_id(&self, owner: &Credential, name: &str) -> Result<Option<i64>> {
        let filter = json!({"name": self.tagged(name)});
        let exchange = self.client().api_keys_list(owner, &format!("filter={filter}")).await?;
        Ok(exchange.pointer("/data/0/id").and_then(Value::as_i64))
    }
}

/// A record id as it goes into a URL: a string as is, a number as digits.
fn value_text(id: &Value) -> String {
    match id {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn check_cleanup(result: Result<Exchange>, what: &str, problems: &mut Vec<String>) {
    match result.map(|exchange| crate::leftovers::removed(&exchange)) {
        Ok(Ok(())) => {}
        Ok(Err(why)) => problems.push(format!("removing {what}: {why}")),
        Err(error) => problems.push(format!("removing {what} failed: {error}")),
    }
}
