//! Page sizes NocoBase takes at face value (probes 301-310).

use super::*;

#[tokio::test]
async fn sizes_are_not_capped_and_odd_ones_are_echoed() {
    // Arrange
    let server = Server::new();
    let admin = server.admin().await;
    server.todos(&admin).await;
    let meta = |answer: &Answer| (answer.json()["data"].as_array().map_or(0, Vec::len), answer.json()["meta"].clone());

    // Act
    let huge = server.get("/api/todos:list?pageSize=1000000", Some(&admin)).await;
    let zero = server.get("/api/todos:list?pageSize=0", Some(&admin)).await;
    let negative = server.get("/api/todos:list?pageSize=-1", Some(&admin)).await;
    let page_zero = server.get("/api/todos:list?page=0", Some(&admin)).await;

    // Assert
    assert_eq!(meta(&huge), (3, json!({"count": 3, "page": 1, "pageSize": 1000000, "totalPage": 1})));
    assert_eq!(meta(&zero), (0, json!({"count": 3, "page": 1, "pageSize": 0, "totalPage": null})));
    assert_eq!(meta(&negative), (3, json!({"count": 3, "page": 1, "pageSize": -1, "totalPage": -3})));
    assert_eq!(meta(&page_zero), (3, json!({"count": 3, "page": 0, "pageSize": 20, "totalPage": 1})));
}

#[tokio::test]
async fn a_page_that_is_not_a_number_reaches_sqlite_as_nan() {
    // Arrange (probes 306, 309)
    let server = Server::new();
    let admin = server.admin().await;
    server.todos(&admin).await;

    for uri in ["/api/todos:list?pageSize=abc", "/api/todos:list?page=abc"] {
        // Act
        let answer = server.get(uri, Some(&admin)).await;

        // Assert
        answer.assert_error(StatusCode::BAD_REQUEST, "Invalid SQL column or table reference", None);
    }
}
