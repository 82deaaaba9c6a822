//! A key on its own (key-only mode, `--api-key`): what a holder of nothing but an API key can
//! check — reading the collection it was granted, writing and deleting a record of its own, and
//! being refused without it. With admin credentials the same scenarios run on a key the
//! scenario issues itself.

use cucumber::{given, then, when};
use serde_json::{Value, json};

use super::{expect_status, require};
use crate::check::jwt;
use crate::check::normalize::IdKind;
use crate::client::Credential;
use crate::error::{HarnessError, Result};
use crate::mismatch::Mismatch;
use crate::world::{KeyInfo, TutorialWorld};

/// A 403 on a write means the key's role lacks a permission the key-only scenarios need: the run
/// is misconfigured (exit 2), not a finding about the server.
fn needs_permission(exchange: &crate::exchange::Exchange, action: &str, collection: &str) -> Result<()> {
    if exchange.status != 403 {
        return Ok(());
    }
    Err(HarnessError::KeyNotUsable {
        collection: collection.to_owned(),
        status: 403,
        message: format!("No permissions to {action} records"),
        hint: format!(
            "the key's role may not {action} records of {collection}; the key-only scenarios need it to view, add, edit and delete there"
        ),
    })
}

/// In key-only mode, the key from the command line; otherwise the tutorial's set-up and a key
/// of the administrator. Its owner is named `key owner` in snapshots either way.
#[given(expr = "an API key that may read and write the collection {string}")]
async fn a_lone_key(world: &mut TutorialWorld, collection: String) -> Result<()> {
    world
        .step(async |world| {
            let token = match world.suite.config.key_only.clone() {
                Some(key_only) => {
                    world.keys.insert(
                        "lone".into(),
                        KeyInfo { token: key_only.key.clone(), owner: None, id: None, keep: true },
                    );
                    key_only.key
                }
                None => {
                    super::session::sign_in_admin(world).await?;
                    super::collections::collection_with_todos(world, &collection).await?;
                    super::roles::role_with_all_permissions(world, "todos", "To Dos API Role", &collection).await?;
                    let exchange = super::roles::assign_to_admin(world, "todos").await?;
                    expect_status(&exchange, 200, "roles/<role>/users:add")?;
                    super::api_keys::issue_for_admin(world, "lone", "todos", "1d").await?
                }
            };
            let owner =
                jwt::decode_claims(token.expose()).and_then(|c| c.get("userId").cloned()).unwrap_or(Value::Null);
            world.normalizer.know(IdKind::User, &owner, "key owner");
            Ok(())
        })
        .await
}

#[when("the key lists the records")]
async fn key_lists(world: &mut TutorialWorld) -> Result<()> {
    world
        .step(async |world| {
            let (key, collection) = world.lone_key()?;
            let exchange = world.client().records_list(&key, &collection, "pageSize=5").await?;
            world.observe(exchange).await?;
            Ok(())
        })
        .await
}

#[when(expr = "a client lists the records without a key")]
async fn lists_without_key(world: &mut TutorialWorld) -> Result<()> {
    world
        .step(async |world| {
            let (_, collection) = world.lone_key()?;
            let exchange = world.client().records_list(&Credential::None, &collection, "pageSize=5").await?;
            world.observe(exchange).await?;
            Ok(())
        })
        .await
}

#[when(expr = "the key creates a record titled {string}")]
async fn key_creates(world: &mut TutorialWorld, title: String) -> Result<()> {
    world
        .step(async |world| {
            let (key, collection) = world.lone_key()?;
            let tagged = world.tagged_title(&title);
            let exchange = world.client().records_create(&key, &collection, json!({"title": tagged})).await?;
            needs_permission(&exchange, "create", &collection)?;
            if let Some(id) = exchange.pointer("/data/id").cloned() {
                world.know_record(&title, &id);
                world.created_with_key(collection, id, key.clone());
            }
            world.observe(exchange).await?;
            Ok(())
        })
        .await
}

#[when(expr = "the key reads the record {string}")]
async fn key_reads(world: &mut TutorialWorld, title: String) -> Result<()> {
    world
        .step(async |world| {
            let (key, collection) = world.lone_key()?;
            let id = world.record_id(&title)?;
            let exchange = world.client().records_get(&key, &collection, &id).await?;
            world.observe(exchange).await?;
            Ok(())
        })
        .await
}

