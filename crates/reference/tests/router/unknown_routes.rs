//! URLs that name no resource or action: Koa's plain-text 404, before authentication.

use super::*;

#[tokio::test]
async fn unknown_resources_actions_and_shapes_are_not_found() {
    // Arrange (recordings api/73, 74, 83, 85; probes 503, 507, 531, 533)
    let server = Server::new();
    let admin = server.admin().await;
    server.todos(&admin).await;
    let requests = [
        (Method::GET, "/api/no_such_collection:list"),
        (Method::GET, "/api/todos:frobnicate"),
        (Method::GET, "/api/todos:LIST"),
        (Method::GET, "/api/todos%3Alist"),
        (Method::GET, "/api/"),
        (Method::GET, "/api//todos:list"),
        (Method::PATCH, "/api/todos"),
        (Method::PUT, "/api/todos"),
    ];

    for (method, uri) in requests {
        // Act
        let answer = server.call(method, uri, None, None).await;

        // Assert
        answer.assert_not_found();
    }
}

#[tokio::test]
async fn api_without_a_slash_is_the_web_app() {
    // Arrange (probe 504)
    let server = Server::new();

    // Act
    let answer = server.get("/api", None).await;

    // Assert
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.content_type(), Some("text/html; charset=utf-8"));
    assert!(answer.text.starts_with("<!DOCTYPE html>"));
}
