//! The browser harness outside the features: how a run treats the @browser scenarios when Chromium
//! is missing (left out with the reason, or the run stopped), and what the To-Dos page shows when
//! the API cannot be reached at all (the features cover the answers of a reachable one).

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use nocobase_conformance::browser::{self, Browser, Installation, PageServer, TodoPage};
use nocobase_conformance::secret::Secret;
use url::Url;

const FEATURE: &str = "Feature: a browser scenario next to an ordinary one

  Scenario: Signing in
    Given the administrator is signed in

  @browser
  Scenario: Opening the page
    Given the administrator is signed in
    When the To-Dos page is opened with the API key
";

/// Runs the suite binary on [`FEATURE`] with `args`, against the embedded server.
fn run_suite(args: &[&str]) -> Output {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("browser.feature"), FEATURE).expect("feature file");
    let features = dir.path().to_str().expect("utf-8 path");
    let mut command = crate::common::command(&["run", "--features", features]);
    command.args(args).output().expect("the suite runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn without_chromium_the_browser_scenarios_are_left_out_with_the_reason() {
    // Act
    let junit = tempfile::NamedTempFile::new().expect("temp file");
    let junit_path = junit.path().to_str().expect("utf-8 path");
    let output = run_suite(&["--chromium", "/nonexistent/chromium", "--junit", junit_path]);

    // Assert
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "stdout:\n{stdout}\nstderr:\n{}", text(&output.stderr));
    assert!(stdout.contains("Running 1 scenario against"), "{stdout}");
    assert!(
        stdout.contains(
            "not run: Opening the page — Chromium not found at /nonexistent/chromium (install chromium and chromium-driver)"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("1 scenario (1 passed)"), "{stdout}");
    let xml = std::fs::read_to_string(junit.path()).expect("JUnit written");
    let case = xml.split("<testcase ").find(|c| c.starts_with(r#"name="Scenario: Opening the page: "#));
    assert!(
        case.is_some_and(|c| c.contains(r#"<skipped message="Chromium not found at /nonexistent/chromium"#)),
        "the JUnit report shows the scenario as skipped, with the reason: {xml}"
    );
}

#[test]
fn when_the_browser_is_required_a_missing_chromium_stops_the_run() {
    // Act
    let output = run_suite(&["--chromium", "/nonexistent/chromium", "--require-browser"]);

    // Assert
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "stdout:\n{}\nstderr:\n{stderr}", text(&output.stdout));
    assert!(stderr.contains("Chromium not found at /nonexistent/chromium"), "{stderr}");
}

#[test]
fn the_browser_is_required_by_setting_nocobase_require_browser_to_1() {
    // Arrange
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("browser.feature"), FEATURE).expect("feature file");

    // Act
    let features = dir.path().to_str().expect("utf-8 path");
    let output = crate::common::command(&["run", "--features", features, "--chromium", "/nonexistent/chromium"])
        .env("NOCOBASE_REQUIRE_BROWSER", "1")
        .output()
        .expect("the suite runs");

    // Assert
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("Chromium not found at /nonexistent/chromium"), "{stderr}");
}

/// Every file under `dir` that holds `needle`.
fn files_holding(dir: &Path, needle: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return found };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_holding(&path, needle));
        } else if std::fs::read(&path).is_ok_and(|bytes| bytes.windows(needle.len()).any(|w| w == needle)) {
            found.push(path.display().to_string());
        }
    }
    found
}

#[tokio::test]
async fn a_page_whose_api_cannot_be_reached_shows_an_error_line_and_leaves_no_key_on_disk() {
    let Ok(installation) = Installation::at(Path::new(browser::CHROMIUM), Path::new(browser::CHROMEDRIVER)) else {
        assert!(
            !nocobase_conformance::config::browser_required(),
            "NOCOBASE_REQUIRE_BROWSER is set, but there is no Chromium at {}",
            browser::CHROMIUM
        );
        eprintln!("skipped: no Chromium at {} (install chromium and chromium-driver)", browser::CHROMIUM);
        return;
    };
    // Arrange: an API base on a port nothing listens on
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("address").port();
    let api = Url::parse(&format!("http://127.0.0.1:{closed}/api")).expect("url");
    let key = "unreachable-test-key-5f2c9e1a7b";
    let page = TodoPage::fill(&api, "todos", &Secret::new(key)).expect("page");
    let server = PageServer::start(page).await.expect("page server");
    let browser = Browser::launch(&installation, Duration::from_secs(30)).await.expect("Chromium starts");

    // Act
    let rendered = browser.open(server.url(), Duration::from_secs(30), "todos:list").await;
    let screenshot = browser.screenshot().await;
    let profile = browser.profile_dir().to_owned();
    let holding_the_key = files_holding(&profile, key.as_bytes());
    browser.quit().await.expect("the browser quits");
    server.stop().await;

    // Assert
    let rendered = rendered.expect("the page fills");
    assert_eq!((rendered.title.as_str(), rendered.heading.as_str()), ("Todo List", "Todo List"));
    assert_eq!(rendered.error, "The request failed: Failed to fetch");
    assert_eq!(rendered.result, "");
    assert!(screenshot.expect("a screenshot").starts_with(b"\x89PNG"));
    assert_eq!(holding_the_key, Vec::<String>::new(), "the key was written to Chromium's profile");
    assert!(!profile.exists(), "the profile is removed once the browser quits");
}
