//! `compare` and `record`: the embedded server against a wiremock target that answers the
//! wrong-password scenario with one field changed shows exactly that field (exit 1), and nothing
//! when it answers alike (exit 0); two embedded servers agree; `record` writes a target's own
//! snapshots, which a later check against the same target passes and against a changed target
//! fails, naming the change — with a feature file of the user's own, run with `--features`.

use serde_json::{Value, json};
use wiremock::matchers::{body_partial_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::support::{Run, UNSIGNED_API_KEY, healthy, run, temp_dir};

/// NocoBase 2.2.15's answer to a wrong password.
const WRONG_PASSWORD: &str = "The username/email or password is incorrect, please re-enter";

/// JSON as NocoBase sends it (its content type names the charset).
fn json_answer(status: u16, body: &Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.to_string().into_bytes(), "application/json; charset=utf-8")
}

/// A target that signs the admin in, refuses a wrong password with `message`, and has nothing
/// left over when the run sweeps.
async fn sign_in_target(message: &str) -> MockServer {
    let server = MockServer::start().await;
    healthy(&server).await;
    Mock::given(method("POST"))
        .and(path("/api/auth:signIn"))
        .and(body_partial_json(json!({"password": "not-the-password"})))
        .respond_with(json_answer(401, &json!({"errors": [{"message": message}]})))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/auth:signIn"))
        .respond_with(json_answer(200, &json!({"data": {"token": UNSIGNED_API_KEY, "user": {"id": 1}}})))
        .mount(&server)
        .await;
    for list in ["apiKeys:list", "users:list", "roles:list", "collections:list"] {
        Mock::given(path(format!("/api/{list}")))
            .respond_with(json_answer(200, &json!({"data": []})))
            .mount(&server)
            .await;
    }
    Mock::given(path("/api/auth:signOut")).respond_with(json_answer(200, &json!({"data": null}))).mount(&server).await;
    server
}

/// `compare` of the embedded server with `against`, on the wrong-password scenario.
async fn compare_wrong_password(against: &str, extra: &[&str]) -> Run {
    let mut args = vec!["compare", "--against", against, "--name", "A wrong password is refused"];
    args.extend(extra);
    run(&args).await
}

#[tokio::test]
async fn a_target_that_differs_in_one_field_shows_exactly_that_field() {
    // Arrange
    let server = sign_in_target("Wrong password!").await;
    let dir = temp_dir("compare");
    let (report, junit) = (dir.path().join("comparison.md"), dir.path().join("comparison.xml"));
    let reports = ["--report", report.to_str().expect("UTF-8"), "--junit", junit.to_str().expect("UTF-8")];

    // Act
    let out = compare_wrong_password(&format!("{}/api", server.uri()), &reports).await;

    // Assert: exit 1, and the one field, side by side.
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(out.stdout.contains("1 scenarios compared: 0 agree, 1 differ."), "{}", out.stdout);
    let expected = format!(
        "✘ A wrong password is refused (features/01_sign_in.feature:19)\n    wrong password .body.errors[0].message\n      A: \"{WRONG_PASSWORD}\"\n      B: \"Wrong password!\"\n"
    );
    assert!(out.stdout.contains(&expected), "{}", out.stdout);
    let markdown = std::fs::read_to_string(&report).expect("report written");
    let rows: Vec<&str> = markdown.lines().filter(|l| l.starts_with("| wrong password |")).collect();
    assert_eq!(
        rows,
        [format!("| wrong password | `.body.errors[0].message` | `\"{WRONG_PASSWORD}\"` | `\"Wrong password!\"` |")],
        "{markdown}"
    );
    let xml = std::fs::read_to_string(&junit).expect("JUnit written");
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let failures: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("failure")).collect();
    assert_eq!(failures.len(), 1, "{xml}");
    assert!(failures[0].text().is_some_and(|t| t.contains(".body.errors[0].message")), "{xml}");
}

#[tokio::test]
async fn a_target_that_answers_alike_agrees() {
    let server = sign_in_target(WRONG_PASSWORD).await;
    let out = compare_wrong_password(&format!("{}/api", server.uri()), &[]).await;
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(out.stdout.contains("1 scenarios compared: 1 agree, 0 differ."), "{}", out.stdout);
}

