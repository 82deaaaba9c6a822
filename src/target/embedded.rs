//! The embedded target: the bundled reference server on `127.0.0.1:0` in this process, with a
//! fresh in-memory database and the run's admin credentials as its root account.

use rand::RngExt;
use tokio::net::TcpListener;
use url::Url;

use super::RunningTarget;
use crate::config::RunConfig;
use crate::error::{HarnessError, Result};
use crate::reference::{AppState, RootAccount, ServerConfig};
use crate::secret::Secret;

/// Aborts the server task when dropped.
struct ServerTask(tokio::task::JoinHandle<()>);

impl Drop for ServerTask {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Starts the reference server and returns its base URL.
pub(super) async fn start(config: &RunConfig) -> Result<RunningTarget> {
    let app_key = config.app_key.clone().unwrap_or_else(|| {
        let mut rng = rand::rng();
        Secret::new(format!("embedded-{:032x}", rng.random::<u128>()))
    });
    let root = RootAccount {
        email: if config.account.contains('@') { config.account.clone() } else { RootAccount::default().email },
        username: if config.account.contains('@') { RootAccount::default().username } else { config.account.clone() },
        password: config.password.expose().to_owned(),
        ..RootAccount::default()
    };
    let state = AppState::new(ServerConfig { app_key: app_key.expose().to_owned(), root, database: None })
        .map_err(|e| HarnessError::Environment(e.to_string()))?;
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| HarnessError::Environment(format!("cannot bind 127.0.0.1:0 for the reference server: {e}")))?;
    let port = listener.local_addr().map_err(|e| HarnessError::Environment(e.to_string()))?.port();
    let task = tokio::spawn(async move {
        if let Err(e) = crate::reference::serve(listener, state).await {
            tracing::error!("reference server stopped: {e}");
        }
    });
    let base_url =
        Url::parse(&format!("http://127.0.0.1:{port}/api")).map_err(|e| HarnessError::Environment(e.to_string()))?;
    Ok(RunningTarget { base_url, kind: "embedded", app_key: Some(app_key), _guard: Box::new(ServerTask(task)) })
}
