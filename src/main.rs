//! The `nocobase-conformance` command: `run` the suite, or `serve` the reference server.

use std::process::ExitCode;

use clap::Parser;
use nocobase_conformance::cli::{Cli, Command, ServeArgs};
use nocobase_conformance::config::RunConfig;
use nocobase_conformance::reference::{self, AppState, RootAccount, ServerConfig};
use nocobase_conformance::{leftovers, runner};

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
            Ok(config) => ExitCode::from(runtime.block_on(runner::run(config)).code()),
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        },
        Command::Leftovers(args) => ExitCode::from(runtime.block_on(leftovers::command(args))),
        Command::Serve(args) => match runtime.block_on(serve(args)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        },
    }
}

async fn serve(args: ServeArgs) -> Result<(), reference::StartError> {
    let generated = args.app_key.is_none();
    let app_key = args.app_key.unwrap_or_else(|| format!("{:032x}", rand_u128()));
    let root = RootAccount { email: args.root_email, password: args.root_password, ..RootAccount::default() };
    let config = ServerConfig { app_key: app_key.clone(), root: root.clone(), database: args.db.clone() };
    let state = AppState::new(config)?;
    let listener = tokio::net::TcpListener::bind((args.host.as_str(), args.port)).await?;
    let address = listener.local_addr()?;
    say(&format!("NocoBase reference server (API of NocoBase 2.2.15) listening on http://{address}/api"));
    say(&format!("  root account: {} / {}", root.email, root.password));
    if generated {
        say(&format!(
            "  app key (JWT secret): {app_key}  (generated; pass --app-key to keep keys valid across restarts)"
        ));
    }
    match &args.db {
        Some(path) => say(&format!("  database: {}", path.display())),
        None => say("  database: in memory (pass --db PATH to keep data)"),
    }
    tokio::select! {
        result = reference::serve(listener, state) => result,
        _ = tokio::signal::ctrl_c() => {
            say("stopped");
            Ok(())
        }
    }
}

/// Prints a line; a closed stdout (a supervisor that stopped reading) must not stop the server.
fn say(line: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stdout(), "{line}");
}

fn rand_u128() -> u128 {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    let a = RandomState::new().build_hasher().finish();
    let b = RandomState::new().build_hasher().finish();
    (u128::from(a) << 64) | u128::from(b)
}
