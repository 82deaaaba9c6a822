//! An API key over its life (feature 13): deleting it (the administrator's own, or another
//! user's), taking its role from its user and giving it back, removing its user — and what the
//! key list says against what the key can still do.

use cucumber::{then, when};
use serde_json::{Value, json};

use super::{expect_status, require};
use crate::client::Credential;
use crate::error::{HarnessError, Result};
use crate::exchange::Exchange;
use crate::mismatch::Mismatch;
use crate::world::TutorialWorld;

/// The row id of the scenario's key `name`, from its record or its owner's list.
async fn key_row(world: &TutorialWorld, name: &str, owner: &Credential) -> Result<i64> {
    if let Some(id) = world.keys.get(name).and_then(|k| k.id) {
        return Ok(id);
    }
    let exchange =
        world.client().api_keys_list(owner, &format!("filter={}", json!({"name": world.tagged(name)}))).await?;
    require(
        exchange.pointer("/data/0/id").and_then(Value::as_i64),
        &format!("the key {name} in its owner's list"),
        &exchange,
    )
}

/// Deletes key `name` with the administrator's session; the key is then the scenario's to leave.
async fn delete_key(world: &mut TutorialWorld, name: &str, owner: &Credential) -> Result<()> {
    let id = key_row(world, name, owner).await?;
    let exchange = world.client().api_keys_destroy(&world.admin()?, id).await?;
    if let Some(key) = world.keys.get_mut(name) {
        // Revoked either way (NocoBase blocks the token before it deletes the caller's own row);
        // a row of another user's that stayed is removed by its owner at the end.
        key.keep = exchange.pointer("/data") == Some(&json!(1));
    }
    world.observe(exchange).await
}

#[when(expr = "the administrator deletes the API key {string}")]
async fn admin_deletes_key(world: &mut TutorialWorld, name: String) -> Result<()> {
    world
        .step(async |world| {
            let admin = world.admin()?;
            delete_key(world, &name, &admin).await
        })
        .await
}

#[when(expr = "the administrator deletes the API key {string} of the user {string}")]
async fn admin_deletes_users_key(world: &mut TutorialWorld, name: String, user: String) -> Result<()> {
    world
        .step(async |world| {
            let owner = world.user_session(&user)?;
            delete_key(world, &name, &owner).await
        })
        .await
}

/// Whether `owner`'s key list shows the scenario's key `name`.
async fn listed(world: &TutorialWorld, owner: &Credential, name: &str) -> Result<(bool, Exchange)> {
    let exchange = world.client().api_keys_list(owner, "pageSize=200").await?;
    expect_status(&exchange, 200, "apiKeys:list")?;
    let rows = require(exchange.pointer("/data").and_then(Value::as_array), "data", &exchange)?;
    let real = world.tagged(name);
    let found = rows.iter().any(|r| r.get("name").and_then(Value::as_str) == Some(real.as_str()));
    Ok((found, exchange))
}

fn expect_listed(
    world: &TutorialWorld,
    whose: &str,
    name: &str,
    found: bool,
    want: bool,
    exchange: &Exchange,
) -> Result<()> {
    if found == want {
        return Ok(());
    }
    let _ = world;
    Err(HarnessError::mismatch(Mismatch::new(
        format!("{whose} key list"),
        if want { format!("to show the key {name}") } else { format!("not to show the key {name}") },
        if found { "it does" } else { "it does not" },
        Some(exchange),
    )))
}

#[then(expr = "the administrator's key list shows the key {string}")]
async fn admin_list_shows(world: &mut TutorialWorld, name: String) -> Result<()> {
    world
        .step(async |world| {
            let (found, exchange) = listed(world, &world.admin()?, &name).await?;
            expect_listed(world, "the administrator's", &name, found, true, &exchange)
        })
        .await
}

#[then(expr = "the administrator's key list does not show the key {string}")]
async fn admin_list_lacks(world: &mut TutorialWorld, name: String) -> Result<()> {
    world
        .step(async |world| {
            let (found, exchange) = listed(world, &world.admin()?, &name).await?;
            expect_listed(world, "the administrator's", &name, found, false, &exchange)
        })
        .await
}

#[then(expr = "the key list of the user {string} shows the key {string}")]
async fn user_list_shows(world: &mut TutorialWorld, user: String, name: String) -> Result<()> {
    world
        .step(async |world| {
            let (found, exchange) = listed(world, &world.user_session(&user)?, &name).await?;
            expect_listed(world, &format!("{user}'s"), &name, found, true, &exchange)
        })
        .await
}

#[when(expr = "the administrator gives up the role {string}")]
async fn admin_gives_up_role(world: &mut TutorialWorld, role: String) -> Result<()> {
    world
        .step(async |world| {
            let (real, id) = (world.tagged(&role), world.suite.admin_id()?);
            let exchange = world.client().role_users_remove(&world.admin()?, &real, &[id]).await?;
            expect_status(&exchange, 200, "roles/<role>/users:remove")?;
            world.remember(exchange);
            Ok(())
        })
        .await
}

#[when(expr = "the administrator takes the role {string} back")]
async fn admin_takes_role_back(world: &mut TutorialWorld, role: String) -> Result<()> {
    world
        .step(async |world| {
            let exchange = super::roles::assign_to_admin(world, &role).await?;
            expect_status(&exchange, 200, "roles/<role>/users:add")?;
            world.remember(exchange);
            Ok(())
        })
        .await
}

#[when(expr = "the administrator removes the user {string}")]
async fn admin_removes_user(world: &mut TutorialWorld, user: String) -> Result<()> {
    world
        .step(async |world| {
            let id =
                world.users.get(&user).map(|u| u.id).ok_or_else(|| {
                    HarnessError::Scenario(format!("no user \"{user}\" was created in this scenario"))
                })?;
            let exchange = world.client().users_destroy(&world.admin()?, id).await?;
            expect_status(&exchange, 200, "users:destroy")?;
            world.removed_user(&user);
            world.remember(exchange);
            Ok(())
        })
        .await
}
