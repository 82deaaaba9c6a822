//! The reference server's command line: the flags of `serve` ([`ServeArgs`], shared by
//! `nocobase-reference serve` and `nocobase-conformance serve`) and [`serve`], which runs the
//! server until Ctrl-C, after printing where it listens and how to sign in.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use clap::Args;

use crate::{AppState, NOCOBASE_VERSION, RootAccount, ServerConfig, StartError};

/// Flags of the reference server.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 13000)]
    pub port: u16,
    /// SQLite file to keep data in (created if missing) [default: in memory].
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// JWT secret (NocoBase's APP_KEY) [default: a random one, printed at start].
    #[arg(long, env = "NOCOBASE_APP_KEY", hide_env_values = true)]
    pub app_key: Option<String>,
    /// Root account email.
    #[arg(long, env = "NOCOBASE_ROOT_EMAIL", default_value = "admin@nocobase.com")]
    pub root_email: String,
    /// Root account password.
    #[arg(long, env = "NOCOBASE_ROOT_PASSWORD", hide_env_values = true, default_value = "admin123")]
    pub root_password: String,
}

/// Serves until Ctrl-C: logs the server's own errors on stderr (`RUST_LOG` for more), prints
/// the banner, and answers on `--host`:`--port`.
pub async fn serve(args: ServeArgs) -> Result<(), StartError> {
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
        result = crate::serve(listener, state) => result,
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
    let mut lines = vec![format!(
        "NocoBase reference server (API of NocoBase {NOCOBASE_VERSION}) listening on http://{address}/api"
    )];
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
/// Not the harness's scrubbing `output::say`: the banner shows credentials on purpose.
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
