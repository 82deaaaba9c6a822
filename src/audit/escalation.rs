//! Whether an API key reaches beyond its role: the audit issues a key for a role of its own (no
//! permissions), and with it tries to create an API key, a user and a role, each plainly and with
//! `X-Role: root`. Every one must be refused. Everything the audit makes carries a run tag
//! (`audit_nc…`), so `leftovers` finds it if the audit is cut short, and is removed afterwards —
//! also whatever a refused-but-not-really request created.

use rand::RngExt as _;
use reqwest::Method;
use serde_json::{Value, json};

use super::{Finding, Outcome};
use crate::client::{ApiRequest, Credential, NocoClient};
use crate::error::{HarnessError, Result};
use crate::exchange::Exchange;
use crate::secret::Secret;

const ID: &str = "api-key-escalation";

/// What the audit made, to remove at the end.
#[derive(Default)]
struct Made {
    role: Option<String>,
    assigned_to: Option<i64>,
    keys: Vec<i64>,
    users: Vec<i64>,
    roles: Vec<String>,
}

/// A run tag as the suite makes them: `nc` and eight base-36 characters.
fn tag() -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut rng = rand::rng();
    let tail: String = (0..8).map(|_| DIGITS[rng.random_range(0..DIGITS.len())] as char).collect();
    format!("nc{tail}")
}

/// Tries the escalations with a key of a role of the audit's own; `admin` makes and removes it.
pub(super) async fn key_cannot_escalate(client: &NocoClient, admin: &Credential, admin_id: i64) -> Result<Outcome> {
    let mut made = Made::default();
    let outcome = attempt(client, admin, admin_id, &mut made).await;
    let removal = remove(client, admin, &made).await;
    match (outcome, removal) {
        (Ok(outcome), Ok(())) => Ok(outcome),
        (Ok(_), Err(problem)) => {
            Err(HarnessError::Scenario(format!("the audit could not remove what it made: {problem}")))
        }
        (Err(error), _) => Err(error),
    }
}

async fn attempt(client: &NocoClient, admin: &Credential, admin_id: i64, made: &mut Made) -> Result<Outcome> {
    let tag = tag();
    let role = format!("audit_{tag}");
    let created = client.roles_create(admin, json!({"name": role, "title": format!("Audit Role {tag}")})).await?;
    if created.status != 200 {
        return Ok(Outcome::NotChecked(ID, format!("roles:create answered {} to the admin", created.status)));
    }
    made.role = Some(role.clone());
    let assigned = client.role_users_add(admin, &role, &[admin_id]).await?;
    if assigned.status != 200 {
        return Ok(Outcome::NotChecked(ID, format!("roles/…/users:add answered {}", assigned.status)));
    }
    made.assigned_to = Some(admin_id);
    let issued = client
        .api_keys_create(admin, json!({"name": format!("audit_{tag}"), "role": {"name": role}, "expiresIn": "1d"}))
        .await?;
    let Some(token) = issued.pointer("/data/token").and_then(Value::as_str) else {
        return Ok(Outcome::NotChecked(ID, format!("apiKeys:create answered {} without a token", issued.status)));
    };
    let key = Credential::Bearer(Secret::new(token));
    made.keys.extend(key_id(client, admin, &format!("audit_{tag}")).await?);

    let attempts = [
        ("apiKeys:create", json!({"name": format!("audit_esc_{tag}"), "role": {"name": "root"}, "expiresIn": "1d"})),
        (
            "users:create",
            json!({"username": format!("audit_{tag}"), "email": format!("audit-{tag}@example.com"), "password": format!("Audit-{tag}-9"), "roles": ["root"]}),
        ),
        ("roles:create", json!({"name": format!("audit_esc_{tag}"), "title": format!("Audit Escalation {tag}")})),
    ];
    let mut reached = Vec::new();
    for (action, body) in &attempts {
        for x_role in [None, Some("root")] {
            let mut request = ApiRequest::new(Method::POST, *action, &key).json(body.clone());
            if let Some(role) = x_role {
                request = request.header("X-Role", role);
            }
            let answer = client.send(request).await?;
            note_made(client, admin, action, body, &answer, made).await?;
            if (200..300).contains(&answer.status) {
                reached.push(format!("{action}{}", x_role.map(|r| format!(" with X-Role: {r}")).unwrap_or_default()));
            }
        }
    }
    Ok(if reached.is_empty() {
        Outcome::Passed(
            ID,
            "a key of a role without permissions cannot create keys, users or roles, not even with X-Role: root".into(),
        )
    } else {
        Outcome::Finding(Finding {
            check: ID,
            what: format!("a key of a role without permissions could: {}", reached.join(", ")),
            todo: "an API key must not reach beyond its role: upgrade NocoBase, review the roles' snippets and \
                   the system role mode, and revoke the keys issued so far"
                .into(),
        })
    })
}

/// Notes what an escalation attempt created, so that it is removed whatever the status said.
async fn note_made(
    client: &NocoClient,
    admin: &Credential,
    action: &str,
    body: &Value,
    answer: &Exchange,
    made: &mut Made,
) -> Result<()> {
    if !(200..300).contains(&answer.status) {
        return Ok(());
    }
    match action {
        "apiKeys:create" => {
            let name = body["name"].as_str().unwrap_or_default();
            made.keys.extend(key_id(client, admin, name).await?);
        }
        "users:create" => made.users.extend(answer.pointer("/data/id").and_then(Value::as_i64)),
        "roles:create" => made.roles.extend(body["name"].as_str().map(str::to_owned)),
        _ => {}
    }
    Ok(())
}

/// The admin's key row named `name`.
async fn key_id(client: &NocoClient, admin: &Credential, name: &str) -> Result<Option<i64>> {
    let listed = client.api_keys_list(admin, &format!("filter={}", json!({"name": name}))).await?;
    Ok(listed.pointer("/data/0/id").and_then(Value::as_i64))
}

/// Removes what the audit made; the first problem, if any.
async fn remove(client: &NocoClient, admin: &Credential, made: &Made) -> std::result::Result<(), String> {
    let mut problems = Vec::new();
    let mut check = |what: String, answer: Result<Exchange>| match answer {
        Ok(exchange) if exchange.status == 200 => {}
        Ok(exchange) => problems.push(format!("{what}: answered {}", exchange.status)),
        Err(error) => problems.push(format!("{what}: {error}")),
    };
    for id in &made.keys {
        check(format!("API key {id}"), client.api_keys_destroy(admin, *id).await);
    }
    for id in &made.users {
        check(format!("user {id}"), client.users_destroy(admin, *id).await);
    }
    for role in &made.roles {
        check(format!("role {role}"), client.roles_destroy(admin, role).await);
    }
    if let (Some(role), Some(user)) = (&made.role, made.assigned_to) {
        check(format!("role {role} of user {user}"), client.role_users_remove(admin, role, &[user]).await);
    }
    if let Some(role) = &made.role {
        check(format!("role {role}"), client.roles_destroy(admin, role).await);
    }
    problems.into_iter().next().map_or(Ok(()), Err)
}
