//! The token policy (`tokenControlConfig`) and what it does to sessions, as NocoBase 2.2.15 does
//! it (recordings 2.2.15-lifecycle/411-439, 642, 643): read and saved by root, refused to a key
//! of a role without the snippet; past its times a session token is renewed or refused, an API
//! key never is.

use super::*;

const POLICY_URI: &str = "/api/tokenControlConfig:get?filterByTk=token-policy-config";
const UPDATE_URI: &str = "/api/tokenControlConfig:update?filterByTk=token-policy-config";
const EXPIRED: &str = "Your session has expired. Please sign in again.";

/// A policy body as the admin UI sends it.
fn policy(token: &str, session: &str, renew: &str) -> Value {
    json!({"config": {"tokenExpirationTime": token, "sessionExpirationTime": session, "expiredTokenRenewLimit": renew}})
}

/// A token's claims (the signature is not checked).
fn claims(token: &str) -> Value {
    jsonwebtoken::dangerous::insecure_decode_claims::<Value>(token).expect("a JWT")
}

/// The `Set-Cookie` headers of an answer.
fn set_cookies(answer: &Answer) -> Vec<String> {
    answer.headers.get_all(header::SET_COOKIE).iter().map(|v| v.to_str().expect("ASCII").to_owned()).collect()
}

/// Whether `text` is an ISO timestamp as NocoBase writes them (`2026-12-05T13:31:41.716Z`).
fn is_iso(text: &Value) -> bool {
    text.as_str().is_some_and(|t| t.len() == 24 && t.ends_with('Z') && t.as_bytes()[10] == b'T')
}

impl Server {
    async fn set_policy(&self, admin: &str, token: &str, session: &str, renew: &str) {
        let answer = self.post(UPDATE_URI, Some(admin), &policy(token, session, renew)).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    }
}

#[tokio::test]
async fn a_fresh_install_has_the_default_policy() {
    // Arrange (recording 411)
    let server = Server::new();
    let admin = server.admin().await;

    // Act
    let answer = server.get(POLICY_URI, Some(&admin)).await;

    // Assert
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.content_type(), Some(JSON_TYPE));
    let body = answer.json();
    let created = &body["data"]["createdAt"];
    assert!(is_iso(created), "{created}");
    assert_eq!(
        body,
        json!({"data": {
            "createdAt": created, "updatedAt": created, "key": "token-policy-config",
            "config": {"tokenExpirationTime": "1d", "sessionExpirationTime": "7d", "expiredTokenRenewLimit": "1d"},
            "createdById": null, "updatedById": null
        }})
    );
}

#[tokio::test]
async fn root_saves_a_policy_and_it_is_answered_as_an_array() {
    // Arrange (recordings 412, 413)
    let server = Server::new();
    let admin = server.admin().await;
    let created = server.get(POLICY_URI, Some(&admin)).await.json()["data"]["createdAt"].clone();

    // Act
    let updated = server.post(UPDATE_URI, Some(&admin), &policy("10s", "60s", "20s")).await;
    let read = server.get(POLICY_URI, Some(&admin)).await;

    // Assert
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.text);
    let row = updated.json()["data"][0].clone();
    assert!(is_iso(&row["updatedAt"]), "{row}");
    let expected = json!({
        "createdAt": created, "updatedAt": row["updatedAt"], "key": "token-policy-config",
        "config": {"tokenExpirationTime": "10s", "sessionExpirationTime": "60s", "expiredTokenRenewLimit": "20s"},
        "createdById": null, "updatedById": 1
    });
    assert_eq!(updated.json(), json!({"data": [expected]}));
    assert_eq!(read.json(), json!({"data": expected}));
}

#[tokio::test]
async fn a_key_of_a_role_without_the_snippet_may_not_save_it_even_as_root() {
    // Arrange (recordings 642, 643: the key's role replaces `X-Role`)
    let server = Server::new();
    let admin = server.admin().await;
    server.todos(&admin).await;
    let key = server.title_only_key(&admin).await;

    for x_role in [None, Some("root")] {
        // Act
        let mut request = Request::builder()
            .method(Method::POST)
            .uri(UPDATE_URI)
            .header(header::AUTHORIZATION, format!("Bearer {key}"))
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(role) = x_role {
            request = request.header("x-role", role);
        }
        let body = Body::from(policy("1ms", "1ms", "1ms").to_string());
        let answer = server.send(request.body(body).expect("a request")).await;

        // Assert
        answer.assert_error(StatusCode::FORBIDDEN, "No permissions", None);
    }
    let kept = server.get(POLICY_URI, Some(&admin)).await.json();
    assert_eq!(kept["data"]["config"]["tokenExpirationTime"], "1d");
}

