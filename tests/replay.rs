//! Replays every exchange recorded from real NocoBase 2.2.15 (`fixtures/recordings/2.2.15-api`
//! and `2.2.15-ui`) against a fresh reference server per recording set, in order, and checks that
//! the server answers as NocoBase did: status, content-type class, the CORS headers the set kept,
//! and the normalised body. Prints `reproduced N of M (P%)`.
//!
//! The rules that turn a recording back into a live request, each kept small:
//! * **tokens** — a recorded `Authorization` holding `<TOKEN>` gets the live token that the
//!   exchange's `auth` text names (see [`Tokens::resolve`]); any other value is sent verbatim
//!   (the garbage and wrong-key tokens are in the recordings on purpose).
//! * **generated ids** — snowflakes and uids are learned recorded → actual by walking the recorded
//!   and actual response bodies in parallel ([`IdMap::learn`]), then rewritten in later URLs and
//!   bodies; for the comparison both sides name a learned id by its recorded value.
//! * **waiting** — an `auth` text saying "used N s after creation" waits N seconds first.
//! * **comparison** — `nocobase_conformance::normalize::Normalizer` on both sides (JWTs,
//!   timestamps, uids, snowflakes; key order never matters).
//!
//! `fixtures/recordings/replay-exceptions.toml` lists the exchanges deliberately not reproduced,
//! each with its reason. A listed exchange that matches fails the test (so the list only shrinks),
//! and so does any unlisted mismatch, with a short JSON-path diff.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::time::Duration;

use nocobase_conformance::jwt::decode_claims;
use nocobase_conformance::mismatch::json_diff;
use nocobase_conformance::normalize::{self, IdKind, Normalizer};
use nocobase_conformance::reference::{AppState, RootAccount, ServerConfig};
use regex::Regex;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Value, json};

/// The recording sets, in the order they are replayed.
const SETS: &[&str] = &["2.2.15-api", "2.2.15-ui"];
/// The APP_KEY the recordings' server ran with (their SUMMARY.md).
const APP_KEY: &str = "lab-test-app-key-0123456789abcdef";
/// Where the recordings' server listened; recorded URLs start with it.
const RECORDED_ORIGIN: &str = "http://127.0.0.1:13000";
/// The share of exchanges the reference server must reproduce.
const MIN_SCORE_PERCENT: f64 = 90.0;

// ---------------------------------------------------------------------------------------------
// Recordings
// ---------------------------------------------------------------------------------------------

/// One recorded exchange.
struct Recorded {
    /// `2.2.15-api/05`: how the exceptions file names it.
    id: String,
    /// The file's contents, with `response.body` filled from `body_file` when it was split out.
    json: Value,
}

impl Recorded {
    fn request(&self) -> &Value {
        &self.json["request"]
    }

    fn response(&self) -> &Value {
        &self.json["response"]
    }

    fn auth(&self) -> &str {
        self.request()["auth"].as_str().unwrap_or("none")
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.response()["headers"].get(name).and_then(Value::as_str)
    }
}

fn recordings_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/recordings")
}

/// The exchanges of one set, in recording order (`NN-step.json`).
fn load_set(set: &str) -> Vec<Recorded> {
    static NUMBERED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(\d+)-.*\.json$").expect("valid pattern"));
    let dir = recordings_dir().join(set);
    let mut files: Vec<(u32, String, PathBuf)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let caps = NUMBERED.captures(&name)?;
            let number: u32 = caps[1].parse().ok()?;
            Some((number, caps[1].to_owned(), entry.path()))
        })
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|(_, number, path)| {
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            let mut json: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            if let Some(file) = json["response"]["body_file"].as_str() {
                let body_path = dir.join(file);
                let body = std::fs::read_to_string(&body_path)
                    .unwrap_or_else(|e| panic!("cannot read {}: {e}", body_path.display()));
                json["response"]["body"] = serde_json::from_str(&body).unwrap_or(Value::String(body));
            }
            Recorded { id: format!("{set}/{number}"), json }
        })
        .collect()
}

