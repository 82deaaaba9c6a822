//! Which error a find answers when several are wrong at once: NocoBase's order — the filter's
//! parse, `parseSort`, no columns, the `where`, then what SQLite refuses, a token it cannot read
//! or a syntax error before a column it does not know, and both before a page it cannot compute.
//! Each case was asked of NocoBase 2.2.15 (most first met by the paired schemathesis runs).

use super::*;

fn encoded(filter: &Value) -> String {
    urlencode(&filter.to_string())
}

#[tokio::test]
async fn a_nul_in_a_sort_or_field_name_is_sqlites_unreadable_token() {
    // Arrange
    let server = Server::new();
    let admin = server.admin().await;
    server.todos(&admin).await;

    for uri in [
        "/api/todos:list?sort=ab%00c",
        "/api/todos:get?fields=ab%00c",
        "/api/todos:list?pageSize=-395063745657&page=-395063745657&sort=ab%00c",
    ] {
        // Act
        let answer = server.get(uri, Some(&admin)).await;

        // Assert
        answer.assert_error(StatusCode::INTERNAL_SERVER_ERROR, "SQLITE_ERROR: unrecognized token: \"`ab\"", None);
    }
}

#[tokio::test]
async fn a_syntax_error_in_the_where_comes_before_an_unknown_field() {
    // Arrange: `[[], 1, ["kk"]]` renders as `IN (, 1, 'kk')`.
    let server = Server::new();
    let admin = server.admin().await;
    server.todos(&admin).await;
    let filter = encoded(&json!({"title": [[], 1, ["kk"]]}));

    // Act
    let answer = server.get(&format!("/api/todos:get?fields=nosuch&filter={filter}"), Some(&admin)).await;

    // Assert
    answer.assert_error(StatusCode::INTERNAL_SERVER_ERROR, "Invalid SQL syntax", None);
}

#[tokio::test]
async fn the_where_comes_before_an_unknown_field_and_sort_backticks_are_dropped() {
    // Arrange
    let server = Server::new();
    let admin = server.admin().await;
    server.todos(&admin).await;
    let filter = encoded(&json!({"nosuch": {"a": 1}}));

    // Act
    let invalid = server.get(&format!("/api/todos:get?fields=nosuch&filter={filter}"), Some(&admin)).await;
    let backtick = server.get("/api/todos:list?sort=-ti%60tle&pageSize=1", Some(&admin)).await;

    // Assert
    invalid.assert_error(StatusCode::INTERNAL_SERVER_ERROR, "Invalid value { a: 1 }", None);
    assert_eq!(backtick.json()["data"][0]["title"], "Write API docs", "{}", backtick.text);
}

#[tokio::test]
async fn a_private_use_character_is_no_lone_surrogate() {
    // Arrange: U+F01A8, sent as the escaped pair \udb80\udda8, and a lone \ud9a8.
    let server = Server::new();
    let admin = server.admin().await;
    server.todos(&admin).await;

    // Act
    let pair =
        server.get("/api/todos:get?filter=%7B%22x%22%3A%7B%22%5Cudb80%5Cudda8%22%3A%7B%7D%7D%7D", Some(&admin)).await;
    let lone = server.get("/api/todos:get?filter=%7B%22x%22%3A%7B%22%5Cud9a8%22%3A%7B%7D%7D%7D", Some(&admin)).await;

    // Assert
    pair.assert_error(StatusCode::INTERNAL_SERVER_ERROR, "Invalid value { '\u{F01A8}': {} }", None);
    lone.assert_error(StatusCode::INTERNAL_SERVER_ERROR, "Invalid value { '\\ud9a8': {} }", None);
}

#[tokio::test]
async fn a_field_with_a_quote_in_its_name_selects_a_constant() {
    // Arrange: Sequelize's escapeAttributes writes `"x` as the literal '"x' (paired runs, admin).
    let server = Server::new();
    let admin = server.admin().await;
    server.todos(&admin).await;

    // Act
    let list = server.get("/api/todos:list?fields=%22x&pageSize=2", Some(&admin)).await;
    let get = server.get("/api/todos:get?filterByTk=1&fields=%60x,title", Some(&admin)).await;

    // Assert
    assert_eq!(list.json()["data"], json!([{}, {}]), "{}", list.text);
    assert_eq!(get.json()["data"], json!({"title": "Buy milk"}), "{}", get.text);
}
