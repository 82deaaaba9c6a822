//! API keys (tutorial step 4): created for one of the caller's roles with an expiry, shown once,
//! listed without their token, and their JWT claims.

use cucumber::{given, then, when};
use serde_json::{Value, json};

use super::fixtures::{self, Vars};
use super::{expect_status, require};
use crate::check::jwt;
use crate::check::normalize::IdKind;
use crate::client::ApiRequest;
use crate::error::{HarnessError, Result};
use crate::exchange::Exchange;
use crate::mismatch::Mismatch;
use crate::secret::Secret;
use crate::world::Caller;
use crate::world::{KeyInfo, TutorialWorld};

fn owner_of(caller: &Caller) -> Result<Option<String>> {
    match caller {
        Caller::Administrator => Ok(None),
        Caller::User(name) => Ok(Some(name.clone())),
        _ => Err(HarnessError::Scenario("API keys are created by a signed-in user, not with a key".into())),
    }
}

fn key_body(world: &TutorialWorld, name: &str, role: &str, expires_in: &str) -> Result<Value> {
    let mut vars = Vars::new();
    vars.insert("key_name", json!(world.tagged(name)));
    vars.insert("role", json!(world.tagged(role)));
    vars.insert("role_title", json!(world.tagged_title("To Dos API Role")));
    let mut body = fixtures::body("api-key-never", &vars)?;
    body["expiresIn"] = json!(expires_in);
    Ok(body)
}

/// Sends `apiKeys:create`; on success keeps the key and looks up its row id.
async fn create_key(
    world: &mut TutorialWorld,
    caller: &Caller,
    name: &str,
    body: Value,
    headers: &[(&str, String)],
) -> Result<Exchange> {
    let owner = owner_of(caller)?;
    let credential = world.credential(caller)?;
    let mut request = ApiRequest::new(reqwest::Method::POST, "apiKeys:create", &credential).json(body);
    for (header, value) in headers {
        request = request.header(header, value);
    }
    let exchange = world.client().send(request).await?;
    let token = exchange.pointer("/data/token").and_then(Value::as_str).map(Secret::new);
    if let (200, Some(token)) = (exchange.status, token) {
        world.last_token = Some(token.clone());
        // Kept before the id is looked up: if that fails, cleanup still knows the key exists.
        world.keys.insert(name.to_owned(), KeyInfo { token, owner, id: None, keep: false });
        let id = world.key_id(&credential, name).await?;
        if let Some(id) = id {
            world.normalizer.know(IdKind::ApiKey, &json!(id), name);
        }
        if let Some(key) = world.keys.get_mut(name) {
            key.id = id;
        }
    }
    Ok(exchange)
}

async fn create_and_remember(
    world: &mut TutorialWorld,
    caller: Caller,
    name: String,
    role: String,
    expires_in: &str,
) -> Result<()> {
    let body = key_body(world, &name, &role, expires_in)?;
    let exchange = create_key(world, &caller, &name, body, &[]).await?;
    world.observe(exchange).await?;
    Ok(())
}

#[when(expr = "{caller} creates an API key {string} for the role {string} that never expires")]
async fn create_never(world: &mut TutorialWorld, caller: Caller, name: String, role: String) -> Result<()> {
    world.step(async |world| create_and_remember(world, caller, name, role, "never").await).await
}

#[when(expr = "{caller} creates an API key {string} for the role {string} that expires in {string}")]
async fn create_expiring(
    world: &mut TutorialWorld,
    caller: Caller,
    name: String,
    role: String,
    expires_in: String,
) -> Result<()> {
    world.step(async |world| create_and_remember(world, caller, name, role, &expires_in).await).await
}

async fn has_key(
    world: &mut TutorialWorld,
    caller: Caller,
    name: String,
    role: String,
    expires_in: &str,
) -> Result<()> {
    let body = key_body(world, &name, &role, expires_in)?;
    let exchange = create_key(world, &caller, &name, body, &[]).await?;
    expect_status(&exchange, 200, "apiKeys:create")
}

#[given(expr = "{caller} has an API key {string} for the role {string} that never expires")]
async fn has_key_never(world: &mut TutorialWorld, caller: Caller, name: String, role: String) -> Result<()> {
    world.step(async |world| has_key(world, caller, name, role, "never").await).await
}

#[given(expr = "{caller} has an API key {string} for the role {string} that expires in {string}")]
async fn has_key_expiring(
    world: &mut TutorialWorld,
    caller: Caller,
    name: String,
    role: String,
    expires_in: String,
) -> Result<()> {
    world.step(async |world| has_key(world, caller, name, role, &expires_in).await).await
}

