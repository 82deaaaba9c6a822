//! Request sizes beyond NocoBase's limits: koa-bodyparser's 10 MB and Node's 16 KiB head.

use super::*;

#[tokio::test]
async fn an_eleven_megabyte_body_is_too_large() {
    // Arrange (probe 334)
    let server = Server::new();
    let admin = server.admin().await;
    server.todos(&admin).await;
    let body = json!({"title": "B".repeat(11 * 1024 * 1024)}).to_string();

    // Act
    let answer = server.call(Method::POST, "/api/todos:create", Some(&admin), Some(&body)).await;

    // Assert
    answer.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "request entity too large", None);
}

#[tokio::test]
async fn a_seventeen_kilobyte_query_is_refused_by_node() {
    // Arrange (probes 524, 525)
    let server = Server::new();
    let long = format!("/api/todos:list?x={}", "a".repeat(17 * 1024));

    // Act
    let answer = server.get(&long, None).await;

    // Assert
    assert_eq!(answer.status, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    assert_eq!(answer.headers.get(header::CONNECTION).and_then(|v| v.to_str().ok()), Some("close"));
    assert_eq!(answer.text, "");
}
