//! What a run writes: the console report of a deliberately failing run (pinned as a golden file,
//! so its format stays stable), JUnit XML with one test case per scenario, and the readable
//! report with every step's result.

use std::sync::LazyLock;

use regex::Regex;

use super::support::{project, run, temp_dir};

static PORT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"127\.0\.0\.1:\d+").expect("valid"));
static TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"nc[0-9a-z]{8}").expect("valid"));
static TIME: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"Finished in [0-9.]+s").expect("valid"));
static SOURCE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(src/steps/[a-z_]+\.rs):\d+:\d+").expect("valid"));

/// Output with what changes between runs replaced: ports, run tags, timings, step line numbers.
fn stable(text: &str) -> String {
    let text = PORT.replace_all(text, "127.0.0.1:[port]");
    let text = TAG.replace_all(&text, "[tag]");
    let text = TIME.replace_all(&text, "Finished in [time]");
    SOURCE.replace_all(&text, "$1:[line]").into_owned()
}

fn failing_args<'a>(features: &'a str, snapshots: &'a str) -> Vec<&'a str> {
    vec!["run", "--features", features, "--snapshots", snapshots, "--concurrency", "1"]
}

#[tokio::test]
async fn a_failing_run_reports_each_failure_with_its_request_and_diff() {
    // Arrange
    let fixtures = project().join("tests/fixtures/failing");
    let (features, snapshots) = (fixtures.join("features"), fixtures.join("snapshots"));
    // Act
    let out = run(&failing_args(&features.to_string_lossy(), &snapshots.to_string_lossy())).await;
    // Assert
    assert_eq!(out.code, 1, "a conformance failure exits 1\n{}", out.all());
    let console = stable(&out.stdout);
    assert!(console.contains("status of the response does not match"), "{console}");
    assert!(console.contains("| GET /api/todos_[tag]:list"), "{console}");
    assert!(console.contains("|   Authorization: Bearer [redacted]"), "{console}");
    assert!(console.contains(".body.data[1].title: \"sleep well\" → \"sleep\""), "{console}");
    assert!(!console.contains("Step panicked"), "cucumber's panic wording is replaced: {console}");
    insta::with_settings!({snapshot_path => project().join("tests/snapshots"), prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("failing_run_console", console);
    });
}

#[tokio::test]
async fn junit_has_one_test_case_per_scenario_and_the_report_shows_every_step() {
    // Arrange
    let dir = temp_dir("reports");
    let (junit, report) = (dir.path().join("junit.xml"), dir.path().join("report.md"));
    // Act: the whole suite against the embedded server.
    let out = run(&["run", "--junit", &junit.to_string_lossy(), "--report", &report.to_string_lossy()]).await;
    // Assert
    assert_eq!(out.code, 0, "{}", out.all());
    let selected: usize = Regex::new(r"Running (\d+) scenarios")
        .expect("valid")
        .captures(&out.stdout)
        .and_then(|c| c[1].parse().ok())
        .expect("the run says how many scenarios it runs");
    let xml = std::fs::read_to_string(&junit).expect("junit written");
    let doc = roxmltree::Document::parse(&xml).expect("JUnit output is well-formed XML");
    assert_eq!(doc.root_element().tag_name().name(), "testsuites");
    let cases: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("testcase")).collect();
    // Scenarios left out (no Chromium on this machine: the @browser ones) are skipped test cases.
    let reasons: Vec<Option<&str>> = cases
        .iter()
        .map(|c| c.children().find(|n| n.has_tag_name("skipped")).map(|s| s.attribute("message").unwrap_or_default()))
        .collect();
    assert_eq!(reasons.iter().filter(|r| r.is_none()).count(), selected, "one test case per scenario that ran");
    assert!(reasons.iter().flatten().all(|why| !why.is_empty()), "a scenario left out says why");
    assert!(cases.iter().all(|c| c.attribute("name").is_some_and(|n| n.starts_with("Scenario"))));
    assert!(doc.descendants().all(|n| !n.has_tag_name("failure")), "the suite passes on the embedded server");

    let page = std::fs::read_to_string(&report).expect("report written");
    assert!(page.starts_with("# NocoBase \"Using API Keys\" tutorial — conformance report"));
    assert!(page.contains(&format!("{selected} scenarios: {selected} passed, 0 failed")), "{}", &page[..300]);
    assert!(page.contains("## Step 7 — list, get, create, update and delete to-dos with only the API key"));
    assert!(page.contains("- ✔ **When** the API key lists the to-dos"));
}

#[tokio::test]
async fn the_html_report_and_junit_show_failures_with_their_message() {
    let dir = temp_dir("html");
    let report = dir.path().join("report.html");
    // A folder that does not exist yet: the run makes it.
    let junit = dir.path().join("ci").join("junit.xml");
    let fixtures = project().join("tests/fixtures/failing");
    let mut args =
        failing_args(&fixtures.join("features").to_string_lossy(), &fixtures.join("snapshots").to_string_lossy())
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>();
    args.extend(["--report".to_owned(), report.to_string_lossy().into_owned()]);
    args.extend(["--junit".to_owned(), junit.to_string_lossy().into_owned()]);
    let out = run(&args.iter().map(String::as_str).collect::<Vec<_>>()).await;
    assert_eq!(out.code, 1, "{}", out.all());
    let page = std::fs::read_to_string(&report).expect("report written");
    assert!(page.starts_with("<!doctype html>"));
    assert!(page.contains("3 scenarios: 1 passed, 2 failed"), "{page}");
    assert!(page.contains("<li class=\"fail\">✘ <b>Then</b> the response status is 201<pre>"), "{page}");

    let xml = std::fs::read_to_string(&junit).expect("junit written");
    let doc = roxmltree::Document::parse(&xml).expect("JUnit output of a failing run is well-formed XML");
    let cases: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("testcase")).collect();
    let failures: Vec<_> = cases.iter().filter_map(|c| c.children().find(|n| n.has_tag_name("failure"))).collect();
    assert_eq!((cases.len(), failures.len()), (3, 2), "{xml}");
    let messages: Vec<&str> = failures.iter().map(|f| f.attribute("message").unwrap_or_default()).collect();
    assert!(messages.iter().any(|m| m.contains("expected: 201") && m.contains("actual:   200")), "{messages:#?}");
    assert!(messages.iter().any(|m| m.contains(".body.data[1].title: \"sleep well\" → \"sleep\"")), "{messages:#?}");
    assert!(!xml.contains("eyJ"), "no token in the JUnit file");
}

#[tokio::test]
async fn an_undefined_step_fails_the_run() {
    // Arrange: a feature whose only step no step definition matches.
    let features = project().join("tests/fixtures/undefined");
    let dir = temp_dir("undefined");
    let report = dir.path().join("report.html");
    // Act
    let out = run(&["run", "--features", &features.to_string_lossy(), "--report", &report.to_string_lossy()]).await;
    // Assert: the feature is broken, not the target: "could not run".
    assert_eq!(out.code, 2, "an undefined step must never pass, and is not the target's fault\n{}", out.all());
    assert!(out.stdout.contains("When the moon is full"), "{}", out.stdout);
    assert!(out.stdout.contains("1 scenario (1 failed)"), "{}", out.stdout);
    assert!(
        out.stderr.contains("error: \"The moon\" has a step no step definition matches (a typo in the feature?)"),
        "{}",
        out.stderr
    );
    let page = std::fs::read_to_string(&report).expect("report written");
    assert!(
        page.contains("<li class=\"fail\">✘ <b>When</b> the moon is full<pre>Step doesn't match any function</pre>"),
        "{page}"
    );
}
