//! Checking the last response: its status, NocoBase's error, and its named snapshot.

use cucumber::then;
use serde_json::Value;

use super::expect_status;
use crate::check::snapshot;
use crate::error::{HarnessError, Result};
use crate::exchange::ResponseBody;
use crate::mismatch::Mismatch;
use crate::world::TutorialWorld;

#[then(expr = "the response status is {int}")]
async fn status_is(world: &mut TutorialWorld, status: u16) -> Result<()> {
    world.step(async |world| (|| expect_status(world.last()?, status, "the response"))()).await
}

/// `code` is `-` when NocoBase gives none; a plain-text body (the 404) is compared as the message.
#[then(expr = "the error says {string} with code {string}")]
async fn error_says(world: &mut TutorialWorld, message: String, code: String) -> Result<()> {
    world
        .step(async |world| {
            let exchange = world.last()?;
            let expected_code = (code != "-").then_some(code.clone());
            let (got_message, got_code) = match &exchange.body {
                ResponseBody::Text(text) => (text.trim().to_owned(), None),
                _ => exchange.error().unwrap_or_else(|| ("(no NocoBase error in the body)".to_owned(), None)),
            };
            if got_message != message || got_code != expected_code {
                return Err(HarnessError::mismatch(Mismatch::new(
                    "the error",
                    format!("{message} ({code})"),
                    format!("{got_message} ({})", got_code.as_deref().unwrap_or("-")),
                    Some(exchange),
                )));
            }
            Ok(())
        })
        .await
}

/// For answers whose wording is the database's own and varies (MariaDB's names the connection, the
/// table and the SQL): the error's message must hold `text`.
#[then(expr = "the error message names {string}")]
async fn error_names(world: &mut TutorialWorld, text: String) -> Result<()> {
    world
        .step(async |world| {
            let exchange = world.last()?;
            match exchange.error() {
                Some((message, _)) if message.contains(&text) => Ok(()),
                other => Err(HarnessError::mismatch(Mismatch::new(
                    "the error message",
                    format!("a message naming {text:?}"),
                    other.map_or_else(|| "no NocoBase error in the body".to_owned(), |(m, _)| m),
                    Some(exchange),
                ))),
            }
        })
        .await
}

#[then(expr = "the response matches the snapshot {string}")]
async fn matches_snapshot(world: &mut TutorialWorld, label: String) -> Result<()> {
    world
        .step(async |world| {
            let exchange = world.last()?;
            let value = world.normalizer.exchange(exchange);
            check_snapshot(world, &label, &value)
        })
        .await
}

/// Checks `value` against the scenario's snapshot called `label`.
pub(crate) fn check_snapshot(world: &TutorialWorld, label: &str, value: &Value) -> Result<()> {
    let name = format!("{}__{}", world.snapshot_prefix, snapshot::slug(label));
    snapshot::handle(&world.suite.config.snapshots, &name, &world.scenario_name, value, world.last.as_ref())
}