/// `replay-exceptions.toml`: exchange id → reason.
fn load_exceptions() -> BTreeMap<String, String> {
    #[derive(serde::Deserialize)]
    struct File {
        #[serde(default)]
        exception: Vec<Entry>,
    }
    #[derive(serde::Deserialize)]
    struct Entry {
        exchange: String,
        reason: String,
    }
    let path = recordings_dir().join("replay-exceptions.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let file: File = toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = BTreeMap::new();
    for entry in file.exception {
        assert!(!entry.reason.trim().is_empty(), "{}: exception {} has no reason", path.display(), entry.exchange);
        assert!(
            out.insert(entry.exchange.clone(), entry.reason).is_none(),
            "exception {} is listed twice",
            entry.exchange
        );
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------------------------

/// An API key issued during the replay.
struct IssuedKey {
    /// The `name` sent to `apiKeys:create`.
    name: String,
    /// The nickname of the user whose session created it.
    owner: String,
    /// The live token.
    token: String,
}

/// The live tokens of one replay: sessions by the signed-in user's nickname, keys by name.
#[derive(Default)]
struct Tokens {
    /// Session tokens, by nickname (`Super Admin`, `To Dos API User`).
    sessions: BTreeMap<String, String>,
    /// Keys in creation order (the latest of a name wins).
    keys: Vec<IssuedKey>,
    /// `iat` of the latest key.
    last_key_iat: Option<i64>,
}

/// The nickname of user 1, whom the recordings call "admin".
const ADMIN: &str = "Super Admin";

impl Tokens {
    /// The live token an exchange's `auth` text names. The texts the recordings use:
    /// * `admin session token …` / `<nickname> session token …`: the latest `auth:signIn` of
    ///   that user (admin is the root account, nickname `Super Admin`);
    /// * `API key '<name>' …`, optionally `… of admin (…` / `… of <nickname> (…`: the latest key
    ///   of that name (created by that user);
    /// * `JWT {userId:N, roleName:'R'} signed offline with the server's APP_KEY …`: minted here,
    ///   `{userId, roleName, iat}` as the recorder's `mint.py` does, with a fresh `iat`.
    fn resolve(&self, auth: &str) -> Result<String, String> {
        static KEY: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r"^API key '([^']+)'(?: of (.+?) \()?").expect("valid pattern"));
        static MINTED: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"^JWT \{userId:(\d+), roleName:'([^']+)'\} signed offline with the server's APP_KEY")
                .expect("valid pattern")
        });
        static SESSION: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(.+?) session token").expect("valid pattern"));
        if let Some(caps) = KEY.captures(auth) {
            let owner = caps.get(2).map(|m| if m.as_str() == "admin" { ADMIN } else { m.as_str() });
            return self
                .keys
                .iter()
                .rev()
                .find(|k| k.name == caps[1] && owner.is_none_or(|o| k.owner == o))
                .map(|k| k.token.clone())
                .ok_or_else(|| format!("no API key named '{}' was issued", &caps[1]));
        }
        if let Some(caps) = MINTED.captures(auth) {
            let user_id: i64 = caps[1].parse().map_err(|e| format!("{e}"))?;
            let iat = time::OffsetDateTime::now_utc().unix_timestamp();
            let claims = json!({"userId": user_id, "roleName": &caps[2], "iat": iat});
            let key = jsonwebtoken::EncodingKey::from_secret(APP_KEY.as_bytes());
            return jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &key).map_err(|e| e.to_string());
        }
        if let Some(caps) = SESSION.captures(auth) {
            let who = if &caps[1] == "admin" { ADMIN } else { &caps[1] };
            return self.sessions.get(who).cloned().ok_or_else(|| format!("{who} never signed in"));
        }
        Err(format!("no rule gives a token for auth text {auth:?}"))
    }

    /// Keeps the tokens an exchange issued: `auth:signIn` → a session, `apiKeys:create` → a key.
    fn learn(&mut self, path: &str, request_body: &Value, caller: Option<&str>, response: &Value) {
        let Some(token) = response.pointer("/data/token").and_then(Value::as_str) else { return };
        if path.starts_with("/api/auth:signIn") {
            if let Some(nickname) = response.pointer("/data/user/nickname").and_then(Value::as_str) {
                self.sessions.insert(nickname.to_owned(), token.to_owned());
            }
        } else if path.starts_with("/api/apiKeys:create") {
            let name = request_body["name"].as_str().unwrap_or_default().to_owned();
            let owner = caller.unwrap_or_default().to_owned();
            self.last_key_iat = decode_claims(token).and_then(|c| c.get("iat").and_then(Value::as_i64));
            self.keys.push(IssuedKey { name, owner, token: token.to_owned() });
        }
    }

    /// The nickname whose session token `token` is.
    fn session_owner(&self, token: &str) -> Option<&str> {
        self.sessions.iter().find(|(_, t)| t.as_str() == token).map(|(n, _)| n.as_str())
    }
}

