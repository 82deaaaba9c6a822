//! Running the binary and reading what it wrote.

use std::process::Output;

/// An API key for key-only runs against wiremock targets: a JWT's shape, signed by nobody.
pub(crate) const UNSIGNED_API_KEY: &str =
    "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VySWQiOjEsInJvbGVOYW1lIjoidG9kb3MifQ.c2lnbmF0dXJlLW9mLXRoZS1rZXk";

pub(crate) use crate::common::project;

/// What a run printed and how it ended.
pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Run {
    pub(crate) fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

/// Runs the binary with `args` (no inherited NOCOBASE_* settings, snapshots never written).
pub(crate) async fn run(args: &[&str]) -> Run {
    run_with_env(args, &[]).await
}

/// Like [`run`], with extra environment variables.
pub(crate) async fn run_with_env(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = tokio::process::Command::from(crate::common::command(args));
    for (key, value) in env {
        command.env(key, value);
    }
    let Output { status, stdout, stderr } = command.output().await.expect("the binary runs");
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// A fresh temporary folder, removed when dropped.
pub(crate) fn temp_dir(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new().prefix(&format!("nc-test-{name}-")).tempdir().expect("a temporary folder")
}

/// A reference server on a free port of this process, with the default root account; its API
/// base URL. It serves until the test ends.
pub(crate) async fn reference_server() -> String {
    use nocobase_conformance::reference::{self, AppState, RootAccount, ServerConfig};
    let config =
        ServerConfig { app_key: "harness-test-app-key".to_owned(), root: RootAccount::default(), database: None };
    let state = AppState::new(config).expect("the reference server starts");
    let (address, _task) = reference::spawn(state).await.expect("a free port");
    format!("http://{address}/api")
}

/// Makes a wiremock server a target that is up and is NocoBase 2.2.15, as far as the readiness
/// checks go.
pub(crate) async fn healthy(server: &wiremock::MockServer) {
    use wiremock::matchers::path;
    use wiremock::{Mock, ResponseTemplate};
    Mock::given(path("/api/__health_check"))
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .mount(server)
        .await;
    Mock::given(path("/api/app:getInfo"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"data": {"version": "2.2.15"}})))
        .mount(server)
        .await;
}
