//! Each mistake people make with a target gets a message a person can act on and exit code 2
//! ("could not run"), provoked with a wiremock server playing the bad target.

use std::time::Duration;

use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::support::{UNSIGNED_API_KEY, healthy, run};

#[tokio::test]
async fn connection_refused_says_nothing_answers() {
    // Arrange: port 9 on loopback has no listener.
    // Act
    let out = run(&["run", "--base-url", "http://127.0.0.1:9/api", "--ready-timeout", "1"]).await;
    // Assert
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stderr.contains("cannot reach http://127.0.0.1:9/api/__health_check"), "{}", out.stderr);
    assert!(out.stderr.contains("is NocoBase running there?"), "{}", out.stderr);
}

#[tokio::test]
async fn a_silent_target_times_out() {
    let server = MockServer::start().await;
    Mock::given(path("/api/__health_check"))
        .respond_with(ResponseTemplate::new(200).set_body_string("ok").set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let base = format!("{}/api", server.uri());
    let out = run(&["run", "--base-url", &base, "--timeout", "1"]).await;
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stderr.contains("did not answer within 1s"), "{}", out.stderr);
}

#[tokio::test]
async fn a_base_url_without_api_gets_the_web_app_and_a_suggestion() {
    // NocoBase serves its web app (HTML) outside /api.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "text/html; charset=utf-8")
                .set_body_string("<!DOCTYPE html><html><title>Loading...</title></html>"),
        )
        .mount(&server)
        .await;
    let out = run(&["run", "--base-url", &server.uri()]).await;
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stderr.contains("with an HTML page"), "{}", out.stderr);
    assert!(out.stderr.contains(&format!("try --base-url {}/api", server.uri())), "{}", out.stderr);
}

#[tokio::test]
async fn a_deployment_behind_a_path_gets_the_web_app_at_api_and_is_told_where_the_api_is() {
    // NocoBase started with API_BASE_PATH=/nocobase/api/ serves its web app at /api.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "text/html; charset=utf-8")
                .set_body_string("<!DOCTYPE html><html><title>Loading...</title></html>"),
        )
        .mount(&server)
        .await;
    let out = run(&["run", "--base-url", &format!("{}/api", server.uri())]).await;
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stderr.contains("with an HTML page"), "{}", out.stderr);
    assert!(!out.stderr.contains("try --base-url"), "the same URL is no suggestion: {}", out.stderr);
    assert!(out.stderr.contains("API_BASE_PATH"), "{}", out.stderr);
    assert!(out.stderr.contains(&format!("e.g. {}/nocobase/api", server.uri())), "{}", out.stderr);
}

#[tokio::test]
async fn a_server_that_stays_starting_is_waited_for_then_reported() {
    let server = MockServer::start().await;
    let starting = json!({"error": {"status": 503, "code": "APP_INITIALIZING", "message": "load plugin [ai], 50/77", "maintaining": true}});
    Mock::given(path("/api/__health_check"))
        .respond_with(ResponseTemplate::new(503).set_body_json(starting))
        .mount(&server)
        .await;
    let base = format!("{}/api", server.uri());
    let started = std::time::Instant::now();
    let out = run(&["run", "--base-url", &base, "--ready-timeout", "2"]).await;
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(started.elapsed() >= Duration::from_secs(2), "it must wait for the bound before giving up");
    assert!(out.stderr.contains("was still starting after 2s (last answer: 503 APP_INITIALIZING)"), "{}", out.stderr);
}

#[tokio::test]
async fn a_server_that_finishes_starting_is_used_and_refused_credentials_are_named() {
    let server = MockServer::start().await;
    let starting = json!({"error": {"status": 503, "code": "APP_COMMANDING", "maintaining": true}});
    Mock::given(path("/api/__health_check"))
        .respond_with(ResponseTemplate::new(503).set_body_json(starting))
        .up_to_n_times(3)
        .with_priority(1)
        .mount(&server)
        .await;
    healthy(&server).await;
    Mock::given(path("/api/auth:signIn"))
        .respond_with(ResponseTemplate::new(401).set_body_json(
            json!({"errors": [{"message": "The username/email or password is incorrect, please re-enter"}]}),
        ))
        .mount(&server)
        .await;
    let base = format!("{}/api", server.uri());
    let out = run(&["run", "--base-url", &base, "--password", "wrong-password-value"]).await;
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(
        out.stderr
            .contains("signing in as admin@nocobase.com was refused: 401 The username/email or password is incorrect"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("--account and --password"), "{}", out.stderr);
    assert!(!out.all().contains("wrong-password-value"), "the password must never be printed");
}

#[tokio::test]
async fn a_failing_server_that_is_not_json_is_reported() {
    let server = MockServer::start().await;
    Mock::given(path("/api/__health_check"))
        .respond_with(ResponseTemplate::new(502).set_body_string("Bad Gateway"))
        .mount(&server)
        .await;
    let base = format!("{}/api", server.uri());
    let out = run(&["run", "--base-url", &base]).await;
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stderr.contains("it answered 502 with Bad Gateway"), "{}", out.stderr);
    assert!(out.stderr.contains("the server is failing"), "{}", out.stderr);
}

#[tokio::test]
async fn a_redirect_is_not_followed() {
    let server = MockServer::start().await;
    Mock::given(path("/api/__health_check"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", "https://login.example.invalid/"))
        .mount(&server)
        .await;
    let base = format!("{}/api", server.uri());
    let out = run(&["run", "--base-url", &base]).await;
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stderr.contains("it redirects (302)"), "{}", out.stderr);
    assert!(out.stderr.contains("does not follow redirects"), "{}", out.stderr);
}

#[tokio::test]
async fn a_key_without_view_permission_is_named_in_key_only_mode() {
    let server = MockServer::start().await;
    healthy(&server).await;
    Mock::given(path("/api/todos:list"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"errors": [{"message": "No permissions"}]})))
        .mount(&server)
        .await;
    let base = format!("{}/api", server.uri());
    let key = UNSIGNED_API_KEY;
    let out = run(&["run", "--base-url", &base, "--api-key", key]).await;
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stderr.contains("the API key cannot be used on todos: 403 No permissions"), "{}", out.stderr);
    assert!(out.stderr.contains("has no View permission on todos"), "{}", out.stderr);
    assert!(!out.all().contains(key), "the key must never be printed");
}

#[tokio::test]
async fn bad_flags_are_refused_before_anything_runs() {
    let unknown = run(&["run", "--no-such-flag"]).await;
    assert_eq!(unknown.code, 2, "{}", unknown.all());
    assert!(unknown.stderr.contains("unexpected argument '--no-such-flag'"), "{}", unknown.stderr);

    let not_a_url = run(&["run", "--base-url", "127.0.0.1:13000"]).await;
    assert_eq!(not_a_url.code, 2, "{}", not_a_url.all());
    assert!(not_a_url.stderr.contains("expected e.g. http://127.0.0.1:13000/api"), "{}", not_a_url.stderr);

    let embedded_with_url = run(&["run", "--target", "embedded", "--base-url", "http://127.0.0.1:13000/api"]).await;
    assert_eq!(embedded_with_url.code, 2);
    assert!(embedded_with_url.stderr.contains("drop --base-url"), "{}", embedded_with_url.stderr);
}