/// "used 3 s after creation": how long to wait before sending.
fn wait_for(auth: &str) -> Option<Duration> {
    static USED_AFTER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"used (\d+) s after").expect("valid pattern"));
    USED_AFTER.captures(auth).and_then(|c| c[1].parse().ok()).map(Duration::from_secs)
}

/// An API key is `{userId, roleName, iat, exp}` with `iat` in seconds, so two keys of one user
/// and role with the same lifetime issued within one second are the *same* JWT in NocoBase, and
/// revoking one (`apiKeys:destroy` blocks the token) revokes the other. The recorder's keys were
/// issued seconds apart; before an `apiKeys:create` the replay waits until the second of the
/// previous key's `iat` has passed, so the keys differ as they did.
async fn wait_for_a_fresh_iat(previous_iat: Option<i64>) {
    let Some(previous) = previous_iat else { return };
    let now = time::OffsetDateTime::now_utc();
    if now.unix_timestamp() <= previous {
        let into_second = Duration::from_nanos(u64::from(now.nanosecond()));
        let wait = Duration::from_secs((previous - now.unix_timestamp()) as u64 + 1).saturating_sub(into_second);
        tokio::time::sleep(wait + Duration::from_millis(5)).await;
    }
}

// ---------------------------------------------------------------------------------------------
// Generated ids
// ---------------------------------------------------------------------------------------------

/// A recorded value NocoBase generated at random or from the clock: a snowflake or an
/// 11-character uid. A recorded uid is told from an 11-letter word by holding both digits and
/// letters (the recordings' uids all do).
fn generated(value: &Value) -> bool {
    shaped_like_an_id(value)
        && value
            .as_str()
            .is_none_or(|s| s.chars().any(|c| c.is_ascii_digit()) && s.chars().any(|c| c.is_ascii_lowercase()))
}

/// A value shaped like a generated id: the server's answer to a recorded [`generated`] one. A
/// random uid has no digit about one time in 36 ((26/36)^11): the shape alone decides.
fn shaped_like_an_id(value: &Value) -> bool {
    match value {
        Value::Number(n) => n.as_i64().is_some_and(|v| v >= normalize::SNOWFLAKE_FLOOR),
        Value::String(s) => normalize::UID.is_match(s),
        _ => false,
    }
}

fn id_like(key: &str) -> bool {
    key == "id" || key == "key" || key.ends_with("Id")
}

