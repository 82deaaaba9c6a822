//! What runs leave on a live target: the API keys, users, roles and collections whose names carry
//! a run tag (`todos_nc4k2x9a01`). The runner sweeps its own run's at the end; `nocobase-conformance
//! leftovers` finds those of any run (one cut short by Ctrl-C or a CI timeout) and can remove them.

use std::sync::LazyLock;
use std::time::Duration;

use regex::Regex;
use serde_json::{Value, json};

use crate::cli::LeftoversArgs;
use crate::client::{Credential, NocoClient};
use crate::config::parse_base_url;
use crate::error::{HarnessError, Result};
use crate::exchange::Exchange;
use crate::report::console::{say, warn};
use crate::secret::Secret;
use crate::targets::readiness;

/// A tagged name's tail: `_` and a scenario tag (`nc`, the run's 5 characters, the scenario's 3).
static TAGGED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"_nc[0-9a-z]{8}$").expect("valid tag pattern"));

/// Which runs' leftovers to look for.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// The run with this run tag (`nc4k2x9`).
    Run(&'a str),
    /// Any run of the suite.
    AnyRun,
}

impl Scope<'_> {
    /// What the server-side filter looks for in names (`$includes`); the pattern is checked here
    /// after. Never with `_`: NocoBase escapes it for SQL's LIKE without an ESCAPE clause, so on
    /// SQLite `{"$includes": "_nc"}` matches nothing.
    fn text(self) -> String {
        match self {
            Scope::Run(tag) => tag.to_owned(),
            Scope::AnyRun => "nc".to_owned(),
        }
    }

    fn matches(self, name: &str) -> bool {
        TAGGED.is_match(name)
            && match self {
                Scope::Run(tag) => name.rsplit_once('_').is_some_and(|(_, t)| t.starts_with(tag)),
                Scope::AnyRun => true,
            }
    }
}

/// What was left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Leftover {
    /// An API key of the signed-in account (`apiKeys:list` shows no one else's).
    ApiKey {
        /// Row id.
        id: i64,
        /// Tagged name.
        name: String,
    },
    /// A user.
    User {
        /// Row id.
        id: i64,
        /// Tagged username.
        username: String,
    },
    /// A role.
    Role(String),
    /// A collection (and its table).
    Collection(String),
}

impl std::fmt::Display for Leftover {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Leftover::ApiKey { name, .. } => write!(f, "API key {name}"),
            Leftover::User { username, .. } => write!(f, "user {username}"),
            Leftover::Role(name) => write!(f, "role {name}"),
            Leftover::Collection(name) => write!(f, "collection {name}"),
        }
    }
}

/// Everything in `scope` the admin can see, in the order it must be removed (keys before their
/// users, users before their roles, collections last).
pub async fn find(client: &NocoClient, admin: &Credential, scope: Scope<'_>) -> Result<Vec<Leftover>> {
    let filter = json!({"$includes": scope.text()});
    let mut found = Vec::new();
    let keys = client.api_keys_list(admin, &format!("filter={}&paginate=false", json!({"name": filter}))).await?;
    for row in rows(&keys, "apiKeys:list")? {
        if let (Some(id), Some(name)) = (row["id"].as_i64(), row["name"].as_str()) {
            found.push(Leftover::ApiKey { id, name: name.to_owned() });
        }
    }
    let users = client.users_list(admin, &json!({"username": filter})).await?;
    for row in rows(&users, "users:list")? {
        if let (Some(id), Some(username)) = (row["id"].as_i64(), row["username"].as_str()) {
            found.push(Leftover::User { id, username: username.to_owned() });
        }
    }
    let roles = client.roles_list(admin, &json!({"name": filter})).await?;
    for row in rows(&roles, "roles:list")? {
        if let Some(name) = row["name"].as_str() {
            found.push(Leftover::Role(name.to_owned()));
        }
    }
    let collections = client.collections_list(admin, &json!({"name": filter})).await?;
    for row in rows(&collections, "collections:list")? {
        if let Some(name) = row["name"].as_str() {
            found.push(Leftover::Collection(name.to_owned()));
        }
    }
    found.retain(|leftover| scope.matches(leftover.name()));
    Ok(found)
}

impl Leftover {
    /// The tagged name.
    pub fn name(&self) -> &str {
        match self {
            Leftover::ApiKey { name, .. } | Leftover::User { username: name, .. } => name,
            Leftover::Role(name) | Leftover::Collection(name) => name,
        }
    }