#[tokio::test]
async fn a_policy_ms_cannot_read_is_refused_and_the_old_one_kept() {
    // Arrange (`setConfig`'s `ms` throws in the save's hook; `config` is NOT NULL)
    let server = Server::new();
    let admin = server.admin().await;
    let missing = json!({"config": {"tokenExpirationTime": "1d", "sessionExpirationTime": "7d"}});

    // Act
    let refused = server.post(UPDATE_URI, Some(&admin), &missing).await;
    let null = server.post(UPDATE_URI, Some(&admin), &json!({"config": null})).await;

    // Assert
    refused.assert_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "val is not a non-empty string or a valid number. val=undefined",
        None,
    );
    null.assert_error(StatusCode::BAD_REQUEST, "config cannot be null", None);
    let kept = server.get(POLICY_URI, Some(&admin)).await.json();
    assert_eq!(kept["data"]["config"]["expiredTokenRenewLimit"], "1d");
    assert_eq!(kept["data"]["updatedById"], Value::Null);
}

#[tokio::test]
async fn sign_in_follows_the_policy() {
    // Arrange (recording 414: exp = iat + 10, cookies for 60 s)
    let server = Server::new();
    let admin = server.admin().await;
    server.set_policy(&admin, "10s", "60s", "20s").await;

    // Act
    let signed_in =
        server.post("/api/auth:signIn", None, &json!({"account": "admin@nocobase.com", "password": "admin123"})).await;

    // Assert
    assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.text);
    let token = claims(signed_in.json()["data"]["token"].as_str().expect("a token"));
    assert_eq!(token["exp"].as_i64().expect("exp") - token["iat"].as_i64().expect("iat"), 10);
    let cookie = &set_cookies(&signed_in)[0];
    let expires = cookie.split("expires=").nth(1).and_then(|rest| rest.split(';').next()).expect("an expiry");
    let expires = time::OffsetDateTime::parse(expires, &time::format_description::well_known::Rfc2822)
        .expect("an HTTP date")
        .unix_timestamp();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    assert!((58..=61).contains(&(expires - now)), "{cookie}");
}

#[tokio::test]
async fn past_the_token_lifetime_a_session_is_renewed_once_and_replayed() {
    // Arrange (recordings 417, 418)
    let server = Server::new();
    let admin = server.admin().await;
    let session = server.admin().await;
    server.set_policy(&admin, "1ms", "7d", "1d").await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;

    // Act
    let renewed = server.get("/api/auth:check", Some(&session)).await;
    let again = server.get("/api/auth:check", Some(&session)).await;

    // Assert
    assert_eq!(renewed.status, StatusCode::OK, "{}", renewed.text);
    assert_eq!(renewed.json()["data"]["id"], 1);
    let new_token = renewed.headers.get("x-new-token").and_then(|v| v.to_str().ok()).expect("a new token");
    let (old, new) = (claims(&session), claims(new_token));
    assert_eq!(new["userId"], 1);
    assert_eq!(new["temp"], true);
    assert_eq!(new["signInTime"], old["signInTime"]);
    assert_eq!(new["exp"], new["iat"]);
    assert_ne!(new["jti"], old["jti"]);
    let cookies = set_cookies(&renewed);
    assert_eq!(cookies.len(), 2, "{cookies:?}");
    assert!(cookies[0].starts_with(&format!("nb_auth_token_main={new_token}; path=/; expires=")), "{cookies:?}");
    assert!(cookies[1].starts_with("nb_authenticator_main=basic; path=/; expires="), "{cookies:?}");
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    assert_eq!(again.headers.get("x-new-token").and_then(|v| v.to_str().ok()), Some(new_token));
}

