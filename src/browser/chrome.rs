//! Headless Chromium, driven over WebDriver: `chromedriver --port=0` is started for one scenario
//! (it prints the free port it took), a [`fantoccini`] session launches Debian's Chromium with the
//! flags this machine needs and a fresh profile in a temporary folder, and [`Browser::quit`] ends
//! the session (which stops Chromium), stops chromedriver and removes the folder.
//!
//! Nothing of the scenario outlives it on disk: Chromium runs incognito in the temporary profile,
//! and its `HOME` and `XDG_*` folders point there too (crash reports, certificate store).
//! chromedriver's output is drained and dropped, never logged.

use std::process::Stdio;
use std::time::{Duration, Instant};

use fantoccini::ClientBuilder;
use hyper_util::client::legacy::connect::HttpConnector;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::{Child, ChildStdout, Command};
use url::Url;

use super::Installation;
use crate::error::{HarnessError, Result};
use crate::secret::scrub;

/// The flags Chromium needs on this machine: headless, as root (no sandbox), no GPU, and no
/// traffic of its own (QUIC, component updates, sync, background requests).
const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--incognito",
    "--disable-breakpad",
    "--disable-crash-reporter",
    "--window-size=1000,1150",
];

/// How often the page is looked at while its fetch is under way.
const POLL: Duration = Duration::from_millis(50);

/// What the page shows once its script has run: read from the DOM as text.
const READ_PAGE: &str = r#"
    const text = (selector) => document.querySelector(selector)?.textContent ?? '';
    const error = document.getElementById('error');
    return {
        title: document.title,
        heading: text('h1'),
        result: text('#result'),
        error: error && !error.hidden ? error.textContent : '',
    };
"#;

/// The text of the page's parts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct RenderedPage {
    /// `document.title`.
    pub title: String,
    /// The `<h1>`.
    pub heading: String,
    /// The `<pre id="result">`: the fetched JSON, pretty-printed; empty when the call failed.
    pub result: String,
    /// The visible error line: `<status> <message>`; empty when the call succeeded.
    pub error: String,
}

impl RenderedPage {
    /// True once the page shows the to-dos or an error.
    pub fn is_filled(&self) -> bool {
        !self.result.is_empty() || !self.error.is_empty()
    }
}