fn id_text(value: &Value) -> Option<String> {
    match value {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

/// Recorded → actual generated ids, by their text.
#[derive(Default)]
struct IdMap(BTreeMap<String, Value>);

impl IdMap {
    /// Walks the recorded and the actual body in parallel and maps every generated id found at
    /// an id-like key (`id`, `key`, `…Id`) to the actual value at the same place.
    fn learn(&mut self, recorded: &Value, actual: &Value) {
        self.walk(None, recorded, actual);
    }

    fn walk(&mut self, key: Option<&str>, recorded: &Value, actual: &Value) {
        match (recorded, actual) {
            (Value::Object(r), Value::Object(a)) => {
                for (k, rv) in r {
                    if let Some(av) = a.get(k) {
                        self.walk(Some(k), rv, av);
                    }
                }
            }
            (Value::Array(r), Value::Array(a)) => {
                for (rv, av) in r.iter().zip(a) {
                    self.walk(key, rv, av);
                }
            }
            (r, a) if key.is_some_and(id_like) && generated(r) && shaped_like_an_id(a) => {
                if let Some(text) = id_text(r) {
                    self.0.entry(text).or_insert_with(|| a.clone());
                }
            }
            _ => {}
        }
    }

    /// A recorded URL with learned ids replaced (whole tokens only).
    fn url(&self, url: &str) -> String {
        static TOKEN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[A-Za-z0-9]+").expect("valid pattern"));
        TOKEN
            .replace_all(url, |c: &regex::Captures<'_>| match self.0.get(&c[0]).and_then(id_text) {
                Some(actual) => actual,
                None => c[0].to_owned(),
            })
            .into_owned()
    }

    /// A recorded request body with learned ids replaced.
    fn body(&self, value: &Value) -> Value {
        match value {
            Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), self.body(v))).collect()),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.body(v)).collect()),
            other => match id_text(other).and_then(|t| self.0.get(&t)) {
                Some(actual) if generated(other) => actual.clone(),
                _ => other.clone(),
            },
        }
    }

    /// Normalisers for the expected and the actual side that name every learned id by its
    /// recorded value, so a response pointing at the wrong record still differs.
    fn normalizers(&self) -> (Normalizer, Normalizer) {
        let (mut expected, mut actual) = (Normalizer::new(), Normalizer::new());
        for (recorded, live) in &self.0 {
            let recorded_value = serde_json::from_str::<Value>(recorded).unwrap_or_else(|_| json!(recorded));
            expected.know(IdKind::Record, &recorded_value, recorded);
            actual.know(IdKind::Record, live, recorded);
        }
        (expected, actual)
    }
}

// ---------------------------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------------------------

/// What kind of body a content type announces.
#[derive(Debug, Clone, Copy, PartialEq)]
enum BodyKind {
    Json,
    Text,
    Html,
    None,
}

fn body_kind(content_type: Option<&str>) -> BodyKind {
    match content_type.map(str::to_ascii_lowercase) {
        None => BodyKind::None,
        Some(ct) if ct.starts_with("application/json") => BodyKind::Json,
        Some(ct) if ct.starts_with("text/html") => BodyKind::Html,
        Some(_) => BodyKind::Text,
    }
}

/// A live response, reduced to what is compared.
struct Actual {
    status: u16,
    content_type: Option<String>,
    /// `vary` and `access-control-*` headers.
    cors: BTreeMap<String, String>,
    body: Value,
}

/// The headers compared when the set kept them (the ui set keeps `vary` and `access-control-*`).
fn is_cors_header(name: &str) -> bool {
    name == "vary" || name.starts_with("access-control-")
}

