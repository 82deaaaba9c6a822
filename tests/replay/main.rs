//! Replays every exchange recorded from real NocoBase 2.2.15 (`fixtures/recordings/2.2.15-api`,
//! `-ui`, `-offpath`, `-lifecycle`) against a fresh reference server per recording set, in order,
//! and checks that the server answers as NocoBase did: status, content-type class, the CORS headers
//! the set kept (everywhere, or only where the request sent `Origin`), and the normalised body.
//! Prints `reproduced N of M (P%)`.
//!
//! The rules that turn a recording back into a live request, each kept small:
//! * **tokens** — a recorded `Authorization` holding `<TOKEN>` gets the live token that the
//!   exchange's `auth` text names (see [`Tokens::resolve`]); any other value is sent verbatim
//!   (the garbage and wrong-key tokens are in the recordings on purpose).
//! * **generated ids** — snowflakes and uids are learned recorded → actual by walking the recorded
//!   and actual response bodies in parallel ([`IdMap::learn`]), then rewritten in later URLs and
//!   bodies; for the comparison both sides name a learned id by its recorded value.
//! * **sessions** — which sign-in an `auth` text names, renewals (`x-new-token`) included:
//!   [`Sessions::resolve`]; **forged JWTs** (`JWT …`, `root JWT …`, `forged …`) are minted again
//!   from `decoded_jwt`, their times moved with the clock, with the secret the text names or the
//!   running APP_KEY ([`minting::mint`]).
//! * **origin** — recorded URLs are on the recordings' server (`127.0.0.1:13000`, `:13003`); its
//!   host is sent as `Host`, which same-origin checks see.
//! * **server stages** ([`Stages`]) — an admin sign-in followed by `collections:create` of `todos`
//!   starts a block over on a fresh database; a `note` naming a stop/start (and its APP_KEY) is a
//!   new `AppState` on the same database file ([`Server::restart`]).
//! * **waiting** — an `auth` text saying "used N s after creation" waits N seconds first. Longer
//!   recorded waits (the token policy's 10-66 s) are not slept: those exchanges are exceptions.
//! * **comparison** — `nocobase_conformance::check::normalize::Normalizer` on both sides (JWTs,
//!   timestamps, uids, snowflakes; key order never matters).
//!
//! `fixtures/recordings/replay-exceptions.toml` lists the exchanges deliberately not reproduced,
//! each with its reason. A listed exchange that matches fails the test (so the list only shrinks),
//! and so does any unlisted mismatch, with a short JSON-path diff.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::time::Duration;

use nocobase_conformance::check::jwt::decode_claims;
use nocobase_conformance::check::normalize::{self, IdKind, Normalizer};
use nocobase_conformance::mismatch::json_diff;
use nocobase_conformance::reference::{AppState, RootAccount, ServerConfig};
use regex::Regex;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Value, json};

/// The recording sets, in the order they are replayed.
const SETS: &[&str] = &["2.2.15-api", "2.2.15-ui", "2.2.15-offpath", "2.2.15-lifecycle"];
/// The APP_KEY the recordings' server ran with (their SUMMARY.md).
const APP_KEY: &str = "lab-test-app-key-0123456789abcdef";
/// The share of exchanges the reference server must reproduce.
const MIN_SCORE_PERCENT: f64 = 90.0;

mod comparison;
mod ids;
mod minting;
mod raw;
mod recordings;
mod server;
mod sessions;
mod stages;
mod tokens;
mod wire;

use comparison::*;
use ids::*;
use recordings::*;
use server::*;
use sessions::*;
use stages::*;
use tokens::*;

/// What became of one exchange.
struct Outcome {
    id: String,
    step: String,
    diff: Vec<String>,
}