/// A Chromium driven through its own chromedriver.
#[derive(Debug)]
pub struct Browser {
    client: Option<fantoccini::Client>,
    driver: Child,
    /// Chromium's process, while chromedriver is responsible for it.
    chromium_pid: Option<u64>,
    /// Removed when the browser is dropped.
    profile: tempfile::TempDir,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium with a fresh profile; `timeout` bounds each.
    pub async fn launch(installation: &Installation, timeout: Duration) -> Result<Self> {
        let profile = tempfile::Builder::new()
            .prefix("nocobase-conformance-chromium-")
            .tempdir()
            .map_err(|e| HarnessError::Environment(format!("cannot create a temporary Chromium profile: {e}")))?;
        let home = profile.path();
        let mut driver = Command::new(&installation.chromedriver)
            .arg("--port=0")
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_CACHE_HOME", home.join("cache"))
            .env("XDG_DATA_HOME", home.join("data"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| {
                HarnessError::Environment(format!("cannot start {}: {e}", installation.chromedriver.display()))
            })?;
        let stdout = driver
            .stdout
            .take()
            .ok_or_else(|| HarnessError::Environment("chromedriver's output is not readable".into()))?;
        let port = tokio::time::timeout(timeout, driver_port(stdout))
            .await
            .map_err(|_| HarnessError::Environment(format!("chromedriver did not start within {timeout:?}")))??;

        let mut flags: Vec<String> = CHROMIUM_FLAGS.iter().map(|f| (*f).to_owned()).collect();
        flags.push(format!("--user-data-dir={}", home.join("profile").display()));
        let capabilities = json!({
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "goog:chromeOptions": {"binary": installation.chromium, "args": flags},
        });
        let Value::Object(capabilities) = capabilities else {
            return Err(HarnessError::Environment("WebDriver capabilities are not an object".into()));
        };
        let mut builder = ClientBuilder::new(HttpConnector::new());
        builder.capabilities(capabilities);
        let client = tokio::time::timeout(timeout, builder.connect(&format!("http://127.0.0.1:{port}")))
            .await
            .map_err(|_| HarnessError::Environment(format!("Chromium did not start within {timeout:?}")))?
            .map_err(|e| {
                HarnessError::Environment(format!("chromedriver could not start Chromium: {}", scrub(&e.to_string())))
            })?;
        let chromium_pid = client.capabilities().and_then(|c| c.get("goog:processID")).and_then(Value::as_u64);
        Ok(Self { client: Some(client), driver, chromium_pid, profile })
    }

    fn client(&self) -> Result<&fantoccini::Client> {
        self.client.as_ref().ok_or_else(|| HarnessError::Environment("the browser has quit".into()))
    }

    /// Opens `url` and waits until the page shows the to-dos or an error, for `wait` at most;
    /// `fetched` names what the page fetches, for the message when it never answers.
    pub async fn open(&self, url: &Url, wait: Duration, fetched: &str) -> Result<RenderedPage> {
        let client = self.client()?;
        let started = Instant::now();
        client.goto(url.as_str()).await.map_err(|e| webdriver_error("open the page", &e))?;
        loop {
            let value =
                client.execute(READ_PAGE, Vec::new()).await.map_err(|e| webdriver_error("read the page", &e))?;
            let page: RenderedPage = serde_json::from_value(value)
                .map_err(|e| HarnessError::Environment(format!("the page read back as unexpected JSON: {e}")))?;
            if page.is_filled() {
                return Ok(page);
            }
            if started.elapsed() >= wait {
                return Err(HarnessError::Timeout {
                    url: format!("{fetched} (fetched by the To-Dos page)"),
                    after: wait,
                });
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// A PNG of the window as it is.
    pub async fn screenshot(&self) -> Result<Vec<u8>> {
        self.client()?.screenshot().await.map_err(|e| webdriver_error("take a screenshot", &e))
    }

    /// The temporary folder that stands for Chromium's profile and home (removed on drop): for
    /// checking that nothing secret is written there.
    pub fn profile_dir(&self) -> &std::path::Path {
        self.profile.path()
    }

    /// Ends the session (chromedriver stops Chromium), stops chromedriver and removes the profile.
    pub async fn quit(mut self) -> Result<()> {
        let closed = match self.client.take() {
            Some(client) => client.close().await.map_err(|e| webdriver_error("end the session", &e)),
            None => Ok(()),
        };
        if closed.is_ok() {
            self.chromium_pid = None;
        }
        let _ = self.driver.kill().await;
        closed
    }
}

impl Drop for Browser {
    /// When the session could not be ended, Chromium is stopped by its pid: killing chromedriver
    /// alone would leave it running.
    fn drop(&mut self) {
        if let Some(pid) = self.chromium_pid.take() {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// Reads chromedriver's output until it says which port it took, then drains the rest.
async fn driver_port(stdout: ChildStdout) -> Result<u16> {
    let mut lines = BufReader::new(stdout).lines();
    while let Some(line) =
        lines.next_line().await.map_err(|e| HarnessError::Environment(format!("reading chromedriver's output: {e}")))?
    {
        if let Some(port) = port_of(&line) {
            tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
            return Ok(port);
        }
    }
    Err(HarnessError::Environment("chromedriver exited before it was ready".into()))
}

/// The port in chromedriver's "ChromeDriver was started successfully on port 46139." line.
fn port_of(line: &str) -> Option<u16> {
    let rest = line.split("started successfully on port ").nth(1)?;
    rest.trim().trim_end_matches('.').parse().ok()
}

fn webdriver_error(what: &str, error: &fantoccini::error::CmdError) -> HarnessError {
    HarnessError::Environment(format!("the browser could not {what}: {}", scrub(&error.to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_port_is_read_from_chromedriver_s_greeting() {
        assert_eq!(port_of("ChromeDriver was started successfully on port 46139."), Some(46139));
        assert_eq!(port_of("Starting ChromeDriver 156.0.8078.108 (…) on port 0"), None);
        assert_eq!(port_of("Only local connections are allowed."), None);
    }

    #[test]
    fn a_page_is_filled_by_the_to_dos_or_an_error() {
        let empty = RenderedPage { title: "Todo List".into(), heading: "Todo List".into(), ..RenderedPage::default() };
        assert!(!empty.is_filled());
        assert!(RenderedPage { result: "{}".into(), ..empty.clone() }.is_filled());
        assert!(RenderedPage { error: "401 Unauthorized".into(), ..empty }.is_filled());
    }
}
