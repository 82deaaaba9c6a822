//! Collections named like the reference server's own tables (review finding 11).

use super::*;

#[tokio::test]
async fn internal_table_names_are_taken_collection_names() {
    // Arrange: NocoBase's `collections.beforeCreate` refuses every name its database has a
    // collection for, internal ones included (api.md §7.1); SQLite ignores case in table names
    let server = Server::new();
    let admin = server.admin().await;
    let names = [
        "issuedTokens",
        "tokenBlacklist",
        "collections",
        "fields",
        "applicationPlugins",
        "dataSourcesRolesResources",
        "dataSourcesRolesResourcesActions",
        "IssuedTokens",
        "Users",
        "sqlite_sequence",
    ];

    for name in names {
        // Act
        let created = server.post("/api/collections:create", Some(&admin), &json!({"name": name})).await;
        let destroyed =
            server.post(&format!("/api/collections:destroy?filterByTk={name}"), Some(&admin), &json!({})).await;

        // Assert
        created.assert_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("Collection named {name} already exists"),
            None,
        );
        assert_eq!((destroyed.status, destroyed.json()), (StatusCode::OK, json!({"data": 0})), "{name}");
    }
    // Sessions (issuedTokens), keys and the catalog still work.
    let again = server.admin().await;
    let listed = server.get("/api/collections:list?paginate=false&fields=name", Some(&again)).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text);
    let key = server
        .post("/api/apiKeys:create", Some(&again), &json!({"name": "k", "role": {"name": "root"}, "expiresIn": "1d"}))
        .await;
    assert_eq!(key.status, StatusCode::OK, "{}", key.text);
}

#[tokio::test]
async fn destroying_an_old_collection_row_named_issued_tokens_keeps_the_table() {
    // Arrange: a database from before such names were refused, with a `collections` row
    // for issuedTokens
    let dir = tempfile::tempdir().expect("a temp dir");
    let db = dir.path().join("reference.sqlite");
    Server::open(Some(&db)).admin().await;
    let conn = rusqlite::Connection::open(&db).expect("the database opens");
    conn.execute(
        "INSERT INTO collections (key, name, title, inherit, hidden, options, sort) VALUES ('old', 'issuedTokens', NULL, 0, 0, '{}', 9)",
        [],
    )
    .expect("the old row is written");
    drop(conn);
    let server = Server::open(Some(&db));
    let admin = server.admin().await;

    // Act
    let destroyed = server.post("/api/collections:destroy?filterByTk=issuedTokens", Some(&admin), &json!({})).await;

    // Assert: the row went, the table stayed, sessions still work
    assert_eq!((destroyed.status, destroyed.json()), (StatusCode::OK, json!({"data": 1})));
    let signed_in =
        server.post("/api/auth:signIn", None, &json!({"account": "admin@nocobase.com", "password": "admin123"})).await;
    assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.text);
    let token = signed_in.json()["data"]["token"].as_str().expect("a token").to_owned();
    let checked = server.get("/api/auth:check", Some(&token)).await;
    assert_eq!(checked.status, StatusCode::OK, "{}", checked.text);
}