    /// Removes it with the admin's session.
    pub async fn remove(&self, client: &NocoClient, admin: &Credential) -> Result<()> {
        let exchange = match self {
            Leftover::ApiKey { id, .. } => client.api_keys_destroy(admin, *id).await?,
            Leftover::User { id, .. } => client.users_destroy(admin, *id).await?,
            Leftover::Role(name) => client.roles_destroy(admin, name).await?,
            Leftover::Collection(name) => client.collections_destroy(admin, name).await?,
        };
        removed(&exchange).map_err(|why| HarnessError::Scenario(format!("removing {self}: {why}")))
    }
}

/// Whether a destroy answer says something was removed: a 200 whose `data`, when it is a count,
/// is not 0.
pub fn removed(exchange: &Exchange) -> std::result::Result<(), String> {
    if exchange.status != 200 {
        let message = exchange.error().map(|(m, _)| format!(" {m}")).unwrap_or_default();
        return Err(format!("answered {}{message}", exchange.status));
    }
    if exchange.pointer("/data").and_then(Value::as_i64) == Some(0) {
        return Err("answered 200 but removed nothing (data: 0)".into());
    }
    Ok(())
}

fn rows(exchange: &Exchange, what: &str) -> Result<Vec<Value>> {
    match exchange.pointer("/data").and_then(Value::as_array) {
        Some(rows) if exchange.status == 200 => Ok(rows.clone()),
        _ => Err(HarnessError::Scenario(format!(
            "{what} answered {} without a list; cannot look for leftovers",
            exchange.status
        ))),
    }
}

/// `nocobase-conformance leftovers`: lists (and with `--remove` removes) the leftovers of any run;
/// returns the exit code.
pub async fn command(args: LeftoversArgs) -> u8 {
    match look(&args).await {
        Ok(code) => code,
        Err(error) => {
            warn(&format!("error: {error}"));
            2
        }
    }
}

async fn look(args: &LeftoversArgs) -> Result<u8> {
    let url = parse_base_url(&args.base_url)?;
    if args.timeout == 0 {
        return Err(HarnessError::Config("--timeout must be at least 1 second".into()));
    }
    let client = NocoClient::new(&url, Duration::from_secs(args.timeout))?;
    let password = args.password.clone().unwrap_or_else(|| Secret::new("admin123"));
    let (token, _) = readiness::sign_in(&client, &args.account, &password).await?;
    let admin = Credential::Bearer(token);
    let found = find(&client, &admin, Scope::AnyRun).await?;
    let mut left = 0;
    for leftover in &found {
        if !args.remove {
            say(&format!("left behind: {leftover}"));
            left += 1;
            continue;
        }
        match leftover.remove(&client, &admin).await {
            Ok(()) => say(&format!("removed: {leftover}")),
            Err(error) => {
                warn(&format!("could not remove {leftover}: {error}"));
                left += 1;
            }
        }
    }
    let _ = client.auth_sign_out(&admin).await;
    say(&match (found.len(), left) {
        (0, _) => format!("Nothing of the suite is left at {url}."),
        (_, 0) => format!("Removed {} leftover(s) at {url}.", found.len()),
        (_, n) if args.remove => format!("{n} of {} leftover(s) could not be removed at {url}.", found.len()),
        (_, n) => format!("{n} leftover(s) at {url}; remove them with --remove."),
    });
    Ok(u8::from(left > 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_ending_in_a_scenario_tag_are_leftovers() {
        assert!(Scope::AnyRun.matches("todos_nc4k2x9a01"));
        assert!(Scope::AnyRun.matches("todos_api_user_nc4k2x9a01"));
        assert!(!Scope::AnyRun.matches("todos_nc4k2x9a0"), "too short");
        assert!(!Scope::AnyRun.matches("my_ncollection_of_things"), "a user's own collection");
        assert!(!Scope::AnyRun.matches("todos_nc4k2x9a01_copy"), "the tag must end the name");
    }

    #[test]
    fn a_run_scope_matches_its_own_run_only() {
        assert!(Scope::Run("nc4k2x9").matches("todos_nc4k2x9a01"));
        assert!(!Scope::Run("nc4k2x9").matches("todos_ncaaaaaa01"));
    }
}
