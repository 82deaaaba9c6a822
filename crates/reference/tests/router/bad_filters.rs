//! Filters NocoBase cannot read: Sequelize's 500, SQLite's 400, the resourcer's bare `{}`.

use super::*;

#[tokio::test]
async fn an_unknown_operator_is_sequelizes_invalid_value() {
    // Arrange (recording api/78, probe 313)
    let server = Server::new();
    let admin = server.admin().await;
    server.todos(&admin).await;

    // Act
    let json_form = server
        .get(
            "/api/todos:list?filter=%7B%22title%22%3A%7B%22%24includesAny%22%3A%5B%22milk%22%2C%22dog%22%5D%7D%7D",
            Some(&admin),
        )
        .await;
    let qs_form = server.get("/api/todos:list?filter[title][$bogus]=1", Some(&admin)).await;

    // Assert
    json_form.assert_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Invalid value { '$includesAny': [ 'milk', 'dog' ] }",
        None,
    );
    qs_form.assert_error(StatusCode::INTERNAL_SERVER_ERROR, "Invalid value { '$bogus': '1' }", None);
}

#[tokio::test]
async fn an_unknown_field_or_sort_is_an_sql_reference_error() {
    // Arrange (probes 315, 317)
    let server = Server::new();
    let admin = server.admin().await;
    server.todos(&admin).await;

    for uri in [
        "/api/todos:list?filter=%7B%22nosuchfield%22%3A1%7D",
        "/api/todos:list?sort=nosuchfield",
        "/api/todos:list?fields=nosuchfield",
    ] {
        // Act
        let answer = server.get(uri, Some(&admin)).await;

        // Assert
        answer.assert_error(StatusCode::BAD_REQUEST, "Invalid SQL column or table reference", None);
    }
}

#[tokio::test]
async fn a_filter_that_is_not_json_ends_the_request_before_authentication() {
    // Arrange (probes 311, 526-528)
    let server = Server::new();
    let admin = server.admin().await;
    server.todos(&admin).await;

    // Act
    let list = server.get("/api/todos:list?filter=notjson", None).await;
    let create = server.post("/api/todos:create?filter=notjson", None, &json!({"title": "sneaky"})).await;
    let after = server.get("/api/todos:list", Some(&admin)).await;

    // Assert
    assert_eq!((list.status, list.json()), (StatusCode::OK, json!({})));
    assert_eq!((create.status, create.json()), (StatusCode::OK, json!({})));
    assert_eq!(after.json()["meta"]["count"], 3, "nothing was created");
}

#[tokio::test]
async fn a_key_limited_to_some_fields_cannot_ask_for_none() {
    // Arrange (probes 318, 322: the ACL intersects `fields` and drops `except`)
    let server = Server::new();
    let admin = server.admin().await;
    server.todos(&admin).await;
    let key = server.title_only_key(&admin).await;

    // Act
    let nothing = server.get("/api/todos:list?fields=nosuchfield", Some(&key)).await;
    let except = server.get("/api/todos:list?except=title&pageSize=1", Some(&key)).await;

    // Assert
    nothing.assert_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Attempted a SELECT query for model 'todos' as `todos` without selecting any columns",
        None,
    );
    assert_eq!(except.json()["data"], json!([{"id": 1, "title": "Buy milk"}]));
}

#[tokio::test]
async fn association_paths_of_several_hops_select_through_every_hop() {
    // Arrange: user 2, made by the admin (user 1), holds `member`, as the admin does
    let server = Server::new();
    let admin = server.admin().await;
    let made = server
        .post(
            "/api/users:create",
            Some(&admin),
            &json!({"username": "hops", "password": "hops-pass", "roles": ["member"]}),
        )
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.text);
    let ids = |filter: Value| format!("/api/users:list?fields=id&sort=id&filter={}", urlencode(&filter.to_string()));

    for (filter, expected) in [
        (json!({"createdBy.id": 1}), json!([{"id": 2}])),
        (json!({"createdBy.createdBy.id": 1}), json!([])),
        (json!({"createdBy.roles.name": "root"}), json!([{"id": 2}])),
        (json!({"roles.users.id": 2}), json!([{"id": 1}, {"id": 2}])),
        // One joined row must meet both conditions, as Sequelize's joins make it (NocoBase
        // 2.2.15, asked live with the same two users: no row).
        (json!({"roles.users.username.$ne": "nocobase", "roles.name": "root"}), json!([])),
        (json!({"roles.users": {"createdBy.id": 1}}), json!([{"id": 1}, {"id": 2}])),
    ] {
        // Act
        let got = server.get(&ids(filter.clone()), Some(&admin)).await;

        // Assert
        assert_eq!(got.status, StatusCode::OK, "{filter}: {}", got.text);
        assert_eq!(got.json()["data"], expected, "{filter}");
    }
}
