//! `nocobase-conformance serve` as a person uses it: started as its own process, driven over a
//! real socket with the tutorial's calls (the request bodies of recording 2.2.15-api), its
//! `todos:list` with a Bearer key answering as NocoBase 2.2.15 did (recording 31), and a `--db`
//! file keeping data and keys valid across a restart.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const APP_KEY: &str = "lab-test-app-key-0123456789abcdef";

/// A `serve` process, killed when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(db: Option<&Path>) -> Server {
    let mut command = Command::new(crate::common::binary());
    command.args(["serve", "--port", "0", "--app-key", APP_KEY]).stdout(Stdio::piped()).stderr(Stdio::null());
    if let Some(db) = db {
        command.arg("--db").arg(db);
    }
    let mut child = command.spawn().expect("serve starts");
    let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    reader.read_line(&mut line).expect("serve prints its URL");
    std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
    let base = line.split_whitespace().find(|w| w.starts_with("http://")).expect("a URL").to_owned();
    Server { child, base }
}

/// The recorded request body of an exchange.
fn recorded(name: &str) -> Value {
    let path = format!("{}/fixtures/recordings/2.2.15-api/{name}.json", crate::common::project().display());
    let text = std::fs::read_to_string(&path).expect("recording exists");
    serde_json::from_str(&text).expect("recording parses")
}

async fn call(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = http.request(method, url).header("X-Authenticator", "basic");
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn ready(http: &reqwest::Client, base: &str) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        if let Ok(r) = http.get(format!("{base}/__health_check")).send().await
            && r.status() == 200
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("serve did not become ready");
}

/// Signs in and plays the tutorial's set-up as recorded (collection 13, to-dos 15-17, role 21,
/// grant 22, assignment 25, key 27); returns the admin token and the key.
async fn tutorial(http: &reqwest::Client, base: &str) -> (String, String) {
    let post = reqwest::Method::POST;
    let (status, signed) = call(
        http,
        post.clone(),
        &format!("{base}/auth:signIn"),
        None,
        Some(recorded("03-auth-signIn-admin")["request"]["body"].clone()),
    )
    .await;
    assert_eq!(status, 200, "{signed}");
    let admin = signed["data"]["token"].as_str().expect("token").to_owned();
    let steps = [
        ("collections:create", "13-collections-create-todos"),
        ("todos:create", "15-todos-create-admin"),
        ("todos:create", "16-todos-create-admin"),
        ("todos:create", "17-todos-create-admin"),
        ("roles:create", "21-roles-create-todos-api-role"),
        ("roles/todos_api_role/dataSourceResources:create", "22-roles-dataSourceResources-create-todos"),
        ("roles/todos_api_role/users:add", "25-roles-users-add-admin"),
    ];
    for (action, exchange) in steps {
        let body = recorded(exchange)["request"]["body"].clone();
        let (status, answer) = call(http, post.clone(), &format!("{base}/{action}"), Some(&admin), Some(body)).await;
        assert_eq!(status, 200, "{action}: {answer}");
    }
    let body = recorded("27-apiKeys-create-todos")["request"]["body"].clone();
    let (status, created) = call(http, post, &format!("{base}/apiKeys:create"), Some(&admin), Some(body)).await;
    assert_eq!(status, 200, "{created}");
    (admin, created["data"]["token"].as_str().expect("key").to_owned())
}

#[tokio::test]
async fn the_tutorials_curl_with_a_key_answers_as_nocobase_did() {
    // Arrange
    let server = serve(None);
    let http = nocobase_conformance::client::http().build().expect("an HTTP client");
    ready(&http, &server.base).await;
    let (_, key) = tutorial(&http, &server.base).await;
    // Act: `curl -H "Authorization: Bearer <key>" http://127.0.0.1:13000/api/todos:list`
    let response = http.get(format!("{}/todos:list", server.base)).bearer_auth(&key).send().await.expect("answers");
    let status = response.status().as_u16();
    let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let body: Value = response.json().await.expect("JSON");
    // Assert: exactly recording 31 (no timestamps or tokens in it to normalise).
    let expected = recorded("31-key-todos-list")["response"].clone();
    assert_eq!(status, expected["status"]);
    assert_eq!(content_type.as_deref(), expected["headers"]["content-type"].as_str());
    assert_eq!(body, expected["body"]);
}

#[tokio::test]
async fn a_database_file_keeps_data_and_keys_across_a_restart() {
    // Arrange
    let dir = std::env::temp_dir().join(format!("nc-serve-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let db = dir.join("todos.sqlite");
    let http = nocobase_conformance::client::http().build().expect("an HTTP client");
    let key = {
        let first = serve(Some(&db));
        ready(&http, &first.base).await;
        tutorial(&http, &first.base).await.1
    };
    // Act: a new process on the same file and app key.
    let second = serve(Some(&db));
    ready(&http, &second.base).await;
    let (status, body) =
        call(&http, reqwest::Method::GET, &format!("{}/todos:list", second.base), Some(&key), None).await;
    let (created, answer) = call(
        &http,
        reqwest::Method::POST,
        &format!("{}/todos:create", second.base),
        Some(&key),
        Some(json!({"title": "after restart"})),
    )
    .await;
    // Assert
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["meta"]["count"], 3, "{body}");
    assert_eq!((created, answer["data"]["id"].clone()), (200, json!(4)), "ids continue after a restart: {answer}");
    drop(second);
    let _ = std::fs::remove_dir_all(&dir);
}
