//! The `nocobase-conformance` command: `run` the suite, `record` a deployment's own snapshots,
//! `compare` two deployments, `audit` a deployment, read the built-in `features`, `serve` the
//! reference server, or find `leftovers`.

use std::process::ExitCode;

use clap::Parser;
use nocobase_conformance::cli::{Cli, Command, Format};
use nocobase_conformance::config::{self, RunConfig};
use nocobase_conformance::error::Result;
use nocobase_conformance::reference::cli::serve;
use nocobase_conformance::report::console::say;
use nocobase_conformance::{audit, compare, features, leftovers, run};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let code = match cli.command {
        Command::Run(command) => suite(&runtime, RunConfig::from_args(command.run), command.format),
        Command::Record(command) => {
            let dir = command.run.snapshots.first().map(|d| d.display().to_string());
            let code = suite(&runtime, config::recording(command.run), command.format);
            if let (Some(dir), 0 | 1) = (dir, code) {
                say(&format!(
                    "Recorded the answers as snapshots in {dir}: read them, keep them, and check later runs with --snapshots {dir}."
                ));
            }
            code
        }
        Command::Compare(args) => match config::comparing(args) {
            Ok(comparing) => runtime.block_on(compare::command(comparing)),
            Err(e) => stopped(&e),
        },
        Command::Features(args) => features::command(args.command),
        Command::Leftovers(args) => runtime.block_on(leftovers::command(args)),
        Command::Audit(args) => runtime.block_on(audit::command(args)),
        // The reference server prints its own URL and root account: it has no suite secrets to scrub.
        Command::Serve(args) => match runtime.block_on(serve(args)) {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("error: {e}");
                2
            }
        },
    };
    ExitCode::from(code)
}

/// Runs the suite as `config` says, printing results as `format` says; the exit code.
fn suite(runtime: &tokio::runtime::Runtime, config: Result<RunConfig>, format: Format) -> u8 {
    match config {
        Ok(mut config) => {
            config.format = format;
            runtime.block_on(run::run(config)).outcome.code()
        }
        Err(e) => stopped(&e),
    }
}

fn stopped(error: &nocobase_conformance::error::HarnessError) -> u8 {
    eprintln!("error: {error}");
    2
}
