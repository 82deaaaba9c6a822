//! Passwords set through the generic record actions (review: `users:update` stored them in
//! plain text, so the user could never sign in again).

use super::*;

async fn sign_in(server: &Server, account: &str, password: &Value) -> Answer {
    server.post("/api/auth:signIn", None, &json!({"account": account, "password": password})).await
}

#[tokio::test]
async fn a_changed_password_signs_in_and_the_old_one_does_not() {
    // Arrange (NocoBase 2.2.15, asked live: the same answers, step by step)
    let server = Server::new();
    let admin = server.admin().await;
    let made =
        server.post("/api/users:create", Some(&admin), &json!({"username": "pw", "password": "first-pass"})).await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.text);
    let id = made.json()["data"]["id"].as_i64().expect("an id");
    let first = sign_in(&server, "pw", &json!("first-pass")).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    let session = first.json()["data"]["token"].as_str().expect("a token").to_owned();
    let update = format!("/api/users:update?filterByTk={id}");

    // Act
    let updated = server.post(&update, Some(&admin), &json!({"password": "second-pass"})).await;

    // Assert
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.text);
    let row = &updated.json()["data"][0];
    assert!(row.get("password").is_none(), "{row}");
    assert!(row["passwordChangeTz"].as_i64().is_some(), "{row}");
    sign_in(&server, "pw", &json!("first-pass")).await.assert_error(
        StatusCode::UNAUTHORIZED,
        "The username/email or password is incorrect, please re-enter",
        None,
    );
    assert_eq!(sign_in(&server, "pw", &json!("second-pass")).await.status, StatusCode::OK);
    server.get("/api/auth:check", Some(&session)).await.assert_error(
        StatusCode::UNAUTHORIZED,
        "User password changed, please signin again.",
        Some("INVALID_TOKEN"),
    );

    // An empty or null password keeps the one there; a number is hashed as its digits.
    for kept in [json!(""), Value::Null] {
        assert_eq!(server.post(&update, Some(&admin), &json!({"password": kept})).await.status, StatusCode::OK);
        assert_eq!(sign_in(&server, "pw", &json!("second-pass")).await.status, StatusCode::OK, "{kept}");
    }
    assert_eq!(server.post(&update, Some(&admin), &json!({"password": 424242})).await.status, StatusCode::OK);
    assert_eq!(sign_in(&server, "pw", &json!("424242")).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_numeric_password_given_at_creation_signs_in_as_its_digits() {
    // Arrange (NocoBase 2.2.15, asked live)
    let server = Server::new();
    let admin = server.admin().await;

    // Act
    let made = server.post("/api/users:create", Some(&admin), &json!({"username": "digits", "password": 12345})).await;

    // Assert
    assert_eq!(made.status, StatusCode::OK, "{}", made.text);
    assert_eq!(sign_in(&server, "digits", &json!("12345")).await.status, StatusCode::OK);
}
