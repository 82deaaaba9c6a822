//! Test binaries with `harness = false` that still behave like libtest's under `cargo test`,
//! `cargo test -- --nocapture`, a test-name filter and `cargo nextest run`: the flags libtest
//! takes ([`LibtestArgs`]), which tests a filter selects, `--list`, and libtest's summary lines.
//! [`conformance_main`] is the whole of `tests/conformance.rs`: the suite as one test,
//! `conformance`, whose filter (any other text) selects scenarios by name, on the checkout's own
//! `features/` and `snapshots/` (not the copies built into the binary), so that a changed
//! snapshot is left for `cargo insta review` beside the reviewed ones.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, Parser};

use crate::cli::{EXIT_CODES, RunArgs};
use crate::config::RunConfig;

/// What `cargo test` and `cargo nextest` pass to a test binary; accepted and mostly ignored so
/// that the suite runs as an ordinary test (`harness = false`).
#[derive(Debug, Clone, Default, Args)]
pub struct LibtestArgs {
    /// List tests instead of running them (nextest and `cargo test -- --list`).
    #[arg(long, hide = true)]
    pub list: bool,
    /// Only ignored tests (the suite has none).
    #[arg(long, hide = true)]
    pub ignored: bool,
    /// Also ignored tests.
    #[arg(long, hide = true)]
    pub include_ignored: bool,
    /// Filter matches exactly.
    #[arg(long, hide = true)]
    pub exact: bool,
    /// Output is never captured.
    #[arg(long, hide = true)]
    pub nocapture: bool,
    /// Output is never captured.
    #[arg(long, hide = true)]
    pub no_capture: bool,
    /// Ignored.
    #[arg(long, hide = true)]
    pub show_output: bool,
    /// Ignored.
    #[arg(short, long, hide = true)]
    pub quiet: bool,
    /// Ignored (use --concurrency).
    #[arg(long, hide = true, value_name = "N")]
    pub test_threads: Option<String>,
    /// Ignored.
    #[arg(long, hide = true, value_name = "WHEN")]
    pub color: Option<String>,
    /// Ignored (`--format terse` is honoured with --list).
    #[arg(long, hide = true, value_name = "FORMAT")]
    pub format: Option<String>,
    /// Ignored.
    #[arg(short = 'Z', hide = true, value_name = "FLAG")]
    pub unstable: Vec<String>,
    /// Skip tests whose name contains this text.
    #[arg(long, hide = true, value_name = "TEXT")]
    pub skip: Vec<String>,
    /// Ignored.
    #[arg(long, hide = true)]
    pub report_time: bool,
    /// Ignored.
    #[arg(long, hide = true)]
    pub ensure_time: bool,
    /// Ignored.
    #[arg(long, hide = true)]
    pub shuffle: bool,
    /// Ignored.
    #[arg(long, hide = true, value_name = "SEED")]
    pub shuffle_seed: Option<String>,
    /// Ignored.
    #[arg(long, hide = true, value_name = "PATH")]
    pub logfile: Option<String>,
    /// Ignored.
    #[arg(long, hide = true)]
    pub bench: bool,
    /// Ignored.
    #[arg(long, hide = true)]
    pub test: bool,
}

/// The command line of `tests/conformance.rs`: the suite's flags, libtest's, and a test-name filter.
#[derive(Debug, Parser)]
#[command(name = "conformance", about = "The conformance suite as a cargo test", after_help = EXIT_CODES)]
pub struct TestCli {
    /// Suite flags.
    #[command(flatten)]
    pub run: RunArgs,
    /// libtest flags.
    #[command(flatten)]
    pub libtest: LibtestArgs,
    /// A test-name filter: `conformance` runs everything, other text selects scenarios by name.
    pub filter: Option<String>,
}

/// The test name `tests/conformance.rs` lists.
const CONFORMANCE: &str = "conformance";

