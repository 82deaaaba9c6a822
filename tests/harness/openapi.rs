//! Response validation can fail: a wiremock target whose answer breaks its own OpenAPI document
//! fails the step (exit 1, "did not conform"), and the message names the place in the body and in
//! the document.

use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::support::{Run, UNSIGNED_API_KEY, healthy, project, run};

/// NocoBase 2.2.15's own document for the `todos` collection, as recorded.
fn recorded_document() -> Value {
    let file = project().join("fixtures/recordings/2.2.15-api/19-swagger-get-ns-collections-todos.json");
    let exchange: Value =
        serde_json::from_str(&std::fs::read_to_string(file).expect("recording read")).expect("recording parses");
    exchange["response"]["body"].clone()
}

/// A target that is up, publishes `document` for `todos` and lists `records` with an API key.
async fn target(document: Value, records: Value) -> MockServer {
    let server = MockServer::start().await;
    healthy(&server).await;
    Mock::given(method("GET"))
        .and(path("/api/swagger:get"))
        .and(query_param("ns", "collections/todos"))
        .respond_with(ResponseTemplate::new(200).set_body_json(document))
        .mount(&server)
        .await;
    let meta = json!({"count": 1, "page": 1, "pageSize": 5, "totalPage": 1});
    Mock::given(method("GET"))
        .and(path("/api/todos:list"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": records, "meta": meta})))
        .mount(&server)
        .await;
    server
}

/// Runs the key-only scenario that lists the records, against `server`.
async fn list_with_a_key(server: &MockServer) -> Run {
    let base = format!("{}/api", server.uri());
    run(&["run", "--base-url", &base, "--api-key", UNSIGNED_API_KEY, "--name", "The key lists the records"]).await
}

#[tokio::test]
async fn a_response_that_breaks_the_targets_own_document_fails_the_step() {
    // Arrange: the record's id is a string; the document says integer.
    let server = target(recorded_document(), json!([{"id": "one", "title": "eat food", "completed": false}])).await;
    // Act
    let out = list_with_a_key(&server).await;
    // Assert
    assert_eq!(out.code, 1, "a schema violation is a failure to conform: {}", out.all());
    assert!(out.stdout.contains("against the target's OpenAPI document"), "{}", out.stdout);
    assert!(out.stdout.contains("body /data/0/id"), "the place in the body is named: {}", out.stdout);
    assert!(out.stdout.contains("/properties/id/type)"), "the place in the document is named: {}", out.stdout);
    assert!(out.stdout.contains("1 scenario (1 failed)"), "{}", out.stdout);
}

#[tokio::test]
async fn the_same_target_answering_as_its_document_says_passes() {
    // Arrange: the same target, with a record the document describes.
    let server = target(recorded_document(), json!([{"id": 1, "title": "eat food", "completed": false}])).await;
    // Act
    let out = list_with_a_key(&server).await;
    // Assert: validated (the document was asked for) and passed.
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(out.stdout.contains("1 scenario (1 passed)"), "{}", out.stdout);
    let asked = server.received_requests().await.expect("requests recorded");
    assert!(asked.iter().any(|r| r.url.path() == "/api/swagger:get"), "the document was fetched");
}
