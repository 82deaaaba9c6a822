//! The `nocobase-conformance` command: `run` the suite, `serve` the reference server, look for
//! `leftovers`, `audit` a deployment.

use std::process::ExitCode;

use clap::Parser;
use nocobase_conformance::cli::{Cli, Command};
use nocobase_conformance::config::RunConfig;
use nocobase_conformance::reference::cli::serve;
use nocobase_conformance::{audit, leftovers, run};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match cli.command {
        Command::Run(args) => match RunConfig::from_args(args) {
            Ok(config) => ExitCode::from(runtime.block_on(run::run(config)).outcome.code()),
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        },
        Command::Leftovers(args) => ExitCode::from(runtime.block_on(leftovers::command(args))),
        Command::Audit(args) => ExitCode::from(runtime.block_on(audit::command(args))),
        Command::Serve(args) => match runtime.block_on(serve(args)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        },
    }
}