#[when(expr = "the administrator creates an API key {string} without a role")]
async fn create_without_role(world: &mut TutorialWorld, name: String) -> Result<()> {
    world
        .step(async |world| {
            let body = json!({"name": world.tagged(&name), "expiresIn": "30d"});
            let exchange = create_key(world, &Caller::Administrator, &name, body, &[]).await?;
            world.observe(exchange).await?;
            Ok(())
        })
        .await
}

#[when(
    expr = "the administrator, acting as the role {string}, creates an API key {string} for the role {string} that expires in {string}"
)]
async fn create_acting_as(
    world: &mut TutorialWorld,
    acting: String,
    name: String,
    role: String,
    expires_in: String,
) -> Result<()> {
    world
        .step(async |world| {
            let body = key_body(world, &name, &role, &expires_in)?;
            let header = [("X-Role", world.tagged(&acting))];
            let exchange = create_key(world, &Caller::Administrator, &name, body, &header).await?;
            world.observe(exchange).await?;
            Ok(())
        })
        .await
}

/// An API key of the administrator, kept in the world under `name` (with its row id): the plain
/// `apiKeys:create` body of NocoBase's docs. Issued once per name and scenario.
pub(crate) async fn issue_for_admin(
    world: &mut TutorialWorld,
    name: &str,
    role: &str,
    expires_in: &str,
) -> Result<Secret> {
    if let Some(key) = world.keys.get(name) {
        return Ok(key.token.clone());
    }
    let body = json!({"name": world.tagged(name), "role": {"name": world.tagged(role)}, "expiresIn": expires_in});
    let admin = world.admin()?;
    let exchange = world.client().api_keys_create(&admin, body).await?;
    expect_status(&exchange, 200, "apiKeys:create")?;
    let token = require(exchange.pointer("/data/token").and_then(Value::as_str), "apiKeys:create's token", &exchange)?;
    let token = Secret::new(token);
    world.keys.insert(name.to_owned(), KeyInfo { token: token.clone(), owner: None, id: None, keep: false });
    let id = world.key_id(&admin, name).await?;
    if let Some(key) = world.keys.get_mut(name) {
        key.id = id;
    }
    Ok(token)
}

#[when("the administrator lists the API keys")]
async fn admin_lists_keys(world: &mut TutorialWorld) -> Result<()> {
    world
        .step(async |world| {
            let filter = json!({"name": {"$includes": world.tag.clone()}});
            let exchange = world.client().api_keys_list(&world.admin()?, &format!("filter={filter}")).await?;
            world.observe(exchange).await?;
            Ok(())
        })
        .await
}

#[then("the response holds a token and nothing else")]
async fn only_a_token(world: &mut TutorialWorld) -> Result<()> {
    world
        .step(async |world| {
            let exchange = world.last()?;
            expect_status(exchange, 200, "apiKeys:create")?;
            let data = require(exchange.pointer("/data").and_then(Value::as_object), "data", exchange)?;
            let keys: Vec<&String> = data.keys().collect();
            if keys != ["token"] {
                return Err(HarnessError::mismatch(Mismatch::new(
                    "data's fields",
                    "token only",
                    format!("{keys:?}"),
                    Some(exchange),
                )));
            }
            Ok(())
        })
        .await
}

#[then(expr = "the key's claims are userId, roleName, iat and exp, with exp - iat = {int} seconds")]
async fn key_claims(world: &mut TutorialWorld, lifetime: i64) -> Result<()> {
    world
        .step(async |world| {
            let exchange = world.last()?;
            let token = require(exchange.pointer("/data/token").and_then(Value::as_str), "data.token", exchange)?;
            jwt::expect_claims(token, &["userId", "roleName", "iat", "exp"], lifetime, exchange)
        })
        .await
}

#[then("no listed key shows a token")]
async fn no_token_listed(world: &mut TutorialWorld) -> Result<()> {
    world
        .step(async |world| {
            let exchange = world.last()?;
            let rows = require(exchange.pointer("/data").and_then(Value::as_array), "data (a list)", exchange)?;
            if rows.is_empty() || rows.iter().any(|r| r.get("token").is_some()) {
                return Err(HarnessError::mismatch(Mismatch::new(
                    "the key list",
                    "keys without a token",
                    format!("{} rows, token shown or no rows", rows.len()),
                    Some(exchange),
                )));
            }
            Ok(())
        })
        .await
}

#[then(expr = "the administrator has no API key {string}")]
async fn no_such_key(world: &mut TutorialWorld, name: String) -> Result<()> {
    world
        .step(async |world| {
            let admin = world.admin()?;
            let id = world.key_id(&admin, &name).await?;
            if let Some(id) = id {
                return Err(HarnessError::mismatch(Mismatch::new(
                    format!("API key {name}"),
                    "none",
                    format!("row {id}"),
                    world.last.as_ref(),
                )));
            }
            Ok(())
        })
        .await
}