#[tokio::test]
async fn two_embedded_servers_agree_on_a_whole_feature() {
    let out = run(&["compare", "--against", "embedded", "--name", "Step 7"]).await;
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(out.stdout.contains(" differ.") && out.stdout.contains(", 0 differ."), "{}", out.stdout);
}

#[tokio::test]
async fn a_side_that_cannot_run_makes_compare_exit_2() {
    let out = compare_wrong_password("http://127.0.0.1:9/api", &["--ready-timeout", "1"]).await;
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stderr.contains("side B could not run"), "{}", out.stderr);
}

/// A feature of a user's own: their collection `projects`, checked with a key alone.
const OWN_FEATURE: &str = r#"@key-only
Feature: Our projects, read with a key
  Background:
    Given an API key that may read and write the collection "projects"

  Scenario: The key lists our projects
    When the key lists the records
    Then the response status is 200
    And the response is a page of records
    And the response matches the snapshot "projects"
"#;

/// A target whose `projects` collection lists `titles` to the key.
async fn projects_target(titles: &[&str]) -> MockServer {
    let server = MockServer::start().await;
    healthy(&server).await;
    let rows: Vec<Value> = titles.iter().enumerate().map(|(i, t)| json!({"id": i + 1, "title": t})).collect();
    let meta = json!({"count": rows.len(), "page": 1, "pageSize": 5, "totalPage": 1});
    Mock::given(path("/api/projects:list"))
        .respond_with(json_answer(200, &json!({"data": rows, "meta": meta})))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn record_then_check_passes_on_the_same_target_and_names_the_change_on_another() {
    // Arrange: the user's own feature in a folder of its own.
    let dir = temp_dir("record");
    let (features, snapshots) = (dir.path().join("features"), dir.path().join("snapshots"));
    std::fs::create_dir(&features).expect("made");
    std::fs::write(features.join("projects.feature"), OWN_FEATURE).expect("written");
    let target = projects_target(&["ship 1.0", "write the docs"]).await;
    let flags = |base: String| {
        vec![
            "--base-url".to_owned(),
            base,
            "--api-key".into(),
            UNSIGNED_API_KEY.into(),
            "--collection".into(),
            "projects".into(),
            "--features".into(),
            features.to_string_lossy().into_owned(),
            "--snapshots".into(),
            snapshots.to_string_lossy().into_owned(),
        ]
    };
    let with = |command: &str, base: String| {
        let mut args = vec![command.to_owned()];
        args.extend(flags(base));
        args
    };
    let run_args = |args: Vec<String>| async move { run(&args.iter().map(String::as_str).collect::<Vec<_>>()).await };

    // Act: record, then check the same target, then a changed one.
    let recorded = run_args(with("record", format!("{}/api", target.uri()))).await;
    let same = run_args(with("run", format!("{}/api", target.uri()))).await;
    let changed_target = projects_target(&["ship 1.0", "write the manual"]).await;
    let changed = run_args(with("run", format!("{}/api", changed_target.uri()))).await;

    // Assert
    assert_eq!(recorded.code, 0, "{}", recorded.all());
    let snapshot = snapshots.join("projects__the_key_lists_our_projects__projects.snap");
    let text = std::fs::read_to_string(&snapshot).expect("record wrote the snapshot");
    assert!(
        text.starts_with("---\nsource: src/check/snapshot.rs\ndescription: The key lists our projects\n---\n"),
        "{text}"
    );
    assert!(text.contains("\"request\": \"GET /api/projects:list?pageSize=5\""), "{text}");
    assert_eq!(same.code, 0, "the recorded answers hold on the same target: {}", same.all());
    assert_eq!(changed.code, 1, "{}", changed.all());
    assert!(
        changed.stdout.contains(".body.data[1].title: \"write the docs\" → \"write the manual\""),
        "{}",
        changed.stdout
    );
    assert_eq!(
        std::fs::read_dir(&snapshots).expect("a folder").count(),
        1,
        "the check wrote nothing (INSTA_UPDATE=no)"
    );
}

#[tokio::test]
async fn record_needs_one_folder_and_never_writes_the_built_in_set() {
    let none = run(&["record"]).await;
    assert_eq!(none.code, 2, "{}", none.all());
    assert!(none.stderr.contains("record needs one --snapshots DIR"), "{}", none.stderr);
    let built_in = run(&["record", "--snapshots", "builtin"]).await;
    assert_eq!(built_in.code, 2, "{}", built_in.all());
}
