//! Tokens that do not authenticate: 401 with NocoBase's code, translated for zh-CN.

use super::*;

const EXPIRED: &str = "Your session has expired. Please sign in again.";

fn request(uri: &str, authorization: Option<&str>, locale: Option<&str>) -> Request<Body> {
    let mut builder = Request::get(uri);
    if let Some(value) = authorization {
        builder = builder.header(header::AUTHORIZATION, value);
    }
    if let Some(locale) = locale {
        builder = builder.header("x-locale", locale);
    }
    builder.body(Body::empty()).expect("a valid request")
}

#[tokio::test]
async fn no_token_and_empty_bearers() {
    // Arrange (recording api/51; probes 411, 412, 415)
    let server = Server::new();

    // Act
    let none = server.send(request("/api/users:list", None, None)).await;
    let bare = server.send(request("/api/users:list", Some("Bearer"), None)).await;
    let spaced = server.send(request("/api/users:list", Some("Bearer "), None)).await;
    let basic = server.send(request("/api/users:list", Some("Basic abc"), None)).await;

    // Assert
    none.assert_error(StatusCode::UNAUTHORIZED, "Unauthenticated. Please sign in to continue.", Some("EMPTY_TOKEN"));
    bare.assert_error(StatusCode::UNAUTHORIZED, EXPIRED, Some("INVALID_TOKEN"));
    spaced.assert_error(StatusCode::UNAUTHORIZED, EXPIRED, Some("INVALID_TOKEN"));
    basic.assert_error(StatusCode::UNAUTHORIZED, EXPIRED, Some("INVALID_TOKEN"));
}

#[tokio::test]
async fn garbage_wrong_keys_expired_keys_and_unknown_users() {
    // Arrange (recordings api/52, 53, 70; probes 416, 425)
    let server = Server::new();
    let wrong_key = mint("another-key", 1, "root", 60).expect("signed");
    let expired = mint(APP_KEY, 1, "root", -3600).expect("signed");
    let nobody = mint(APP_KEY, 999_999, "root", 60).expect("signed");

    // Act
    let garbage = server.get("/api/users:list", Some("this-is-not-a-jwt")).await;
    let wrong = server.get("/api/users:list", Some(&wrong_key)).await;
    let old = server.get("/api/users:list", Some(&expired)).await;
    let unknown = server.get("/api/users:list", Some(&nobody)).await;

    // Assert
    garbage.assert_error(StatusCode::UNAUTHORIZED, EXPIRED, Some("INVALID_TOKEN"));
    wrong.assert_error(StatusCode::UNAUTHORIZED, EXPIRED, Some("INVALID_TOKEN"));
    old.assert_error(StatusCode::UNAUTHORIZED, EXPIRED, Some("INVALID_TOKEN"));
    unknown.assert_error(
        StatusCode::UNAUTHORIZED,
        "User not found. Please sign in again to continue.",
        Some("NOT_EXIST_USER"),
    );
}

#[tokio::test]
async fn minted_tokens_without_session_claims_are_accepted() {
    // Arrange (probes 419, 422: no roleName is the default role, temp without jti is fine)
    let server = Server::new();
    let sign = |claims: Value| {
        let key = jsonwebtoken::EncodingKey::from_secret(APP_KEY.as_bytes());
        jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &key).expect("signs")
    };

    // Act
    let plain = server.get("/api/roles:check", Some(&sign(json!({"userId": 1})))).await;
    let temp = server.get("/api/users:list", Some(&sign(json!({"userId": 1, "temp": true})))).await;

    // Assert
    assert_eq!((plain.status, plain.json()["data"]["role"].clone()), (StatusCode::OK, json!("root")));
    assert_eq!(temp.status, StatusCode::OK, "{}", temp.text);
}

#[tokio::test]
async fn zh_cn_translates_401s_but_not_403s() {
    // Arrange (probes 515-518)
    let server = Server::new();
    let admin = server.admin().await;
    let anonymous = Request::get("/api/users:list")
        .header(header::AUTHORIZATION, format!("Bearer {admin}"))
        .header("x-role", "anonymous")
        .header("x-locale", "zh-CN")
        .body(Body::empty())
        .expect("a valid request");

    // Act
    let none = server.send(request("/api/users:list", None, Some("zh-CN"))).await;
    let by_query = server.send(request("/api/users:list?locale=zh-CN", None, None)).await;
    let bogus = server.send(request("/api/users:list", Some("Bearer bogus"), Some("zh-CN"))).await;
    let forbidden = server.send(anonymous).await;

    // Assert
    none.assert_error(StatusCode::UNAUTHORIZED, "未认证。请登录以继续。", Some("EMPTY_TOKEN"));
    by_query.assert_error(StatusCode::UNAUTHORIZED, "未认证。请登录以继续。", Some("EMPTY_TOKEN"));
    bogus.assert_error(StatusCode::UNAUTHORIZED, "您的会话已过期，请重新登录。", Some("INVALID_TOKEN"));
    forbidden.assert_error(StatusCode::FORBIDDEN, "No permissions", None);
}
