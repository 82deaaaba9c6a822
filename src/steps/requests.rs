//! Calls written out as `METHOD resource:action?query`, with the credential described in words —
//! the error matrix of tutorial step 8 and the surprising answers to mistakes. Describing a
//! credential may set it up: a key is issued already expired, a revoked key is issued and
//! deleted, a key's role is taken from its user.

use cucumber::gherkin::Step;
use cucumber::when;
use reqwest::Method;
use serde_json::{Value, json};

use super::expect_status;
use crate::check::jwt;
use crate::client::{ApiRequest, Credential, RequestBody};
use crate::error::{HarnessError, Result};
use crate::secret::Secret;
use crate::world::TutorialWorld;

/// A secret no target uses, for the "signed with another secret" case.
const WRONG_SECRET: &str = "not-the-app-key-of-any-nocobase";

/// Turns `GET todos:list?x` into a method and a path on the scenario's own collection (its
/// name as the feature wrote it becomes the real, tagged one), with `{title}` replaced by that
/// to-do's id.
fn parse_request(world: &TutorialWorld, request: &str) -> Result<(Method, String)> {
    let (method, path) = request
        .split_once(' ')
        .ok_or_else(|| HarnessError::Scenario(format!("write the request as \"METHOD path\", not {request:?}")))?;
    let method =
        Method::from_bytes(method.as_bytes()).map_err(|_| HarnessError::Scenario(format!("bad method {method:?}")))?;
    let end = path.find([':', '/', '?']).unwrap_or(path.len());
    let (resource, rest) = path.split_at(end);
    let resource = if resource == world.collection_name() { world.collection() } else { resource.to_owned() };
    let mut path = format!("{resource}{rest}");
    while let (Some(open), Some(close)) = (path.find('{'), path.find('}')) {
        if close < open || path[open..].starts_with("{\"") {
            break;
        }
        let title = path[open + 1..close].to_owned();
        path.replace_range(open..=close, &world.record_id(&title)?);
    }
    Ok((method, path))
}

/// The credential (and extra headers) a phrase describes, setting up what it needs first (a key
/// revoked, a role taken away, a token minted).
async fn set_up_credential(world: &mut TutorialWorld, phrase: &str) -> Result<(Credential, Vec<(String, String)>)> {
    let quoted = |prefix: &str| phrase.strip_prefix(prefix).and_then(|r| r.strip_suffix('"')).map(str::to_owned);
    if phrase == "no Authorization header" {
        return Ok((Credential::None, vec![]));
    }
    if phrase == "the API key" {
        return Ok((world.main_key()?, vec![]));
    }
    if let Some(token) = quoted("the token \"") {
        // Written in the feature for all to read: sent like a secret, never scrubbed as one.
        return Ok((Credential::Bearer(Secret::literal(token)), vec![]));
    }
    if let Some(header) = quoted("the API key and the header \"") {
        return Ok((world.main_key()?, vec![header_of(world, &header)?]));
    }
    if let Some(header) = quoted("the administrator's session and the header \"") {
        return Ok((world.admin()?, vec![header_of(world, &header)?]));
    }
    if let Some(name) = quoted("the key \"") {
        return Ok((world.key(&name)?, vec![]));
    }
    if phrase == "the administrator's session" {
        return Ok((world.admin()?, vec![]));
    }
    if phrase == "only the administrator's auth cookie" {
        // What a browser that signed in sends: NocoBase's cookies, no Authorization header.
        let Credential::Bearer(session) = world.admin()? else {
            return Err(HarnessError::Scenario("the administrator has no session".into()));
        };
        let cookie = format!("nb_auth_token_main={}; nb_authenticator_main=basic", session.expose());
        return Ok((Credential::None, vec![("Cookie".to_owned(), cookie)]));
    }
    if let Some(role) = quoted("a JWT minted offline with the app key for the role \"") {
        let app_key = world
            .suite
            .app_key
            .clone()
            .ok_or_else(|| HarnessError::Scenario("this scenario needs the target's app key (--app-key)".into()))?;
        let token = jwt::mint(app_key.expose(), world.suite.admin_id()?, &world.tagged(&role), 3600)?;
        return Ok((Credential::Bearer(Secret::new(token)), vec![]));
    }
    match phrase {
        "a JWT signed with another secret" => {
            let token = jwt::mint(WRONG_SECRET, world.suite.admin_id()?, &world.tagged("todos"), 3600)?;
            Ok((Credential::Bearer(Secret::new(token)), vec![]))
        }
        "an API key that has expired" => {
            // "1ms": NocoBase signs `exp = floor(iat + 0.001)`, which is `iat`, and a key is
            // expired once the clock reaches `exp` — at once (checked on NocoBase 2.2.15), so no
            // waiting for a "1s" key to run out.
            super::api_keys::issue_for_admin(world, "short", "todos", "1ms").await?;
            Ok((world.key("short")?, vec![]))
        }
        "an API key that was deleted" => {
            super::api_keys::issue_for_admin(world, "revoked", "todos", "30d").await?;
            let admin = world.admin()?;
            let id = world.keys.get("revoked").and_then(|k| k.id);
            let listed = match id {
                Some(id) => id,
                None => {
                    let exchange = world.client().api_keys_list(&admin, "").await?;
                    super::require::<i64>(None, "the key to revoke, in the administrator's apiKeys:list", &exchange)?
                }
            };
            let exchange = world.client().api_keys_destroy(&admin, listed).await?;
            expect_status(&exchange, 200, "apiKeys:destroy")?;
            if let Some(key) = world.keys.get_mut("revoked") {
                key.keep = true;
            }
            Ok((world.key("revoked")?, vec![]))
        }
        "a key whose role was taken from its user" => {
            extra_role(world, "unassigned", "Unassigned Role").await?;
            super::api_keys::issue_for_admin(world, "unassigned", "unassigned", "30d").await?;
            let (admin, role, id) = (world.admin()?, world.tagged("unassigned"), world.suite.admin_id()?);
            let exchange = world.client().role_users_remove(&admin, &role, &[id]).await?;
            expect_status(&exchange, 200, "roles/<role>/users:remove")?;
            Ok((world.key("unassigned")?, vec![]))
        }
        "a key whose role has no permissions" => {
            extra_role(world, "noperm", "No Permissions Role").await?;
            super::api_keys::issue_for_admin(world, "noperm", "noperm", "30d").await?;
            Ok((world.key("noperm")?, vec![]))
        }
        other => Err(HarnessError::Scenario(format!("unknown credential {other:?}"))),
    }
}

