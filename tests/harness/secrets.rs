//! Secrets never leave: a run with known secrets — the admin password, the app key, every session
//! token and API key (JWTs), the generated password of the dedicated user — writes none of them
//! to the console, the JUnit report, the readable report or pending snapshots, even when
//! scenarios fail and print their requests.

use std::sync::LazyLock;

use regex::Regex;

use super::support::{project, run, temp_dir};

/// Characters that XML, HTML and JSON escape, so that a secret escaped before scrubbing would show.
const PASSWORD: &str = "Sup3r&Secret<Admin>\"Pass'w0rd";
const APP_KEY: &str = "known-app-key-for-the-leak-test-0123456789";
static JWT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.").expect("valid"));
static USER_PASSWORD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"Pw-[A-Za-z0-9]{24}").expect("valid"));

fn assert_clean(what: &str, text: &str) {
    assert!(!text.contains("Sup3r"), "{what} shows the admin password (perhaps escaped)");
    assert!(!text.contains(APP_KEY), "{what} shows the app key");
    assert!(!JWT.is_match(text), "{what} shows a token: {:?}", JWT.find(text).map(|m| m.as_str()));
    assert!(!USER_PASSWORD.is_match(text), "{what} shows a generated user password");
}

fn written(dir: &std::path::Path) -> Vec<(String, String)> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.path().is_file())
                .map(|e| (e.path().display().to_string(), std::fs::read_to_string(e.path()).unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn no_secret_is_written_by_a_passing_or_a_failing_run() {
    // Arrange: the embedded server takes the run's password and app key as its own.
    let dir = temp_dir("secrets");
    let snapshots = temp_dir("secrets-snapshots");
    let fixtures = project().join("tests/fixtures/failing");
    for entry in std::fs::read_dir(fixtures.join("snapshots")).expect("fixture snapshots").flatten() {
        std::fs::copy(entry.path(), snapshots.path().join(entry.file_name())).expect("copy");
    }
    let common = ["--password", PASSWORD, "--app-key", APP_KEY];
    let junit = dir.path().join("junit.xml").to_string_lossy().into_owned();
    let report = dir.path().join("report.md").to_string_lossy().into_owned();
    let failing_report = dir.path().join("failing.md").to_string_lossy().into_owned();

    // Act: the whole suite, then the deliberately failing features (whose failures print requests).
    let full = run(&[&["run", "--junit", &junit, "--report", &report], &common[..]].concat()).await;
    let features = fixtures.join("features").to_string_lossy().into_owned();
    let snapshot_dir = snapshots.path().to_string_lossy().into_owned();
    let failing = super::support::run_with_env(
        &[&["run", "--features", &features, "--snapshots", &snapshot_dir, "--report", &failing_report], &common[..]]
            .concat(),
        &[("INSTA_UPDATE", "always")],
    )
    .await;

    // Assert
    assert_eq!(full.code, 0, "{}", full.all());
    assert!(
        full.stdout.contains(r#"the token "this-is-not-a-jwt""#),
        "a token written in a feature is documentation, not a secret: {}",
        full.stdout
    );
    assert_eq!(failing.code, 1, "{}", failing.all());
    assert!(failing.stdout.contains("Bearer [redacted]"), "the failure report shows the request, masked");
    for (name, run) in [("the full run", &full), ("the failing run", &failing)] {
        assert_clean(&format!("{name}'s console"), &run.all());
    }
    for (path, text) in written(dir.path()).into_iter().chain(written(snapshots.path())) {
        assert_clean(&path, &text);
    }
}