#[tokio::test]
async fn an_api_key_is_never_renewed() {
    // Arrange (recordings 420, 435, 436)
    let server = Server::new();
    let admin = server.admin().await;
    server.todos(&admin).await;
    let key = server.title_only_key(&admin).await;
    let session = server.admin().await;
    server.set_policy(&session, "1ms", "1ms", "1ms").await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;

    // Act
    let listed = server.get("/api/todos:list?pageSize=1", Some(&key)).await;
    let checked = server.get("/api/auth:check", Some(&key)).await;

    // Assert
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text);
    assert_eq!(listed.json()["data"], json!([{"title": "Buy milk", "id": 1}]));
    assert_eq!(checked.status, StatusCode::OK, "{}", checked.text);
    for answer in [&listed, &checked] {
        assert!(answer.headers.get("x-new-token").is_none());
        assert!(set_cookies(answer).is_empty());
    }
}

#[tokio::test]
async fn a_session_past_its_lifetime_is_over() {
    // Arrange (recording 434: the session's age is checked before anything else)
    let server = Server::new();
    let admin = server.admin().await;
    server.set_policy(&admin, "1d", "1ms", "1d").await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;

    // Act
    let answer = server.get("/api/auth:check", Some(&admin)).await;

    // Assert
    answer.assert_error(StatusCode::UNAUTHORIZED, EXPIRED, Some("EXPIRED_SESSION"));
}

#[tokio::test]
async fn a_token_expired_longer_than_the_renew_limit_is_not_renewed() {
    // Arrange (recording 433: a session signed under the policy, so `exp` = `iat`)
    let server = Server::new();
    let admin = server.admin().await;
    server.set_policy(&admin, "1ms", "7d", "1ms").await;
    let session = server.admin().await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;

    // Act
    let answer = server.get("/api/auth:check", Some(&session)).await;

    // Assert
    answer.assert_error(StatusCode::UNAUTHORIZED, EXPIRED, Some("EXPIRED_SESSION"));
}

#[tokio::test]
async fn an_event_stream_is_not_renewed() {
    // Arrange (recording 432)
    let server = Server::new();
    let admin = server.admin().await;
    server.set_policy(&admin, "1ms", "7d", "1d").await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let request = Request::builder()
        .uri("/api/auth:check")
        .header(header::AUTHORIZATION, format!("Bearer {admin}"))
        .header(header::ACCEPT, "text/event-stream")
        .body(Body::empty())
        .expect("a request");

    // Act
    let answer = server.send(request).await;

    // Assert
    answer.assert_error(StatusCode::UNAUTHORIZED, "Stream api not allow renew token.", Some("SKIP_TOKEN_RENEW"));
}

#[tokio::test]
async fn the_policy_survives_a_restart() {
    // Arrange
    let dir = tempfile::tempdir().expect("a temp dir");
    let db = dir.path().join("reference.sqlite");
    let before = Server::open(Some(&db));
    let admin = before.admin().await;
    before.set_policy(&admin, "10s", "60s", "20s").await;
    drop(before);

    // Act
    let after = Server::open(Some(&db));
    let token = after.admin().await;
    let read = after.get(POLICY_URI, Some(&token)).await;

    // Assert
    assert_eq!(read.json()["data"]["config"]["sessionExpirationTime"], "60s");
    let token = claims(&token);
    assert_eq!(token["exp"].as_i64().expect("exp") - token["iat"].as_i64().expect("iat"), 10);
}

#[tokio::test]
async fn a_renewal_stays_on_an_action_that_fails() {
    // Arrange (the renewal's headers are set before the action; NocoBase's error handler keeps
    // them on the error it answers)
    let server = Server::new();
    let admin = server.admin().await;
    server.set_policy(&admin, "1ms", "7d", "1d").await;
    let session = server.admin().await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;

    // Act
    let answer = server.post(UPDATE_URI, Some(&session), &json!({"config": null})).await;

    // Assert
    answer.assert_error(StatusCode::BAD_REQUEST, "config cannot be null", None);
    let new_token = answer.headers.get("x-new-token").and_then(|v| v.to_str().ok()).expect("a new token");
    assert_eq!(claims(new_token)["signInTime"], claims(&session)["signInTime"]);
    assert_eq!(set_cookies(&answer).len(), 2);
}
