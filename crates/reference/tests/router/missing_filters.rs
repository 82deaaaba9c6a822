//! update/destroy without a filter: `validate-filter-params`, a 500 before authentication.

use super::*;

#[tokio::test]
async fn update_and_destroy_need_a_filter_or_a_key() {
    // Arrange (probes 347-351, 356, 357)
    let server = Server::new();
    let admin = server.admin().await;
    server.todos(&admin).await;

    // Act
    let update = server.post("/api/todos:update", None, &json!({"completed": true})).await;
    let empty_filter = server.post("/api/todos:update?filter=%7B%7D", Some(&admin), &json!({"completed": true})).await;
    let destroy = server.call(Method::POST, "/api/todos:destroy", Some(&admin), None).await;

    // Assert
    update.assert_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "to do update action, filter or filterByTk is required",
        None,
    );
    empty_filter.assert_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "to do update action, filter or filterByTk is required",
        None,
    );
    destroy.assert_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "to do destroy action, filter or filterByTk is required",
        None,
    );
}

#[tokio::test]
async fn protected_rows_cannot_be_destroyed_by_key_even_by_root() {
    // Arrange (probes 145-147: fixed ACL params and plugin-acl's count check)
    let server = Server::new();
    let admin = server.admin().await;

    for uri in [
        "/api/users:destroy?filterByTk=1",
        "/api/roles:destroy?filterByTk=admin",
        "/api/roles:destroy?filterByTk=root",
        "/api/collections:destroy?filterByTk=users",
        "/api/collections:destroy?filterByTk=roles",
    ] {
        // Act
        let answer = server.call(Method::POST, uri, Some(&admin), None).await;

        // Assert
        answer.assert_error(StatusCode::FORBIDDEN, "No permissions", None);
    }
}