/// The conformance suite as a `cargo test` binary: libtest's protocol around [`crate::run::run`],
/// with the features and snapshots of `checkout` (the project folder) unless the flags name others.
pub fn conformance_main(checkout: &Path) -> ExitCode {
    let cli = match TestCli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let libtest = &cli.libtest;
    if libtest.list {
        libtest.list(&[CONFORMANCE]);
        return ExitCode::SUCCESS;
    }
    if libtest.ignored || libtest.skipped(CONFORMANCE) {
        return ExitCode::SUCCESS;
    }
    let mut args = cli.run.clone();
    if args.features.is_empty() {
        args.features.push(checkout.join(crate::builtin::FEATURES_DIR));
    }
    if args.snapshots.is_empty() {
        args.snapshots.push(checkout.join(crate::builtin::SNAPSHOTS_DIR));
    }
    match cli.filter.as_deref() {
        None => {}
        Some(filter) if filter == CONFORMANCE || (!libtest.exact && CONFORMANCE.contains(filter)) => {}
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
    ExitCode::from(runtime.block_on(crate::run::run(config)).outcome.code())
}

impl LibtestArgs {
    /// Whether `--skip` leaves `name` out.
    pub fn skipped(&self, name: &str) -> bool {
        self.skip.iter().any(|s| name.contains(s.as_str()))
    }

    /// The names `filter` selects, in order: all of them, those containing it, or (with
    /// `--exact`) the one equal to it; `--skip` leaves names out.
    pub fn select<'n>(&self, names: &[&'n str], filter: Option<&str>) -> Vec<&'n str> {
        names
            .iter()
            .copied()
            .filter(|name| match filter {
                Some(f) if self.exact => *name == f,
                Some(f) => name.contains(f),
                None => true,
            })
            .filter(|name| !self.skipped(name))
            .collect()
    }

    /// What `--list` prints: `<name>: test` per test (none with `--ignored`: there are none).
    pub fn list(&self, names: &[&str]) {
        if !self.ignored {
            for name in names {
                println!("{name}: test");
            }
        }
    }
}

/// The tally of a run of tests, printed as libtest prints it.
#[derive(Debug)]
pub struct Summary {
    started: Instant,
    total: usize,
    passed: usize,
    ignored: usize,
    failures: Vec<(String, String)>,
}

impl Summary {
    /// Starts the tally of `selected` tests out of `total`, and says how many run.
    pub fn start(selected: usize, total: usize) -> Self {
        println!("\nrunning {selected} test{}", if selected == 1 { "" } else { "s" });
        Self { started: Instant::now(), total, passed: 0, ignored: 0, failures: Vec::new() }
    }

    /// A test that passed, with an optional note.
    pub fn passed(&mut self, name: &str, note: &str) {
        if note.is_empty() {
            println!("test {name} ... ok");
        } else {
            println!("test {name} ... ok ({note})");
        }
        self.passed += 1;
    }

    /// A test that did not run, and why.
    pub fn ignored(&mut self, name: &str, why: &str) {
        println!("test {name} ... ignored, {why}");
        self.ignored += 1;
    }

    /// A test that failed, and why.
    pub fn failed(&mut self, name: &str, why: String) {
        println!("test {name} ... FAILED");
        self.failures.push((name.to_owned(), why));
    }

    /// Prints the failures and the result line; the process exit code (101 on a failure).
    pub fn finish(self) -> ExitCode {
        if !self.failures.is_empty() {
            println!("\nfailures:\n");
            for (name, why) in &self.failures {
                println!("---- {name} ----\n{why}\n");
            }
            println!("failures:");
            for (name, _) in &self.failures {
                println!("    {name}");
            }
        }
        let run = self.passed + self.ignored + self.failures.len();
        println!(
            "\ntest result: {}. {} passed; {} failed; {} ignored; 0 measured; {} filtered out; finished in {:.2}s\n",
            if self.failures.is_empty() { "ok" } else { "FAILED" },
            self.passed,
            self.failures.len(),
            self.ignored,
            self.total - run,
            self.started.elapsed().as_secs_f64()
        );
        if self.failures.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(101) }
    }
}
