//! Running the binary and reading what it wrote.

use std::path::{Path, PathBuf};
use std::process::Output;

/// The binary under test.
pub(crate) fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_nocobase-conformance")
}

/// The project folder.
pub(crate) fn project() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

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
    let mut command = tokio::process::Command::new(binary());
    command.args(args).env("INSTA_UPDATE", "no").env("NO_COLOR", "1");
    for (key, _) in std::env::vars() {
        if key.starts_with("NOCOBASE_") {
            command.env_remove(key);
        }
    }
    let Output { status, stdout, stderr } = command.output().await.expect("the binary runs");
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// A fresh temporary folder, removed when dropped.
pub(crate) struct TempDir(pub PathBuf);

impl TempDir {
    pub(crate) fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("nc-test-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }

    pub(crate) fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Like [`run`], with extra environment variables.
pub(crate) async fn run_with_env(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = tokio::process::Command::new(binary());
    command.args(args).env("INSTA_UPDATE", "no").env("NO_COLOR", "1");
    for (key, _) in std::env::vars() {
        if key.starts_with("NOCOBASE_") {
            command.env_remove(key);
        }
    }
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
