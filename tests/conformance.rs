//! The conformance suite under `cargo test` (`harness = false`): every feature against the
//! embedded reference server by default, or against `--base-url` / `NOCOBASE_BASE_URL`.
//!
//! libtest's flags are accepted so that `cargo test -- --nocapture`, a test-name filter and
//! `cargo nextest run` work: the binary lists one test, `conformance`; the filter `conformance`
//! runs everything and any other filter selects scenarios whose name contains it.

use std::process::ExitCode;

use clap::Parser;
use nocobase_conformance::cli::TestCli;
use nocobase_conformance::config::RunConfig;
use nocobase_conformance::runner;

const TEST_NAME: &str = "conformance";

fn main() -> ExitCode {
    let cli = match TestCli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let libtest = &cli.libtest;
    if libtest.list {
        if !libtest.ignored {
            println!("{TEST_NAME}: test");
        }
        return ExitCode::SUCCESS;
    }
    if libtest.ignored || libtest.skip.iter().any(|s| TEST_NAME.contains(s.as_str())) {
        return ExitCode::SUCCESS;
    }
    let mut args = cli.run.clone();
    match cli.filter.as_deref() {
        None => {}
        Some(filter) if filter == TEST_NAME || (!libtest.exact && TEST_NAME.contains(filter)) => {}
        Some(_) if libtest.exact => return ExitCode::SUCCESS,
        Some(filter) => args.name = Some(filter.to_owned()),
    }
    let config = match RunConfig::from_args(args) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    ExitCode::from(runtime.block_on(runner::run(config)).code())
}
