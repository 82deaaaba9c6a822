//! Values of the wrong type: stored as SQLite takes them, no validation (recording api/80).

use super::*;

#[tokio::test]
async fn objects_become_object_object_and_booleans_take_anything() {
    // Arrange
    let server = Server::new();
    let admin = server.admin().await;
    server.todos(&admin).await;

    // Act
    let odd = server
        .post("/api/todos:create", Some(&admin), &json!({"title": {"nested": "object"}, "completed": "maybe"}))
        .await;
    let number = server.post("/api/todos:create", Some(&admin), &json!({"title": 123, "completed": 1})).await;

    // Assert
    assert_eq!(odd.json(), json!({"data": {"id": 4, "title": "[object Object]", "completed": "maybe"}}));
    assert_eq!(number.json(), json!({"data": {"id": 5, "title": "123", "completed": true}}));
}

#[tokio::test]
async fn a_duplicate_id_is_named_by_its_field_title() {
    // Arrange (probe 340: plugin-error-handler's "unique violation")
    let server = Server::new();
    let admin = server.admin().await;
    server.todos(&admin).await;

    // Act
    let answer = server.post("/api/todos:create", Some(&admin), &json!({"id": 1, "title": "dup"})).await;

    // Assert
    answer.assert_error(StatusCode::BAD_REQUEST, "ID already exists", None);
}
