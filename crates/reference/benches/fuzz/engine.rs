//! The fuzz run: a reference server in memory (restarted every [`RESTART_EVERY`] requests so
//! that what the run creates does not pile up), set up by replaying the recorded tutorial, then
//! mutated recorded requests sent through its router (`tower::ServiceExt::oneshot`, each on a
//! task of its own so that a panic is caught and counted). Every 5xx is classified by its
//! message: the reference server's own internal error (`Internal Server Error` in NocoBase's
//! envelope) is a failure, NocoBase's messages are not. The process's RSS is sampled.

use std::collections::BTreeMap;
use std::path::Path;

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use nocobase_reference::{AppState, RootAccount, ServerConfig, app};
use serde_json::Value;
use tower::ServiceExt;

use super::mutate::{Mutated, Rng, mutate};
use super::seeds::{self, Seed};

/// Requests served by one server before a fresh one takes over.
pub(crate) const RESTART_EVERY: u64 = 20_000;
/// Examples of each failure kept for the report.
const EXAMPLES: usize = 5;

/// What a run found.
#[derive(Debug, Default)]
pub(crate) struct Figures {
    pub(crate) requests: u64,
    pub(crate) panics: u64,
    /// The reference server's own 500s: answers NocoBase would not give.
    pub(crate) internal: u64,
    pub(crate) examples: Vec<String>,
    pub(crate) statuses: BTreeMap<u16, u64>,
    /// 5xx answers by message (NocoBase's own errors, and the 501s of unimplemented actions).
    pub(crate) server_errors: BTreeMap<String, u64>,
    /// The largest resident set seen, in KiB.
    pub(crate) max_rss_kib: u64,
}

/// The process's resident set, in KiB.
pub(crate) fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// A server and the tokens that reach it.
struct Fixture {
    router: Router,
    tokens: Vec<String>,
}

impl Fixture {
    /// A fresh server with the tutorial's state: the recorded `2.2.15-api` requests replayed
    /// as the admin, then the off-path set's setup (its first 12 exchanges).
    async fn new(seeds: &[Seed]) -> Self {
        let config = ServerConfig { app_key: KEY.to_owned(), root: RootAccount::default(), database: None };
        let router = app(AppState::new(config).expect("the reference server starts"));
        let mut fixture = Fixture { router, tokens: Vec::new() };
        let sign_in = Mutated {
            method: "POST".into(),
            target: "/api/auth:signIn".into(),
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: br#"{"account":"admin@nocobase.com","password":"admin123"}"#.to_vec(),
        };
        let (_, body) = fixture.send(sign_in).await.expect("signs in");
        let admin = token_in(&body).expect("a session token");
        fixture.tokens.push(admin.clone());
        for seed in seeds.iter().filter(|s| s.set == "2.2.15-api" || (s.set == "2.2.15-offpath" && s.step <= 12)) {
            let request = Mutated {
                method: seed.method.clone(),
                target: seed.target.replace("<TOKEN>", &admin),
                headers: seed.headers.iter().map(|(k, v)| (k.clone(), v.replace("<TOKEN>", &admin))).collect(),
                body: seed.body.clone(),
            };
            if let Ok((_, body)) = fixture.send(request).await
                && let Some(token) = token_in(&body)
            {
                fixture.tokens.push(token);
            }
        }
        fixture.tokens.extend(["".to_owned(), "garbage".to_owned(), "a.b.c".to_owned(), expired_key()]);
        fixture
    }

    /// Sends one request on a task of its own: the answer's status and body, or `Err` for a
    /// panic.
    async fn send(&self, m: Mutated) -> Result<(u16, Vec<u8>), ()> {
        let router = self.router.clone();
        let task = tokio::spawn(async move {
            // The characters Node takes in a target and `http::Uri` does not are percent-encoded,
            // as the server's own HTTP layer does.
            let target: String = m
                .target
                .chars()
                .map(|c| match c {
                    '"' | '<' | '>' | '\\' | '^' | '`' | '{' | '|' | '}' => format!("%{:02X}", c as u32),
                    c if !c.is_ascii() || c.is_ascii_control() => {
                        c.to_string().bytes().map(|b| format!("%{b:02X}")).collect()
                    }
                    c => c.to_string(),
                })
                .collect();
            let mut builder =
                Request::builder().method(m.method.as_str()).uri(target.as_str()).header("host", "127.0.0.1:13000");
            for (k, v) in &m.headers {
                builder = builder.header(k.as_str(), v.as_str());
            }
            let Ok(request) = builder.body(Body::from(m.body)) else { return (0, Vec::new()) };
            let Ok(response) = router.oneshot(request).await;
            let status = response.status().as_u16();
            let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap_or_default();
            (status, bytes.to_vec())
        });
        task.await.map_err(|_| ())
    }
}

