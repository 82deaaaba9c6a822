//! `--retries`: a scenario that failed without a proper answer (here a 503) runs again, and one
//! that then passes is FLAKY — on the console, in JUnit (`flakyFailure`) and in JSON — which
//! passes the run unless `--fail-on-flaky`; a mismatch of a proper answer is never retried.
//! The target is a wiremock server answering the key-only scenario that lists the records.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use super::support::{Run, UNSIGNED_API_KEY, healthy, run, temp_dir};

/// Answers `todos:list` with each answer in turn, the last one from then on; counts the calls.
struct InTurn {
    answers: Vec<ResponseTemplate>,
    calls: Arc<AtomicUsize>,
}

impl Respond for InTurn {
    fn respond(&self, _request: &Request) -> ResponseTemplate {
        let call = self.calls.fetch_add(1, Ordering::SeqCst);
        self.answers[call.min(self.answers.len() - 1)].clone()
    }
}

fn page(records: Value) -> ResponseTemplate {
    let meta = json!({"count": 1, "page": 1, "pageSize": 20, "totalPage": 1});
    ResponseTemplate::new(200).set_body_json(json!({"data": records, "meta": meta}))
}

fn unavailable() -> ResponseTemplate {
    ResponseTemplate::new(503).set_body_json(json!({"errors": [{"message": "Service Unavailable"}]}))
}

/// A target whose `todos:list` gives `answers` in turn (the first is the key check before the
/// scenarios); the calls it counts.
async fn target(answers: Vec<ResponseTemplate>) -> (MockServer, Arc<AtomicUsize>) {
    let server = MockServer::start().await;
    healthy(&server).await;
    let calls = Arc::new(AtomicUsize::new(0));
    Mock::given(path("/api/todos:list"))
        .respond_with(InTurn { answers, calls: Arc::clone(&calls) })
        .mount(&server)
        .await;
    (server, calls)
}

/// The key-only scenario that lists the records, against `server`, with `extra` flags.
async fn list_records(server: &MockServer, extra: &[&str]) -> Run {
    let base = format!("{}/api", server.uri());
    let mut args = vec!["run", "--base-url", &base, "--api-key", UNSIGNED_API_KEY, "--validate-openapi", "false"];
    args.extend(["--name", "The key lists the records"]);
    args.extend(extra);
    run(&args).await
}

fn one_record() -> Value {
    json!([{"id": 1, "title": "eat food", "completed": false}])
}

#[tokio::test]
async fn a_scenario_that_passes_after_a_503_is_flaky_and_passes_the_run() {
    // Arrange: the key check, then a 503, then the page.
    let (server, calls) = target(vec![page(one_record()), unavailable(), page(one_record())]).await;
    let dir = temp_dir("flaky");
    let (junit, json) = (dir.path().join("junit.xml"), dir.path().join("results.jsonl"));
    let reports = ["--junit", junit.to_str().expect("UTF-8"), "--json", json.to_str().expect("UTF-8")];

    // Act
    let out = list_records(&server, &[&["--retries", "1"][..], &reports[..]].concat()).await;

    // Assert
    assert_eq!(out.code, 0, "a flaky scenario passes the run: {}", out.all());
    assert_eq!(calls.load(Ordering::SeqCst), 3, "the key check, the 503, the retry");
    assert!(out.stdout.contains("Retrying 1 scenario that failed without a proper answer"), "{}", out.stdout);
    assert!(
        out.stdout.contains("FLAKY: \"The key lists the records of its collection\" (features/11_use_a_key_on_its_own.feature:11) passed on attempt 2 after: status of the response does not match"),
        "{}",
        out.stdout
    );
    let xml = std::fs::read_to_string(&junit).expect("JUnit written");
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let case = doc
        .descendants()
        .find(|n| n.attribute("name").is_some_and(|name| name.starts_with("Scenario: The key lists the records")))
        .expect("the scenario's test case");
    let flaky = case.children().find(|n| n.has_tag_name("flakyFailure"));
    let flaky = flaky.unwrap_or_else(|| panic!("a flakyFailure: {xml}"));
    assert!(flaky.attribute("message").is_some_and(|m| m.contains("expected: 200") && m.contains("503")), "{xml}");
    assert!(!case.children().any(|n| n.has_tag_name("failure")), "a flaky scenario did not fail: {xml}");
    let lines = std::fs::read_to_string(&json).expect("JSON written");
    let line: Value = lines
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("JSON"))
        .find(|l| l["scenario"] == "The key lists the records of its collection")
        .expect("the scenario's line");
    assert_eq!((line["status"].as_str(), line["attempts"].as_u64()), (Some("flaky"), Some(2)), "{line}");
    assert_eq!(line["failure"]["transient"], true);
}

#[tokio::test]
async fn with_fail_on_flaky_a_flaky_scenario_fails_the_run() {
    let (server, calls) = target(vec![page(one_record()), unavailable(), page(one_record())]).await;
    let out = list_records(&server, &["--retries", "1", "--fail-on-flaky"]).await;
    assert_eq!(out.code, 1, "{}", out.all());
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    assert!(out.stdout.contains("FLAKY: "), "{}", out.stdout);
}

#[tokio::test]
async fn a_mismatch_is_never_retried() {
    // Arrange: a proper answer (200), but not a page of records.
    let (server, calls) = target(vec![page(one_record()), page(json!({"not": "a list"}))]).await;
    // Act
    let out = list_records(&server, &["--retries", "2"]).await;
    // Assert
    assert_eq!(out.code, 1, "{}", out.all());
    assert_eq!(calls.load(Ordering::SeqCst), 2, "the key check and one attempt: {}", out.all());
    assert!(!out.stdout.contains("Retrying"), "{}", out.stdout);
    assert!(out.stdout.contains("1 scenario (1 failed)"), "{}", out.stdout);
}

#[tokio::test]
async fn a_scenario_that_keeps_failing_is_retried_then_fails_with_every_attempt_reported() {
    let (server, calls) = target(vec![page(one_record()), unavailable()]).await;
    let dir = temp_dir("rerun");
    let junit = dir.path().join("junit.xml");
    let out = list_records(&server, &["--retries", "2", "--junit", junit.to_str().expect("UTF-8")]).await;
    assert_eq!(out.code, 1, "a 503 where a 200 belongs is a failure to conform: {}", out.all());
    assert_eq!(calls.load(Ordering::SeqCst), 4, "the key check and three attempts");
    let xml = std::fs::read_to_string(&junit).expect("JUnit written");
    assert_eq!((xml.matches("<failure ").count(), xml.matches("<rerunFailure ").count()), (1, 2), "{xml}");
}

#[tokio::test]
async fn without_retries_a_503_fails_at_once() {
    let (server, calls) = target(vec![page(one_record()), unavailable(), page(one_record())]).await;
    let out = list_records(&server, &[]).await;
    assert_eq!(out.code, 1, "{}", out.all());
    assert_eq!(calls.load(Ordering::SeqCst), 2, "no retry by default");
}
