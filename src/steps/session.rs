//! Signing in: the administrator's session (every set-up step uses it) and the sign-in checks of
//! the tutorial's step 0.

use cucumber::{given, then, when};
use serde_json::Value;

use super::{expect_status, require};
use crate::check::jwt;
use crate::error::{HarnessError, Result};
use crate::exchange::Exchange;
use crate::mismatch::Mismatch;
use crate::secret::Secret;
use crate::world::TutorialWorld;

/// Signs the administrator in and keeps the session.
/// The administrator's session: the one the run signed in with (one sign-in per run; scenarios
/// that test signing in sign in themselves), else a session of the scenario's own.
pub(crate) async fn sign_in_admin(world: &mut TutorialWorld) -> Result<()> {
    if let Some(session) = world.suite.admin_session() {
        world.admin = Some(session.clone());
        return Ok(());
    }
    let (account, password) = (world.suite.config.account.clone(), world.suite.config.password.clone());
    let (token, exchange) = sign_in(world, &account, &password).await?;
    world.admin = Some(token);
    world.observe(exchange).await?;
    Ok(())
}

/// Signs an account in during a scenario. The suite signed the administrator in before any
/// scenario ran, so a refusal now is the target's doing: a conformance failure, not "could not run".
pub(crate) async fn sign_in(world: &TutorialWorld, account: &str, password: &Secret) -> Result<(Secret, Exchange)> {
    let exchange = world.client().auth_sign_in(account, password).await?;
    expect_status(&exchange, 200, &format!("auth:signIn as {account}"))?;
    let token = require(exchange.pointer("/data/token").and_then(Value::as_str), "auth:signIn's token", &exchange)?;
    Ok((Secret::new(token), exchange))
}

#[given("the administrator is signed in")]
async fn admin_is_signed_in(world: &mut TutorialWorld) -> Result<()> {
    world.step(async |world| sign_in_admin(world).await).await
}

#[when("the administrator signs in")]
async fn admin_signs_in(world: &mut TutorialWorld) -> Result<()> {
    world
        .step(async |world| {
            let config = &world.suite.config;
            let exchange = world.client().auth_sign_in(&config.account, &config.password).await?;
            if let Some(token) = exchange.pointer("/data/token").and_then(Value::as_str) {
                let token = Secret::new(token);
                world.admin = Some(token.clone());
                world.last_token = Some(token);
            }
            world.observe(exchange).await?;
            Ok(())
        })
        .await
}

#[when(expr = "someone signs in as the administrator with the password {string}")]
async fn sign_in_with_password(world: &mut TutorialWorld, password: String) -> Result<()> {
    world
        .step(async |world| {
            let account = world.suite.config.account.clone();
            let exchange = world.client().auth_sign_in(&account, &Secret::literal(password)).await?;
            world.observe(exchange).await?;
            Ok(())
        })
        .await
}

#[when("someone signs in without an account")]
async fn sign_in_without_account(world: &mut TutorialWorld) -> Result<()> {
    world
        .step(async |world| {
            let exchange = world.client().auth_sign_in("", &world.suite.config.password.clone()).await?;
            world.observe(exchange).await?;
            Ok(())
        })
        .await
}

#[when("the administrator checks who is signed in")]
async fn admin_checks(world: &mut TutorialWorld) -> Result<()> {
    world
        .step(async |world| {
            let exchange = world.client().auth_check(&world.admin()?).await?;
            world.observe(exchange).await?;
            Ok(())
        })
        .await
}

#[then("the response holds the signed-in user and a token")]
async fn holds_user_and_token(world: &mut TutorialWorld) -> Result<()> {
    world
        .step(async |world| {
            let exchange = world.last()?;
            let id = require(exchange.pointer("/data/user/id").and_then(Value::as_i64), "data.user.id", exchange)?;
            require(exchange.pointer("/data/token").and_then(Value::as_str), "data.token", exchange)?;
            if exchange.pointer("/data/user/password").is_some() {
                return Err(HarnessError::mismatch(Mismatch::new(
                    "data.user.password",
                    "never shown",
                    "shown",
                    Some(exchange),
                )));
            }
            if id != world.suite.admin_id()? {
                return Err(HarnessError::mismatch(Mismatch::new(
                    "data.user.id",
                    world.suite.admin_id()?.to_string(),
                    id.to_string(),
                    Some(exchange),
                )));
            }
            Ok(())
        })
        .await
}

#[then(
    expr = "the session token's claims are userId, temp, iat, signInTime, exp and jti, with exp - iat = {int} seconds"
)]
async fn session_claims(world: &mut TutorialWorld, lifetime: i64) -> Result<()> {
    world
        .step(async |world| {
            let exchange = world.last()?.clone();
            let token = require(exchange.pointer("/data/token").and_then(Value::as_str), "data.token", &exchange)?;
            jwt::expect_claims(token, &["userId", "temp", "iat", "signInTime", "exp", "jti"], lifetime, &exchange)?;
            let payload = jwt::decode_claims(token).unwrap_or_default();
            if payload.get("temp") != Some(&Value::Bool(true)) {
                return Err(HarnessError::mismatch(Mismatch::new(
                    "claim temp",
                    "true",
                    format!("{:?}", payload.get("temp")),
                    Some(&exchange),
                )));
            }
            Ok(())
        })
        .await
}

#[then("the checked user is the administrator")]
async fn checked_user_is_admin(world: &mut TutorialWorld) -> Result<()> {
    world
        .step(async |world| {
            let exchange = world.last()?;
            expect_status(exchange, 200, "auth:check")?;
            let id = require(exchange.pointer("/data/id").and_then(Value::as_i64), "data.id", exchange)?;
            let roles = require(exchange.pointer("/data/roles").and_then(Value::as_array), "data.roles", exchange)?;
            if id != world.suite.admin_id()? || roles.is_empty() || exchange.pointer("/data/password").is_some() {
                return Err(HarnessError::mismatch(Mismatch::new(
                    "the checked user",
                    format!("user {} with roles and no password", world.suite.admin_id()?),
                    format!("user {id}, {} roles", roles.len()),
                    Some(exchange),
                )));
            }
            Ok(())
        })
        .await
}