/// Plays one set against a fresh server.
async fn replay_set(set: &str) -> Vec<Outcome> {
    let recordings = load_set(set);
    // A set keeps the CORS headers everywhere (ui, offpath), or only where the request carried
    // an `Origin` (lifecycle), or nowhere (api).
    let kept = recordings.iter().filter(|r| r.header("vary").is_some());
    let only_with_origin = kept.clone().all(|r| r.sent_origin());
    let cors_kept_anywhere = kept.count() > 0;
    let mut server = Server::fresh().await;
    let client = nocobase_conformance::client::http()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("a client");
    let mut tokens = Tokens::default();
    let mut ids = IdMap::default();
    let mut stages = Stages::default();
    let mut outcomes = Vec::new();
    for (index, recorded) in recordings.iter().enumerate() {
        match stages.before(index, recorded, recordings.get(index + 1)) {
            Some(Stage::Reset) => {
                server.reset().await;
                (tokens, ids) = (Tokens::default(), IdMap::default());
            }
            Some(Stage::Restart(app_key)) => server.restart(&app_key).await,
            None => {}
        }
        tokens.app_key.clone_from(&server.app_key);
        let origin = server.origin.clone();
        let address = origin.trim_start_matches("http://").to_owned();
        let step = recorded.json["step"].as_str().unwrap_or_default().to_owned();
        if recorded.is_raw() {
            let diff = raw::replay(&address, recorded, &tokens, &ids).await;
            outcomes.push(Outcome { id: recorded.id.clone(), step, diff });
            continue;
        }
        let (actual, caller, request_body) = match send(&client, &origin, recorded, &tokens, &ids).await {
            Ok(sent) => sent,
            Err(e) => {
                outcomes.push(Outcome { id: recorded.id.clone(), step, diff: vec![format!("not sent: {e}")] });
                continue;
            }
        };
        ids.learn(&recorded.response()["body"], &actual.body);
        let (_, path) = split_origin(recorded.request()["url"].as_str().unwrap_or_default());
        tokens.learn(recorded, path, &request_body, caller.as_deref(), &actual);
        let cors_kept = cors_kept_anywhere && (!only_with_origin || recorded.sent_origin());
        let diff = compare(recorded, &actual, &ids, cors_kept);
        outcomes.push(Outcome { id: recorded.id.clone(), step, diff });
    }
    server.stop();
    outcomes
}

/// A recorded URL's host (`127.0.0.1:13000`, `127.0.0.1:13003`: where the recordings' server
/// listened) and its path; no host when the URL is not on 127.0.0.1.
fn split_origin(url: &str) -> (Option<&str>, &str) {
    static ORIGIN: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^http://(127\.0\.0\.1:\d+)").expect("valid pattern"));
    match ORIGIN.captures(url) {
        Some(caps) => {
            let whole = caps.get(0).map_or(0, |m| m.end());
            (caps.get(1).map(|m| m.as_str()), &url[whole..])
        }
        None => (None, url),
    }
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
    let (recorded_host, path) = split_origin(url);
    let recorded_host = recorded_host.ok_or_else(|| format!("url {url} is not on a recorded origin"))?;
    let mut live_url = format!("{origin}{}", ids.url(path));
    if live_url.contains("<TOKEN>") {
        live_url = live_url.replace("<TOKEN>", &tokens.resolve(recorded.auth(), &recorded.json)?);
    }

    let mut headers = HeaderMap::new();
    let mut caller = None;
    let mut sent_token = None;
    for (name, value) in request["headers"].as_object().into_iter().flatten() {
        let mut value = value.as_str().unwrap_or_default().to_owned();
        if value.contains("<TOKEN>") {
            let token = tokens.resolve(recorded.auth(), &recorded.json)?;
            caller = tokens.session_owner(&token).map(str::to_owned);
            value = value.replace("<TOKEN>", &token);
            sent_token = Some(token);
        }
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| e.to_string())?;
        headers.insert(name, HeaderValue::from_bytes(value.as_bytes()).map_err(|e| e.to_string())?);
    }
    // The recorded server's own host: what same-origin checks (CORS credentials, sign-in) see.
    if !headers.contains_key(reqwest::header::HOST) {
        headers.insert(reqwest::header::HOST, HeaderValue::from_str(recorded_host).map_err(|e| e.to_string())?);
    }
    let mut builder = client.request(method, &live_url).headers(headers);
    if let Some(bytes) = wire::request_body(request, ids) {
        builder = builder.body(bytes);
    }
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
    let cookies =
        response.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap_or_default().to_owned()).collect();
    let request_id = response.headers().contains_key("x-request-id");
    let new_token = response.headers().get("x-new-token").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let text = response.text().await.map_err(|e| e.to_string())?;
    let body = if text.is_empty() {
        Value::Null
    } else if body_kind(content_type.as_deref()) == BodyKind::Json {
        lenient_json(&text).unwrap_or(Value::String(text))
    } else {
        Value::String(text)
    };
    let renewal = sent_token.zip(new_token);
    Ok((Actual { status, content_type, cors, cookies, request_id, renewal, body }, caller, ids.body(&request["body"])))
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