/// A header written `Name: value`. In `X-Role`, a role the scenario created is named as the
/// scenario names it (`todos`), and `(empty)` stands for an empty value.
fn header_of(world: &TutorialWorld, header: &str) -> Result<(String, String)> {
    let (name, value) = header
        .split_once(": ")
        .ok_or_else(|| HarnessError::Scenario(format!("write the header as \"Name: value\", not {header:?}")))?;
    let value = match value {
        "(empty)" => String::new(),
        role if name.eq_ignore_ascii_case("x-role") && world.has_created_role(&world.tagged(role)) => {
            world.tagged(role)
        }
        other => other.to_owned(),
    };
    Ok((name.to_owned(), value))
}

/// A role without permissions, held by the administrator.
async fn extra_role(world: &mut TutorialWorld, role: &str, title: &str) -> Result<()> {
    if world.has_created_role(&world.tagged(role)) {
        return Ok(());
    }
    let body =
        json!({"name": world.tagged(role), "title": world.tagged_title(title), "snippets": ["!ui.*", "!pm", "!pm.*"]});
    let exchange = world.client().roles_create(&world.admin()?, body).await?;
    expect_status(&exchange, 200, "roles:create")?;
    world.created_role(world.tagged(role));
    let exchange = super::roles::assign_to_admin(world, role).await?;
    expect_status(&exchange, 200, "roles/<role>/users:add")
}

async fn call(world: &mut TutorialWorld, request: &str, phrase: &str, body: Option<RequestBody>) -> Result<()> {
    let (method, path) = parse_request(world, request)?;
    let (credential, headers) = set_up_credential(world, phrase).await?;
    let mut api_request = ApiRequest::new(method, path, &credential);
    api_request.headers = headers;
    api_request.body = body;
    let exchange = world.client().send(api_request).await?;
    world.observe(exchange).await?;
    Ok(())
}

/// `a client calls "GET todos:list" with <credential>`; a credential phrase
/// `the API key and the raw JSON body '<text>'` sends `<text>` as an `application/json` body.
#[when(regex = r#"^a client calls "(.+)" with (.+[^:])$"#)]
async fn client_calls(world: &mut TutorialWorld, request: String, phrase: String) -> Result<()> {
    let raw = phrase
        .strip_prefix("the API key and the raw JSON body '")
        .and_then(|r| r.strip_suffix('\''))
        .map(str::to_owned);
    world
        .step(async |world| match raw {
            Some(text) => {
                let body = RequestBody::Raw { content_type: "application/json".into(), bytes: text.into_bytes() };
                call(world, &request, "the API key", Some(body)).await
            }
            None => call(world, &request, &phrase, None).await,
        })
        .await
}

#[when(regex = r#"^a client calls "(.+)" with the API key and the body:$"#)]
async fn client_calls_with_body(world: &mut TutorialWorld, request: String, step: &Step) -> Result<()> {
    world
        .step(async |world| {
            let text = step
                .docstring
                .as_deref()
                .ok_or_else(|| HarnessError::Scenario("this step needs a JSON docstring".into()))?;
            let body: Value = serde_json::from_str(text)
                .map_err(|e| HarnessError::Scenario(format!("the step's JSON does not parse: {e}")))?;
            call(world, &request, "the API key", Some(RequestBody::Json(body))).await
        })
        .await
}
