//! The reference server over a real socket (`serve` on 127.0.0.1:0), where Node's HTTP layer
//! answers before NocoBase does: the bare 400/413/431 of llhttp, what a body that breaks off
//! leaves behind (nothing), and the keep-alive timer. The recorded raw exchanges
//! (`fixtures/recordings/2.2.15-offpath`, replayed by `tests/replay`) hold the bytes NocoBase
//! answered; these tests cover what a recording cannot: timing and the server's bounds.

mod limits;
mod timers;

use std::net::SocketAddr;
use std::time::Duration;

use nocobase_reference::{AppState, RootAccount, ServerConfig, spawn};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const APP_KEY: &str = "lab-test-app-key-0123456789abcdef";
/// llhttp's answer to a request it cannot frame.
const BAD_REQUEST: &str = "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n";
/// Node's answer to a head past its 16 KiB budget.
const HEAD_TOO_LARGE: &str = "HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n";

/// A reference server listening on a free port, with an in-memory database.
async fn server() -> SocketAddr {
    let config = ServerConfig { app_key: APP_KEY.to_owned(), root: RootAccount::default(), database: None };
    let state = AppState::new(config).expect("the reference server starts");
    let (address, _task) = spawn(state).await.expect("it listens");
    address
}

/// What the server wrote on one connection after `request`, and whether it closed it.
struct Exchange {
    text: String,
    closed: bool,
}

/// Sends `request` on a fresh connection and reads until the server closes it or stays silent
/// for `quiet`.
async fn exchange(address: SocketAddr, request: &[u8], quiet: Duration) -> Exchange {
    let mut stream = TcpStream::connect(address).await.expect("connects");
    // The server may answer and close before the whole request is written.
    let _ = stream.write_all(request).await;
    let mut out = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    let closed = loop {
        match tokio::time::timeout(quiet, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break true,
            Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
            Err(_) => break false,
        }
    };
    Exchange { text: String::from_utf8_lossy(&out).into_owned(), closed }
}

/// One request with a JSON body and `Connection: close`; the answer's status and JSON body.
async fn call(address: SocketAddr, method: &str, path: &str, token: Option<&str>, body: Option<&str>) -> (u16, Value) {
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    if let Some(token) = token {
        request.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    if let Some(body) = body {
        request.push_str(&format!("Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len()));
    } else {
        request.push_str("\r\n");
    }
    let answer = exchange(address, request.as_bytes(), Duration::from_secs(10)).await;
    let status = answer.text.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = answer.text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or_default();
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

/// Signs the root account in and creates `todos(title)`: the admin's token.
async fn with_todos(address: SocketAddr) -> String {
    let (status, signed_in) = call(
        address,
        "POST",
        "/api/auth:signIn",
        None,
        Some(r#"{"account":"admin@nocobase.com","password":"admin123"}"#),
    )
    .await;
    assert_eq!(status, 200, "{signed_in}");
    let token = signed_in["data"]["token"].as_str().expect("a token").to_owned();
    let collection = r#"{"name":"todos","fields":[{"name":"title","type":"string","interface":"input"}]}"#;
    assert_eq!(call(address, "POST", "/api/collections:create", Some(&token), Some(collection)).await.0, 200);
    token
}

/// How many todos there are.
async fn count(address: SocketAddr, token: &str) -> Value {
    call(address, "GET", "/api/todos:list", Some(token), None).await.1["meta"]["count"].clone()
}
