//! What a CI job reads from a failing run: one JSON line per scenario naming the failed step and
//! the mismatch (`--format json` on stdout, `--json PATH`), GitHub's `::error` annotation at the
//! failing step's line of its feature file, and the job summary appended to
//! `$GITHUB_STEP_SUMMARY` — provoked with the deliberately failing feature.

use serde_json::Value;

use super::support::{project, run_with_env, temp_dir};

/// The deliberately failing run (two failures, one pass) with `args` added.
async fn failing_run(args: &[&str], env: &[(&str, &str)]) -> super::support::Run {
    let fixtures = project().join("tests/fixtures/failing");
    failing_run_with(&fixtures.join("snapshots"), args, env).await
}

/// The same, with the snapshots of `snapshots`.
async fn failing_run_with(snapshots: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> super::support::Run {
    let features = project().join("tests/fixtures/failing/features");
    let mut all = vec!["run", "--features", features.to_str().expect("UTF-8"), "--snapshots"];
    all.extend([snapshots.to_str().expect("UTF-8"), "--concurrency", "1"]);
    all.extend(args);
    run_with_env(&all, env).await
}

/// The JSON object of the scenario called `name`.
fn scenario<'a>(lines: &'a [Value], name: &str) -> &'a Value {
    lines.iter().find(|l| l["scenario"] == name).unwrap_or_else(|| panic!("no line for {name:?} in {lines:#?}"))
}

#[tokio::test]
async fn json_lines_name_the_failed_step_and_the_mismatch() {
    // Arrange: a copy of the snapshots, where the changed one is left for review (as outside CI).
    let dir = temp_dir("json");
    let file = dir.path().join("results").join("run.jsonl");
    let snapshots = dir.path().join("snapshots");
    std::fs::create_dir(&snapshots).expect("made");
    for entry in std::fs::read_dir(project().join("tests/fixtures/failing/snapshots")).expect("fixtures").flatten() {
        std::fs::copy(entry.path(), snapshots.join(entry.file_name())).expect("copied");
    }

    // Act
    let args = ["--format", "json", "--json", file.to_str().expect("UTF-8")];
    let out = failing_run_with(&snapshots, &args, &[("INSTA_UPDATE", "new")]).await;

    // Assert: stdout holds only the JSON lines; the lines for people went to stderr.
    assert_eq!(out.code, 1, "{}", out.all());
    let lines: Vec<Value> =
        out.stdout.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
    assert_eq!(lines.len(), 3, "one line per scenario: {}", out.stdout);
    assert!(out.stderr.contains("Running 3 scenarios"), "{}", out.stderr);
    let failed = scenario(&lines, "A status that does not match");
    assert_eq!(failed["status"], "failed");
    assert_eq!(failed["feature"], "A deliberately failing run");
    assert_eq!(failed["failure"]["kind"], "mismatch");
    assert_eq!(failed["failure"]["step"]["keyword"], "Then");
    assert_eq!(failed["failure"]["step"]["text"], "the response status is 201");
    assert_eq!(failed["failure"]["step"]["line"], 15);
    let message = failed["failure"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("expected: 201") && message.contains("actual:   200"), "{message}");
    assert!(message.contains("Authorization: Bearer [redacted]"), "secrets masked: {message}");
    let snapshot = scenario(&lines, "A snapshot that does not match");
    let message = snapshot["failure"]["message"].as_str().unwrap_or_default();
    assert!(message.contains(".body.data[1].title: \"sleep well\" → \"sleep\""), "{message}");
    let passed = scenario(&lines, "A scenario that passes");
    assert_eq!((passed["status"].as_str(), passed["failure"].is_null()), (Some("passed"), true));
    assert!(passed["duration_ms"].as_u64().is_some());
    assert_eq!(std::fs::read_to_string(&file).expect("--json written"), out.stdout, "the same lines in the file");
    let pending = snapshots.join("deliberately_failing__a_snapshot_that_does_not_match__two_to_dos.snap.new");
    assert!(pending.is_file(), "the changed snapshot is left for review, and stdout stayed JSON");
    assert!(!out.all().contains("eyJ"), "no token anywhere");
}

#[tokio::test]
async fn on_github_actions_a_failure_is_annotated_at_its_step_and_summarised() {
    // Arrange
    let dir = temp_dir("github");
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "earlier steps' summary\n").expect("written");
    let workspace = project();
    let env = [
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_STEP_SUMMARY", summary.to_str().expect("UTF-8")),
        ("GITHUB_WORKSPACE", workspace.to_str().expect("UTF-8")),
    ];

    // Act
    let out = failing_run(&[], &env).await;

    // Assert: an annotation per failure, at the failing step's line, the file named from the
    // workspace; the summary appended.
    assert_eq!(out.code, 1, "{}", out.all());
    let annotations: Vec<&str> = out.stdout.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(annotations.len(), 2, "{}", out.stdout);
    assert!(
        annotations.iter().any(|a| a.starts_with(
            "::error file=tests/fixtures/failing/features/deliberately_failing.feature,line=15,title=A status that does not match::Then the response status is 201%0Astatus of the response does not match%0A  | GET /api/todos_"
        )),
        "{annotations:#?}"
    );
    assert!(
        annotations.iter().any(|a| a.starts_with(
            "::error file=tests/fixtures/failing/features/deliberately_failing.feature,line=19,title=A snapshot that does not match::Then the response matches the snapshot \"two to-dos\"%0A"
        )),
        "{annotations:#?}"
    );
    let summary = std::fs::read_to_string(&summary).expect("summary written");
    assert!(summary.starts_with("earlier steps' summary\n## ✘ NocoBase conformance: failed"), "appended: {summary}");
    assert!(summary.contains("| 1 | 0 | 2 | 0 | 0 |"), "{summary}");
    assert!(summary.contains("<b>A status that does not match</b>"), "{summary}");
    assert!(!summary.contains("eyJ"), "no token in the summary");
}
