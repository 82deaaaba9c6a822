//! The `nocobase-conformance` command: `run` the suite, or `serve` the reference server.

use std::net::SocketAddr;
use std::path::Path;
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
    use rand::RngExt as _;
    // The server's own errors (a 500's cause) on stderr; RUST_LOG=debug shows more. Only here:
    // during `run`, the embedded server's deliberate 500s would drown the suite's output.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_ansi(colour).with_writer(std::io::stderr).try_init();
    let generated = args.app_key.is_none();
    let app_key = args.app_key.unwrap_or_else(|| format!("{:032x}", rand::rng().random::<u128>()));
    let root = RootAccount { email: args.root_email, password: args.root_password, ..RootAccount::default() };
    let config = ServerConfig { app_key: app_key.clone(), root: root.clone(), database: args.db.clone() };
    let state = AppState::new(config)?;
    let listener = tokio::net::TcpListener::bind((args.host.as_str(), args.port)).await?;
    let address = listener.local_addr()?;
    for line in banner(address, &root, generated.then_some(app_key.as_str()), args.db.as_deref()) {
        say(&line);
    }
    tokio::select! {
        result = reference::serve(listener, state) => result,
        _ = tokio::signal::ctrl_c() => {
            say("stopped");
            Ok(())
        }
    }
}

/// What `serve` prints at start: where it listens, the root account, the generated app key (a
/// key given with --app-key is not echoed) and where data goes. The root password is shown only
/// when it is NocoBase's well-known default; one given with --root-password is not echoed.
fn banner(address: SocketAddr, root: &RootAccount, generated_key: Option<&str>, db: Option<&Path>) -> Vec<String> {
    let mut lines =
        vec![format!("NocoBase reference server (API of NocoBase 2.2.15) listening on http://{address}/api")];
    if root.password == RootAccount::default().password {
        lines.push(format!("  root account: {} / {}", root.email, root.password));
    } else {
        lines.push(format!("  root account: {} (password as given with --root-password)", root.email));
    }
    if let Some(app_key) = generated_key {
        lines.push(format!(
            "  app key (JWT secret): {app_key}  (generated; pass --app-key to keep keys valid across restarts)"
        ));
    }
    lines.push(match db {
        Some(path) => format!("  database: {}", path.display()),
        None => "  database: in memory (pass --db PATH to keep data)".to_owned(),
    });
    lines
}

/// Prints a line; a closed stdout (a supervisor that stopped reading) must not stop the server.
/// Not `output::say`: that one scrubs secrets, and the banner shows credentials on purpose.
fn say(line: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stdout(), "{line}");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address() -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], 13000))
    }

    #[test]
    fn the_default_root_password_is_shown() {
        let lines = banner(address(), &RootAccount::default(), None, None);
        assert_eq!(lines[1], "  root account: admin@nocobase.com / admin123");
    }

    #[test]
    fn a_root_password_given_on_the_command_line_is_not_echoed() {
        let root = RootAccount { password: "s3cret-Pa55".to_owned(), ..RootAccount::default() };
        let lines = banner(address(), &root, Some("00ff"), Some(Path::new("data.sqlite")));
        assert!(lines.iter().all(|l| !l.contains("s3cret-Pa55")), "{lines:#?}");
        assert_eq!(lines[1], "  root account: admin@nocobase.com (password as given with --root-password)");
        assert!(lines[2].contains("00ff"), "a generated app key is shown: {lines:#?}");
    }
}
