//! The `nocobase-reference` command: the reference server on its own, without the suite
//! (`nocobase-reference serve`, the same flags as `nocobase-conformance serve`). The reference
//! container image is built from it.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use nocobase_reference::cli::{ServeArgs, serve};

/// NocoBase 2.2's API-keys surface, on axum and SQLite.
#[derive(Debug, Parser)]
#[command(name = "nocobase-reference", version, about)]
struct Cli {
    /// What to do.
    #[command(subcommand)]
    command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the reference server until interrupted.
    Serve(ServeArgs),
}

fn main() -> ExitCode {
    let Cli { command: Command::Serve(args) } = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(serve(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
