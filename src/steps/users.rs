//! The dedicated "To Dos API User" (tutorial step 3, optional): created with the role the way the
//! admin UI does it (the whole role record in `roles`), a generated password, and its session.

use cucumber::{given, when};
use rand::RngExt;
use serde_json::{Value, json};

use super::fixtures::{self, Vars};
use super::{expect_status, require};
use crate::error::Result;
use crate::exchange::Exchange;
use crate::secret::Secret;
use crate::world::{TutorialWorld, UserInfo};

fn generated_password() -> Secret {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut rng = rand::rng();
    let text: String = (0..24).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect();
    Secret::new(format!("Pw-{text}"))
}

/// Creates the user with the role; the body carries the role record as the admin UI sends it.
async fn create_user(world: &mut TutorialWorld, username: &str, role: &str) -> Result<Exchange> {
    let admin = world.admin()?;
    let role_record = world.client().roles_get(&admin, &world.tagged(role)).await?;
    expect_status(&role_record, 200, "roles:get")?;
    let record = require(role_record.pointer("/data").cloned(), "data", &role_record)?;
    let password = generated_password();
    let mut vars = Vars::new();
    vars.insert("username", json!(world.tagged(username)));
    vars.insert("email", json!(world.tagged_email(&format!("{}@example.com", username.replace('_', "-")))));
    vars.insert("password", json!(password.expose()));
    vars.insert("role_record", json!([record]));
    let body = fixtures::body("user-todos-api-user", &vars)?;
    let exchange = world.client().users_create(&admin, body).await?;
    if let (200, Some(id)) = (exchange.status, exchange.pointer("/data/id").and_then(Value::as_i64)) {
        let info = UserInfo { id, username: world.tagged(username), password, session: None };
        world.created_user(username, info);
    }
    Ok(exchange)
}

/// Signs the created user in and keeps the session.
pub(crate) async fn sign_in_user(world: &mut TutorialWorld, username: &str) -> Result<()> {
    let info = world
        .users
        .get(username)
        .cloned()
        .ok_or_else(|| crate::error::HarnessError::Scenario(format!("no user \"{username}\" was created")))?;
    let (token, _) = super::session::sign_in(world, &info.username, &info.password).await?;
    if let Some(user) = world.users.get_mut(username) {
        user.session = Some(token);
    }
    Ok(())
}

async fn user_with_role(world: &mut TutorialWorld, username: &str, role: &str) -> Result<()> {
    let exchange = create_user(world, username, role).await?;
    expect_status(&exchange, 200, "users:create")?;
    sign_in_user(world, username).await
}

#[when(expr = "the administrator creates the user {string} with the role {string}")]
async fn admin_creates_user(world: &mut TutorialWorld, username: String, role: String) -> Result<()> {
    world
        .step(async |world| {
            let exchange = create_user(world, &username, &role).await?;
            world.observe(exchange).await?;
            Ok(())
        })
        .await
}

#[when(expr = "the administrator lists the roles of the user {string}")]
async fn admin_lists_user_roles(world: &mut TutorialWorld, username: String) -> Result<()> {
    world
        .step(async |world| {
            let id =
                world.users.get(&username).map(|u| u.id).ok_or_else(|| {
                    crate::error::HarnessError::Scenario(format!("no user \"{username}\" was created"))
                })?;
            let exchange = world.client().user_roles_list(&world.admin()?, id).await?;
            world.observe(exchange).await?;
            Ok(())
        })
        .await
}

#[given(expr = "the user {string} holds the role {string}")]
async fn user_holds_role(world: &mut TutorialWorld, username: String, role: String) -> Result<()> {
    world.step(async |world| user_with_role(world, &username, &role).await).await
}

#[given(expr = "the user {string} holds the role {string} and may manage API keys")]
async fn user_holds_role_with_keys(world: &mut TutorialWorld, username: String, role: String) -> Result<()> {
    world
        .step(async |world| {
            user_with_role(world, &username, &role).await?;
            super::roles::allow_key_management(world, &role).await
        })
        .await
}
