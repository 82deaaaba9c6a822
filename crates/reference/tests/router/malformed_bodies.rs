//! Malformed JSON bodies: co-body's strict parse, V8's message, a 400 — before routing.

use super::*;

#[tokio::test]
async fn a_truncated_object_gets_v8s_message() {
    // Arrange (recording 2.2.15-api/79)
    let server = Server::new();
    let admin = server.admin().await;
    server.todos(&admin).await;

    // Act
    let answer = server.call(Method::POST, "/api/todos:create", Some(&admin), Some("{\"title\": \"broken\", ")).await;

    // Assert
    answer.assert_error(StatusCode::BAD_REQUEST, "Expected double-quoted property name in JSON at position 20", None);
}

#[tokio::test]
async fn an_unfinished_body_is_refused_even_for_an_unknown_resource() {
    // Arrange: bodyParser runs before the resourcer (checked against NocoBase 2.2.15)
    let server = Server::new();

    // Act
    let answer = server.call(Method::POST, "/api/no_such_thing:list", None, Some("{\"a\":")).await;

    // Assert
    answer.assert_error(StatusCode::BAD_REQUEST, "Unexpected end of JSON input", None);
}

#[tokio::test]
async fn json_scalars_are_not_bodies() {
    // Arrange (probes 328, 329)
    let server = Server::new();
    let admin = server.admin().await;
    server.todos(&admin).await;

    for scalar in ["\"x\"", "null", "42"] {
        // Act
        let answer = server.call(Method::POST, "/api/todos:create", Some(&admin), Some(scalar)).await;

        // Assert
        answer.assert_error(StatusCode::BAD_REQUEST, "invalid JSON, only supports object and array", None);
    }
}

#[tokio::test]
async fn form_bodies_are_read_and_text_bodies_ignored() {
    // Arrange (probes 332, 333)
    let server = Server::new();
    let admin = server.admin().await;
    server.todos(&admin).await;
    let create = |content_type: &'static str, body: &'static str| {
        Request::post("/api/todos:create")
            .header(header::AUTHORIZATION, format!("Bearer {admin}"))
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .expect("a valid request")
    };

    // Act
    let form = server.send(create("application/x-www-form-urlencoded", "title=x")).await;
    let text = server.send(create("text/plain", "{\"title\":\"x\"}")).await;

    // Assert
    assert_eq!(form.json(), json!({"data": {"id": 4, "title": "x"}}));
    assert_eq!(text.json(), json!({"data": {"id": 5}}));
}