#[when(expr = "the key marks the record {string} as completed")]
async fn key_updates(world: &mut TutorialWorld, title: String) -> Result<()> {
    world
        .step(async |world| {
            let (key, collection) = world.lone_key()?;
            let id = world.record_id(&title)?;
            let exchange = world.client().records_update(&key, &collection, &id, json!({"completed": true})).await?;
            needs_permission(&exchange, "update", &collection)?;
            world.observe(exchange).await?;
            Ok(())
        })
        .await
}

#[when(expr = "the key deletes the record {string}")]
async fn key_deletes(world: &mut TutorialWorld, title: String) -> Result<()> {
    world
        .step(async |world| {
            let (key, collection) = world.lone_key()?;
            let id = world.record_id(&title)?;
            let exchange = world.client().records_destroy(&key, &collection, &id).await?;
            needs_permission(&exchange, "delete", &collection)?;
            if crate::leftovers::removed(&exchange).is_ok() {
                world.destroyed_with_key(&collection, &id);
            }
            world.observe(exchange).await?;
            Ok(())
        })
        .await
}

#[then("the response is a page of records")]
async fn a_page(world: &mut TutorialWorld) -> Result<()> {
    world
        .step(async |world| {
            let exchange = world.last()?;
            require(exchange.pointer("/data").and_then(Value::as_array), "data (a list)", exchange)?;
            for field in ["count", "page", "pageSize", "totalPage"] {
                require(
                    exchange.pointer(&format!("/meta/{field}")).filter(|v| v.is_number()),
                    &format!("meta.{field}"),
                    exchange,
                )?;
            }
            Ok(())
        })
        .await
}

#[then("the record was created by the key's owner")]
async fn created_by_owner(world: &mut TutorialWorld) -> Result<()> {
    world
        .step(async |world| {
            let exchange = world.last()?;
            let (key, _) = world.lone_key()?;
            let Credential::Bearer(token) = key else { return Err(HarnessError::Scenario("no key".into())) };
            let owner =
                jwt::decode_claims(token.expose()).and_then(|c| c.get("userId").cloned()).unwrap_or(Value::Null);
            let creator = exchange.pointer("/data/createdById").cloned().unwrap_or(Value::Null);
            if creator != owner {
                return Err(HarnessError::mismatch(Mismatch::new(
                    "createdById",
                    "the key's userId",
                    creator.to_string(),
                    Some(exchange),
                )));
            }
            Ok(())
        })
        .await
}

#[then(expr = "the response data is {string}")]
async fn data_is(world: &mut TutorialWorld, expected: String) -> Result<()> {
    world
        .step(async |world| {
            let exchange = world.last()?;
            let want: Value = serde_json::from_str(&expected)
                .map_err(|e| HarnessError::Scenario(format!("bad JSON in the step: {e}")))?;
            let got = exchange.pointer("/data").cloned().unwrap_or(Value::Null);
            if got != want {
                return Err(HarnessError::mismatch(Mismatch::new(
                    "data",
                    want.to_string(),
                    got.to_string(),
                    Some(exchange),
                )));
            }
            Ok(())
        })
        .await
}

#[then(expr = "the record shows {string} as {string}")]
async fn record_shows(world: &mut TutorialWorld, field: String, expected: String) -> Result<()> {
    world
        .step(async |world| {
            let exchange = world.last()?;
            let want: Value = serde_json::from_str(&expected).unwrap_or_else(|_| Value::String(expected.clone()));
            let data = exchange.pointer("/data").cloned().unwrap_or(Value::Null);
            let record = match &data {
                Value::Array(items) => items.first().cloned().unwrap_or(Value::Null),
                other => other.clone(),
            };
            let got = record.get(&field).map(|v| match v {
                Value::String(s) => Value::String(world.normalizer.text(s)),
                other => other.clone(),
            });
            if got.as_ref() != Some(&want) {
                return Err(HarnessError::mismatch(Mismatch::new(
                    format!("the record's {field}"),
                    want.to_string(),
                    got.map(|v| v.to_string()).unwrap_or_else(|| "(absent)".into()),
                    Some(exchange),
                )));
            }
            Ok(())
        })
        .await
}
