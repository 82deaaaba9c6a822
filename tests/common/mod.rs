//! What every test binary of this package shares: the binary under test, the project folder, and
//! the binary run as a CI job would run it (no inherited `NOCOBASE_*` settings, snapshots never
//! written, no colour).

#![allow(dead_code, reason = "each test binary uses its own part of these helpers")]

use std::path::PathBuf;
use std::process::{Command, Output};

/// The binary under test.
pub(crate) fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_nocobase-conformance")
}

/// The project folder.
pub(crate) fn project() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The binary with `args`: no inherited `NOCOBASE_*` settings, snapshots never written, no
/// colour, and no `COLUMNS` (it would change where clap wraps `--help`, which is snapshot-tested).
pub(crate) fn command(args: &[&str]) -> Command {
    let mut command = Command::new(binary());
    command.args(args);
    as_ci_runs_it(&mut command);
    command
}

/// `command` with the environment a CI job gives it (see [`command`]).
pub(crate) fn as_ci_runs_it(command: &mut Command) {
    command.env("INSTA_UPDATE", "no").env("NO_COLOR", "1").env_remove("COLUMNS");
    #[expect(clippy::disallowed_methods, reason = "a child must not inherit the caller's NOCOBASE_* settings")]
    let inherited = std::env::vars();
    for (key, _) in inherited {
        // Nor GitHub Actions' settings: a test that wants annotations sets them itself.
        if key.starts_with("NOCOBASE_") || key.starts_with("GITHUB_") {
            command.env_remove(key);
        }
    }
}

/// A finished process's output, both streams, for an assertion message.
pub(crate) fn text(out: &Output) -> String {
    format!("stdout:\n{}\nstderr:\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}
