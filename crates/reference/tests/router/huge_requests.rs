//! Request sizes beyond NocoBase's limits: koa-bodyparser's 10 MB (Node's 16 KiB head is
//! answered before the router: `tests/wire`).

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
