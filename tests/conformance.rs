//! The conformance suite under `cargo test` (`harness = false`): every feature against the
//! embedded reference server by default, or against `--base-url` / `NOCOBASE_BASE_URL`.
//!
//! libtest's flags are accepted so that `cargo test -- --nocapture`, a test-name filter and
//! `cargo nextest run` work: the binary lists one test, `conformance`; the filter `conformance`
//! runs everything and any other filter selects scenarios whose name contains it. It runs the
//! checkout's `features/` and `snapshots/` (the installed binary runs the copies built into it),
//! so that `cargo insta review` finds a changed snapshot beside the reviewed ones.

fn main() -> std::process::ExitCode {
    nocobase_conformance::cargo_test::conformance_main(std::path::Path::new(env!("CARGO_MANIFEST_DIR")))
}
