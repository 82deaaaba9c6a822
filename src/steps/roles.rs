//! Roles and permissions (tutorial step 3): the "To Dos API Role", its grant on `todos`, its
//! assignment, and the plugin settings that let a non-admin role manage its API keys.

use cucumber::{given, then, when};
use serde_json::{Value, json};

use super::fixtures::{self, Vars};
use super::{expect_status, require};
use crate::error::{HarnessError, Result};
use crate::exchange::Exchange;
use crate::mismatch::Mismatch;
use crate::world::Caller;
use crate::world::TutorialWorld;

fn role_vars(world: &TutorialWorld, role: &str, title: &str) -> Vars {
    let mut vars = Vars::new();
    vars.insert("role", json!(world.tagged(role)));
    vars.insert("role_title", json!(world.tagged_title(title)));
    vars
}

async fn create_role(world: &mut TutorialWorld, role: &str, title: &str) -> Result<Exchange> {
    let body = fixtures::body("role-todos", &role_vars(world, role, title))?;
    let exchange = world.client().roles_create(&world.admin()?, body).await?;
    if exchange.status == 200 {
        world.created_role(world.tagged(role));
    }
    Ok(exchange)
}

async fn grant_everything(world: &mut TutorialWorld, role: &str, collection: &str) -> Result<Exchange> {
    let mut vars = Vars::new();
    vars.insert("collection", json!(world.tagged(collection)));
    let body = fixtures::body("role-todos-all-permissions", &vars)?;
    let (role, collection) = (world.tagged(role), world.tagged(collection));
    world.client().role_resources_create(&world.admin()?, &role, &collection, body).await
}

/// Gives `role` to the administrator (undone when the scenario ends).
pub(crate) async fn assign_to_admin(world: &mut TutorialWorld, role: &str) -> Result<Exchange> {
    let real = world.tagged(role);
    let admin_id = world.suite.admin_id()?;
    let exchange = world.client().role_users_add(&world.admin()?, &real, &[admin_id]).await?;
    if exchange.status == 200 {
        world.assigned_role(real, admin_id);
    }
    Ok(exchange)
}

#[given(expr = "the role {string} titled {string} exists")]
async fn role_exists(world: &mut TutorialWorld, role: String, title: String) -> Result<()> {
    world
        .step(async |world| {
            let exchange = create_role(world, &role, &title).await?;
            expect_status(&exchange, 200, "roles:create")
        })
        .await
}

/// The role, allowed every action on the collection as the admin UI grants it.
pub(crate) async fn role_with_all_permissions(
    world: &mut TutorialWorld,
    role: &str,
    title: &str,
    collection: &str,
) -> Result<()> {
    let exchange = create_role(world, role, title).await?;
    expect_status(&exchange, 200, "roles:create")?;
    let exchange = grant_everything(world, role, collection).await?;
    expect_status(&exchange, 200, "roles/<role>/dataSourceResources:create")
}

#[given(expr = "the role {string} titled {string} has every permission on {string}")]
async fn role_with_permissions(
    world: &mut TutorialWorld,
    role: String,
    title: String,
    collection: String,
) -> Result<()> {
    world.step(async |world| role_with_all_permissions(world, &role, &title, &collection).await).await
}

#[when(expr = "the administrator creates the role {string} titled {string}")]
async fn admin_creates_role(world: &mut TutorialWorld, role: String, title: String) -> Result<()> {
    world
        .step(async |world| {
            let exchange = create_role(world, &role, &title).await?;
            world.observe(exchange).await?;
            Ok(())
        })
        .await
}

#[when(expr = "the administrator allows the role {string} every action on the collection {string}")]
async fn admin_grants(world: &mut TutorialWorld, role: String, collection: String) -> Result<()> {
    world
        .step(async |world| {
            let exchange = grant_everything(world, &role, &collection).await?;
            world.observe(exchange).await?;
            Ok(())
        })
        .await
}

#[when(expr = "the administrator reads the permissions of the role {string} on the collection {string}")]
async fn admin_reads_grant(world: &mut TutorialWorld, role: String, collection: String) -> Result<()> {
    world
        .step(async |world| {
            let (role, collection) = (world.tagged(&role), world.tagged(&collection));
            let exchange = world.client().role_resources_get(&world.admin()?, &role, &collection).await?;
            world.observe(exchange).await?;
            Ok(())
        })
        .await
}

#[when(expr = "the administrator assigns the role {string} to themselves")]
async fn admin_assigns_self(world: &mut TutorialWorld, role: String) -> Result<()> {
    world
        .step(async |world| {
            let exchange = assign_to_admin(world, &role).await?;
            world.observe(exchange).await?;
            Ok(())
        })
        .await
}