/// The differences between a recorded and a live exchange; empty when reproduced.
fn compare(recorded: &Recorded, actual: &Actual, ids: &IdMap, cors_kept: bool) -> Vec<String> {
    let mut out = Vec::new();
    let expected_status = recorded.response()["status"].as_u64().unwrap_or(0);
    if u64::from(actual.status) != expected_status {
        out.push(format!("status: {expected_status} → {}", actual.status));
    }
    let expected_kind = body_kind(recorded.header("content-type"));
    let actual_kind = body_kind(actual.content_type.as_deref());
    if expected_kind != actual_kind {
        out.push(format!(
            "content-type: {} → {}",
            recorded.header("content-type").unwrap_or("(none)"),
            actual.content_type.as_deref().unwrap_or("(none)")
        ));
    }
    if cors_kept {
        let expected_cors: BTreeMap<String, String> = recorded.response()["headers"]
            .as_object()
            .map(|h| {
                h.iter()
                    .filter(|(k, _)| is_cors_header(k))
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        if expected_cors != actual.cors {
            out.push(format!("headers: {expected_cors:?} → {:?}", actual.cors));
        }
    }
    let (expected_n, actual_n) = ids.normalizers();
    let expected_body = match &recorded.response()["body"] {
        Value::String(text) => json!(expected_n.text(text)),
        other => expected_n.value(other),
    };
    let actual_body = match &actual.body {
        Value::String(text) => json!(actual_n.text(text)),
        other => actual_n.value(other),
    };
    out.extend(json_diff(&expected_body, &actual_body).into_iter().map(|d| format!("body{d}")));
    out
}

// ---------------------------------------------------------------------------------------------
// Replay
// ---------------------------------------------------------------------------------------------

/// What became of one exchange.
struct Outcome {
    id: String,
    step: String,
    diff: Vec<String>,
}

/// Starts a fresh reference server on 127.0.0.1:0 and returns its origin.
async fn start_server() -> (String, tokio::task::JoinHandle<()>) {
    let config = ServerConfig {
        app_key: APP_KEY.to_owned(),
        root: RootAccount {
            email: "admin@nocobase.com".to_owned(),
            password: "admin123".to_owned(),
            ..RootAccount::default()
        },
        database: None,
    };
    let state = AppState::new(config).expect("the reference server starts");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds 127.0.0.1:0");
    let port = listener.local_addr().expect("has an address").port();
    let task = tokio::spawn(async move {
        let _ = nocobase_conformance::reference::serve(listener, state).await;
    });
    (format!("http://127.0.0.1:{port}"), task)
}

/// Plays one set against a fresh server.
async fn replay_set(set: &str) -> Vec<Outcome> {
    let recordings = load_set(set);
    let cors_kept = recordings.iter().any(|r| r.header("vary").is_some());
    let (origin, server) = start_server().await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("a client");
    let mut tokens = Tokens::default();
    let mut ids = IdMap::default();
    let mut outcomes = Vec::new();
    for recorded in &recordings {
        let step = recorded.json["step"].as_str().unwrap_or_default().to_owned();
        let (actual, caller, request_body) = match send(&client, &origin, recorded, &tokens, &ids).await {
            Ok(sent) => sent,
            Err(e) => {
                outcomes.push(Outcome { id: recorded.id.clone(), step, diff: vec![format!("not sent: {e}")] });
                continue;
            }
        };
        ids.learn(&recorded.response()["body"], &actual.body);
        let path = recorded.request()["url"].as_str().unwrap_or_default().trim_start_matches(RECORDED_ORIGIN);
        tokens.learn(path, &request_body, caller.as_deref(), &actual.body);
        let diff = compare(recorded, &actual, &ids, cors_kept);
        outcomes.push(Outcome { id: recorded.id.clone(), step, diff });
    }
    server.abort();
    outcomes
}

/// Sends one recorded request; returns the response, the caller's nickname (for sessions) and
/// the body that was sent.
async fn send(
    client: &reqwest::Client,
    origin: &str,
    recorded: &Recorded,
    tokens: &Tokens,
    ids: &IdMap,
) -> Result<(Actual, Option<String>, Value), String> {
    let request = recorded.request();
    let method = reqwest::Method::from_bytes(request["method"].as_str().unwrap_or("GET").as_bytes())
        .map_err(|e| e.to_string())?;
    let url = request["url"].as_str().ok_or("no url")?;
    let path = url.strip_prefix(RECORDED_ORIGIN).ok_or_else(|| format!("url {url} is not on {RECORDED_ORIGIN}"))?;
    let live_url = format!("{origin}{}", ids.url(path));

    let mut headers = HeaderMap::new();
    let mut caller = None;
    for (name, value) in request["headers"].as_object().into_iter().flatten() {
        let mut value = value.as_str().unwrap_or_default().to_owned();
        if value.contains("<TOKEN>") {
            let token = tokens.resolve(recorded.auth())?;
            caller = tokens.session_owner(&token).map(str::to_owned);
            value = value.replace("<TOKEN>", &token);
        }
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| e.to_string())?;
        headers.insert(name, HeaderValue::from_str(&value).map_err(|e| e.to_string())?);
    }
    let body = ids.body(&request["body"]);
    let mut builder = client.request(method, &live_url).headers(headers);
    builder = match &body {
        Value::Null => builder,
        Value::String(raw) => builder.body(raw.clone()),
        json_body => builder.body(json_body.to_string()),
    };
    if let Some(delay) = wait_for(recorded.auth()) {
        tokio::time::sleep(delay).await;
    }
    if path.starts_with("/api/apiKeys:create") {
        wait_for_a_fresh_iat(tokens.last_key_iat).await;
    }
    let response = builder.send().await.map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let content_type =
        response.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let cors = response
        .headers()
        .iter()
        .filter(|(k, _)| is_cors_header(k.as_str()))
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or_default().to_owned()))
        .collect();
    let text = response.text().await.map_err(|e| e.to_string())?;
    let body = if text.is_empty() {
        Value::Null
    } else if body_kind(content_type.as_deref()) == BodyKind::Json {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    } else {
        Value::String(text)
    };
    Ok((Actual { status, content_type, cors, body }, caller, ids.body(&request["body"])))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_server_reproduces_the_recordings() {
    // Arrange
    let exceptions = load_exceptions();

    // Act
    let mut outcomes = Vec::new();
    for set in SETS {
        outcomes.extend(replay_set(set).await);
    }

    // Assert
    let known: BTreeSet<&str> = outcomes.iter().map(|o| o.id.as_str()).collect();
    let mut failures = Vec::new();
    for id in exceptions.keys() {
        if !known.contains(id.as_str()) {
            failures.push(format!("{id}: listed in replay-exceptions.toml but no such exchange was replayed"));
        }
    }
    let mut reproduced = 0;
    for outcome in &outcomes {
        match (outcome.diff.is_empty(), exceptions.get(&outcome.id)) {
            (true, None) => reproduced += 1,
            (true, Some(_)) => {
                reproduced += 1;
                failures
                    .push(format!("{} ({}): now reproduced — remove it from the exceptions", outcome.id, outcome.step));
            }
            (false, Some(reason)) => {
                println!("known exception {} ({}): {}", outcome.id, outcome.step, reason.replace('\n', " "))
            }
            (false, None) => {
                let mut text = format!("{} ({}) differs (expected → actual):", outcome.id, outcome.step);
                for line in outcome.diff.iter().take(12) {
                    text.push_str(&format!("\n    {line}"));
                }
                if outcome.diff.len() > 12 {
                    text.push_str(&format!("\n    … and {} more", outcome.diff.len() - 12));
                }
                failures.push(text);
            }
        }
    }
    let total = outcomes.len();
    let percent = if total == 0 { 0.0 } else { reproduced as f64 * 100.0 / total as f64 };
    // Written to the stderr handle itself, which libtest does not capture: the score shows on
    // every run, passing or not.
    let mut report = format!(
        "replay: reproduced {reproduced} of {total} ({percent:.1}%), {} known exception(s)\n",
        exceptions.len()
    );
    for failure in &failures {
        report.push_str(&format!("FAIL {failure}\n"));
    }
    let _ = std::io::Write::write_all(&mut std::io::stderr().lock(), report.as_bytes());
    assert!(failures.is_empty(), "{} replay failure(s), listed above:\n{}", failures.len(), failures.join("\n"));
    assert!(percent >= MIN_SCORE_PERCENT, "reproduced only {percent:.1}% (at least {MIN_SCORE_PERCENT}% required)");
}

#[test]
fn a_generated_uid_without_digits_is_still_learned() {
    // Arrange: a recorded uid, and the server's answer that happens to hold letters only.
    let mut ids = IdMap::default();
    // Act
    ids.learn(&json!({"data": {"id": "a9zyl25a2ry"}}), &json!({"data": {"id": "abcdefghijk"}}));
    // Assert
    assert_eq!(ids.url("/api/iframeHtml:getHtml/a9zyl25a2ry"), "/api/iframeHtml:getHtml/abcdefghijk");
}
