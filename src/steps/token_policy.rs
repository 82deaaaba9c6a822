//! Sessions against keys (feature 14): the administrator's own session, the token policy set
//! through the API (`tokenControlConfig`, put back when the scenario ends), and what an answer
//! hands back: a renewed session token in `X-New-Token`, and whether a browser may read it.

use cucumber::{given, then, when};
use serde_json::json;

use super::{expect_status, require};
use crate::error::{HarnessError, Result};
use crate::exchange::Exchange;
use crate::mismatch::Mismatch;
use crate::world::TutorialWorld;

#[given("the administrator has a session of its own")]
async fn admin_own_session(world: &mut TutorialWorld) -> Result<()> {
    world
        .step(async |world| {
            let (account, password) = (world.suite.config.account.clone(), world.suite.config.password.clone());
            let (token, exchange) = super::session::sign_in(world, &account, &password).await?;
            world.admin = Some(token);
            world.remember(exchange);
            Ok(())
        })
        .await
}

#[when(
    expr = "the administrator sets the token policy to tokens of {string}, sessions of {string}, renewal within {string}"
)]
async fn admin_sets_policy(world: &mut TutorialWorld, token: String, session: String, renewal: String) -> Result<()> {
    world
        .step(async |world| {
            let admin = world.admin()?;
            let current = world.client().token_policy_get(&admin).await?;
            expect_status(&current, 200, "tokenControlConfig:get")?;
            let before = require(current.pointer("/data/config").cloned(), "the token policy's config", &current)?;
            world.changed_token_policy(before);
            let config = json!({"tokenExpirationTime": token, "sessionExpirationTime": session, "expiredTokenRenewLimit": renewal});
            let exchange = world.client().token_policy_update(&admin, config).await?;
            expect_status(&exchange, 200, "tokenControlConfig:update")?;
            world.remember(exchange);
            Ok(())
        })
        .await
}

fn header<'e>(exchange: &'e Exchange, name: &str) -> Option<&'e str> {
    exchange.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

fn no_renewal(exchange: &Exchange, renewed: bool) -> Result<()> {
    let present = header(exchange, "x-new-token").is_some();
    if present == renewed {
        return Ok(());
    }
    Err(HarnessError::mismatch(Mismatch::new(
        "the X-New-Token header",
        if renewed { "a renewed session token" } else { "none: the token is not renewed" },
        if present { "present" } else { "absent" },
        Some(exchange),
    )))
}

#[then("the response hands a renewed session token back")]
async fn renewed(world: &mut TutorialWorld) -> Result<()> {
    world.step(async |world| no_renewal(world.last()?, true)).await
}

#[then("the response hands no new token back")]
async fn not_renewed(world: &mut TutorialWorld) -> Result<()> {
    world.step(async |world| no_renewal(world.last()?, false)).await
}

#[then(expr = "a browser may read the header {string} of the response")]
async fn exposed(world: &mut TutorialWorld, name: String) -> Result<()> {
    world
        .step(async |world| {
            let exchange = world.last()?;
            let exposed = header(exchange, "access-control-expose-headers").unwrap_or_default();
            if exposed.split(',').any(|h| h.trim().eq_ignore_ascii_case(&name)) {
                return Ok(());
            }
            Err(HarnessError::mismatch(Mismatch::new(
                "Access-Control-Expose-Headers",
                format!("to list {name}"),
                if exposed.is_empty() { "absent".to_owned() } else { exposed.to_owned() },
                Some(exchange),
            )))
        })
        .await
}
