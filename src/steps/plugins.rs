//! The plugin manager (tutorial step 1): looking up and enabling `api-keys` and `api-doc`.

use cucumber::{then, when};
use serde_json::{Map, Value};

use super::{expect_status, require};
use crate::error::{HarnessError, Result};
use crate::mismatch::Mismatch;
use crate::world::TutorialWorld;

#[when(expr = "the administrator looks up the plugin {string}")]
async fn look_up_plugin(world: &mut TutorialWorld, plugin: String) -> Result<()> {
    world
        .step(async |world| {
            let exchange = world.client().pm_get(&world.admin()?, &plugin).await?;
            world.observe(exchange).await?;
            Ok(())
        })
        .await
}

#[when(expr = "the administrator enables the plugin {string}")]
async fn enable_plugin(world: &mut TutorialWorld, plugin: String) -> Result<()> {
    world
        .step(async |world| {
            let exchange = world.client().pm_enable(&world.admin()?, &plugin).await?;
            world.observe(exchange).await?;
            Ok(())
        })
        .await
}

fn expect_enabled(world: &TutorialWorld) -> Result<()> {
    let exchange = world.last()?;
    expect_status(exchange, 200, "pm:get")?;
    let enabled = require(exchange.pointer("/data/enabled").and_then(Value::as_bool), "data.enabled", exchange)?;
    if !enabled {
        return Err(HarnessError::mismatch(Mismatch::new("data.enabled", "true", "false", Some(exchange))));
    }
    Ok(())
}

#[then("the plugin is enabled")]
async fn plugin_is_enabled(world: &mut TutorialWorld) -> Result<()> {
    world.step(async |world| expect_enabled(world)).await
}

#[then(expr = "the plugin {string} is still enabled")]
async fn plugin_still_enabled(world: &mut TutorialWorld, plugin: String) -> Result<()> {
    world
        .step(async |world| {
            let exchange = world.client().pm_get(&world.admin()?, &plugin).await?;
            world.observe(exchange).await?;
            expect_enabled(world)
        })
        .await
}

/// The identity and state of a plugin, without its version-specific package details (versions,
/// git hashes, dependency checks), so the snapshot holds across 2.2.x releases.
#[then(expr = "the plugin summary matches the snapshot {string}")]
async fn plugin_summary_snapshot(world: &mut TutorialWorld, label: String) -> Result<()> {
    world
        .step(async |world| {
        let exchange = world.last()?;
        let data = require(exchange.pointer("/data").and_then(Value::as_object), "data", exchange)?;
        let summary: Map<String, Value> =
            ["name", "packageName", "displayName", "description", "enabled", "installed", "builtIn", "removable"]
                .iter()
                .filter_map(|k| data.get(*k).map(|v| ((*k).to_owned(), v.clone())))
                .collect();
        let value = serde_json::json!({ "request": world.normalizer.request_line(&exchange.request_line()), "summary": summary });
        super::responses::check_snapshot(world, &label, &value)
        })
        .await
}
