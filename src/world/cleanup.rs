//! What a scenario removes when it ends, passed or failed: the records it wrote with a key, its
//! API keys, the roles it gave, its users (signed out first), roles and collections, in that
//! order, and the administrator's own session (never the run's). What cannot be removed is
//! reported to the run.

use serde_json::Value;

use super::TutorialWorld;
use crate::client::Credential;
use crate::error::Result;
use crate::exchange::Exchange;
use crate::secret::Secret;

/// Everything the scenario created, removed when it ends.
#[derive(Debug, Default, Clone)]
pub(crate) struct Created {
    pub(super) collections: Vec<String>,
    pub(super) roles: Vec<String>,
    pub(super) users: Vec<i64>,
    /// (role, user id) assignments made to users the scenario did not create.
    pub(super) assignments: Vec<(String, i64)>,
    /// Records written with an API key: (collection, id, key), deleted with that key.
    pub(super) key_records: Vec<(String, Value, Credential)>,
    /// The token policy as it was before the scenario changed it, put back first.
    pub(super) token_policy: Option<Value>,
}

impl TutorialWorld {
    /// Removes everything the scenario created, in dependency order, and signs its sessions out;
    /// problems are reported to the suite (and make the run fail, since they are leftovers).
    pub async fn clean_up(&mut self) {
        let problems = self.remove_created().await;
        self.report_cleanup(problems);
    }

    pub(super) fn report_cleanup(&self, problems: Vec<String>) {
        for problem in problems {
            self.suite.record_cleanup_problem(format!("{}: {problem}", self.scenario_name));
        }
    }

    /// What [`Self::clean_up`] removes; the problems it met.
    async fn remove_created(&mut self) -> Vec<String> {
        let run_session = self.admin.as_ref().map(Secret::expose) == self.suite.admin_session().map(Secret::expose);
        self.remove_created_signing_out(!run_session).await
    }

    /// Removes what the world holds; signs the administrator's session out when `sign_out_admin`.
    pub(super) async fn remove_created_signing_out(&mut self, sign_out_admin: bool) -> Vec<String> {
        if self.suite.config.keep {
            return Vec::new();
        }
        let client = self.suite.client.clone();
        let mut problems = Vec::new();
        for (collection, id, key) in std::mem::take(&mut self.created.key_records) {
            let id = value_text(&id);
            check_cleanup(client.records_destroy(&key, &collection, &id).await, &format!("record {id}"), &mut problems);
        }
        let Ok(admin) = self.admin() else { return problems };
        if let Some(config) = self.created.token_policy.take() {
            let restored = client.token_policy_update(&admin, config).await;
            match restored {
                Ok(exchange) if exchange.status == 200 => {}
                Ok(exchange) => problems.push(format!("putting the token policy back: answered {}", exchange.status)),
                Err(error) => problems.push(format!("putting the token policy back failed: {error}")),
            }
        }
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
        if sign_out_admin {
            let signed_out = client.auth_sign_out(&admin).await;
            check_cleanup(signed_out, "the administrator's session (signing out)", &mut problems);
        }
        self.admin = None;
        problems
    }
}

/// A record id as it goes into a URL: a string as is, a number as digits.
pub(super) fn value_text(id: &Value) -> String {
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
