//! API keys whose `expiresIn` is larger than an `i64` of seconds after now.

use super::*;

#[tokio::test]
async fn huge_lifetimes_give_working_keys() {
    // Arrange (review finding 10: `iat + seconds` overflowed; NocoBase 2.2.15, asked live,
    // answers 200 and the key works, its `exp` 9223372038650490000 or 1e+300)
    let server = Server::new();
    let admin = server.admin().await;

    for expires_in in ["9223372036854775807", "1e300", "18446744073709551615"] {
        // Act
        let body = format!(r#"{{"name":"huge","role":{{"name":"root"}},"expiresIn":{expires_in}}}"#);
        let created = server.call(Method::POST, "/api/apiKeys:create", Some(&admin), Some(&body)).await;
        assert_eq!(created.status, StatusCode::OK, "{expires_in}: {}", created.text);
        let key = created.json()["data"]["token"].as_str().expect("a key").to_owned();
        let used = server.get("/api/users:list?fields=id&pageSize=1", Some(&key)).await;

        // Assert
        assert_eq!(used.status, StatusCode::OK, "{expires_in}: {}", used.text);
        assert_eq!(used.json()["data"], json!([{"id": 1}]));
    }
}