#[given(expr = "the administrator holds the role {string}")]
async fn admin_holds_role(world: &mut TutorialWorld, role: String) -> Result<()> {
    world
        .step(async |world| {
            let exchange = assign_to_admin(world, &role).await?;
            expect_status(&exchange, 200, "roles/<role>/users:add")
        })
        .await
}

#[then(expr = "the administrator holds the role {string}")]
async fn admin_has_role(world: &mut TutorialWorld, role: String) -> Result<()> {
    world
        .step(async |world| {
            let exchange = world.client().auth_check(&world.admin()?).await?;
            expect_status(&exchange, 200, "auth:check")?;
            let roles = require(exchange.pointer("/data/roles").and_then(Value::as_array), "data.roles", &exchange)?;
            let real = world.tagged(&role);
            if !roles.iter().any(|r| r.get("name").and_then(Value::as_str) == Some(real.as_str())) {
                return Err(HarnessError::mismatch(Mismatch::new(
                    "the administrator's roles",
                    format!("to include {role}"),
                    "it is missing",
                    Some(&exchange),
                )));
            }
            Ok(())
        })
        .await
}

/// The settings the admin UI writes, in order, when a role may configure the API keys plugin only.
#[derive(Debug, Clone, Copy)]
enum KeySetting {
    /// "Allows to configure plugins" (`roles:update`).
    AllowPlugins,
    /// Untick every plugin setting (`roles/<role>/snippets:remove`).
    UntickAll,
    /// Tick "API keys" (`roles/<role>/snippets:add`).
    TickApiKeys,
}

/// The three settings the admin UI writes when a role may configure the API keys plugin only.
pub(crate) async fn allow_key_management(world: &mut TutorialWorld, role: &str) -> Result<()> {
    for setting in [KeySetting::AllowPlugins, KeySetting::UntickAll, KeySetting::TickApiKeys] {
        let exchange = key_setting(world, role, setting).await?;
        expect_status(&exchange, 200, "role plugin settings")?;
    }
    Ok(())
}

async fn key_setting(world: &mut TutorialWorld, role: &str, setting: KeySetting) -> Result<Exchange> {
    let real = world.tagged(role);
    let admin = world.admin()?;
    let client = world.client().clone();
    match setting {
        KeySetting::AllowPlugins => {
            client.roles_update(&admin, &real, fixtures::body("role-allow-plugin-settings", &Vars::new())?).await
        }
        KeySetting::UntickAll => {
            client
                .role_snippets(&admin, &real, true, fixtures::body("role-untick-all-plugin-settings", &Vars::new())?)
                .await
        }
        KeySetting::TickApiKeys => {
            client.role_snippets(&admin, &real, false, fixtures::body("role-tick-api-keys", &Vars::new())?).await
        }
    }
}

#[when(expr = "the administrator lets the role {string} configure plugins")]
async fn admin_allows_plugins(world: &mut TutorialWorld, role: String) -> Result<()> {
    world
        .step(async |world| {
            let exchange = key_setting(world, &role, KeySetting::AllowPlugins).await?;
            world.observe(exchange).await?;
            Ok(())
        })
        .await
}

#[when(expr = "the administrator unticks every plugin setting for the role {string}")]
async fn admin_unticks(world: &mut TutorialWorld, role: String) -> Result<()> {
    world
        .step(async |world| {
            let exchange = key_setting(world, &role, KeySetting::UntickAll).await?;
            world.observe(exchange).await?;
            Ok(())
        })
        .await
}

#[when(expr = "the administrator ticks the API keys settings for the role {string}")]
async fn admin_ticks_keys(world: &mut TutorialWorld, role: String) -> Result<()> {
    world
        .step(async |world| {
            let exchange = key_setting(world, &role, KeySetting::TickApiKeys).await?;
            world.observe(exchange).await?;
            Ok(())
        })
        .await
}

#[when(expr = "the administrator reads the role {string}")]
async fn admin_reads_role(world: &mut TutorialWorld, role: String) -> Result<()> {
    world
        .step(async |world| {
            let real = world.tagged(&role);
            let exchange = world.client().roles_get(&world.admin()?, &real).await?;
            world.observe(exchange).await?;
            Ok(())
        })
        .await
}

#[when(expr = "{caller} checks its permissions")]
async fn check_permissions(world: &mut TutorialWorld, caller: Caller) -> Result<()> {
    world
        .step(async |world| {
            let credential = world.credential(&caller)?;
            let exchange = world.client().roles_check(&credential).await?;
            world.observe(exchange).await?;
            Ok(())
        })
        .await
}