const KEY: &str = "lab-test-app-key-0123456789abcdef";

/// A key for user 1 that expired an hour ago.
fn expired_key() -> String {
    use jsonwebtoken::{Algorithm, EncodingKey, Header};
    let iat = time::OffsetDateTime::now_utc().unix_timestamp() - 7200;
    let claims = serde_json::json!({"userId": 1, "roleName": "root", "iat": iat, "exp": iat + 3600});
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &EncodingKey::from_secret(KEY.as_bytes()))
        .unwrap_or_default()
}

fn token_in(body: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(body).ok()?;
    value["data"]["token"].as_str().map(str::to_owned)
}

/// Runs `count` mutated requests from `seed`; `progress` is called every 10,000 requests.
pub(crate) async fn run(recordings: &Path, count: u64, seed: u64, mut progress: impl FnMut(&Figures)) -> Figures {
    let seeds = seeds::load(recordings);
    assert!(!seeds.is_empty(), "no recorded requests under {}", recordings.display());
    let mut rng = Rng::new(seed);
    let mut figures = Figures::default();
    let mut fixture = Fixture::new(&seeds).await;
    for i in 0..count {
        if i > 0 && i % RESTART_EVERY == 0 {
            fixture = Fixture::new(&seeds).await;
        }
        let seed = rng.pick(&seeds);
        let request = mutate(seed, &mut rng, &fixture.tokens);
        let shown = format!(
            "{} {} {:?} {}",
            request.method,
            request.target,
            request.headers,
            String::from_utf8_lossy(&request.body[..request.body.len().min(300)])
        );
        figures.requests += 1;
        match fixture.send(request).await {
            Err(()) => {
                figures.panics += 1;
                keep(&mut figures.examples, format!("panic: {shown}"));
            }
            Ok((status, body)) => {
                *figures.statuses.entry(status).or_default() += 1;
                if status >= 500 {
                    let message = message_of(&body);
                    if status == 500 && message == "Internal Server Error" && body.starts_with(b"{") {
                        figures.internal += 1;
                        keep(&mut figures.examples, format!("internal error: {shown}"));
                    }
                    *figures.server_errors.entry(format!("{status} {}", generalise(&message))).or_default() += 1;
                }
            }
        }
        if i % 1000 == 0 {
            figures.max_rss_kib = figures.max_rss_kib.max(rss_kib());
        }
        if i > 0 && i % 10_000 == 0 {
            progress(&figures);
        }
    }
    figures.max_rss_kib = figures.max_rss_kib.max(rss_kib());
    figures
}

fn keep(examples: &mut Vec<String>, example: String) {
    if examples.len() < EXAMPLES * 4 {
        examples.push(example);
    }
}

/// The first error message of a NocoBase error body, or the body's text.
fn message_of(body: &[u8]) -> String {
    match serde_json::from_slice::<Value>(body) {
        Ok(v) => v["errors"][0]["message"].as_str().unwrap_or_default().to_owned(),
        Err(_) => String::from_utf8_lossy(&body[..body.len().min(80)]).into_owned(),
    }
}

/// A message with its variable parts (names, values, positions) cut, to count kinds.
fn generalise(message: &str) -> String {
    let cut = message.find(['\'', '"', '{', '(', '[']).map_or(message, |i| &message[..i]);
    let cut: String = cut.chars().map(|c| if c.is_ascii_digit() { '#' } else { c }).collect();
    cut.chars().take(70).collect()
}

/// The figures as the report prints them.
pub(crate) fn report(figures: &Figures) -> String {
    let mut out = format!(
        "requests {}  panics {}  internal errors {}  max RSS {:.1} MiB\nstatuses {:?}\n",
        figures.requests,
        figures.panics,
        figures.internal,
        figures.max_rss_kib as f64 / 1024.0,
        figures.statuses
    );
    for (message, n) in &figures.server_errors {
        out.push_str(&format!("  {n:>8}  {message}\n"));
    }
    for example in &figures.examples {
        out.push_str(&format!("example {example}\n"));
    }
    out
}
