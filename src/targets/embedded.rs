//! The embedded target: the bundled reference server on `127.0.0.1:0` in this process, with a
//! fresh in-memory database and the run's admin credentials as its root account.

use rand::RngExt;
use url::Url;

use super::{Launch, RunningTarget};
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
pub(super) async fn start(launch: Launch<'_>) -> Result<RunningTarget> {
    let app_key = launch.app_key.cloned().unwrap_or_else(|| {
        let mut rng = rand::rng();
        Secret::new(format!("embedded-{:032x}", rng.random::<u128>()))
    });
    let root = RootAccount {
        email: if launch.account.contains('@') { launch.account.to_owned() } else { RootAccount::default().email },
        username: if launch.account.contains('@') {
            RootAccount::default().username
        } else {
            launch.account.to_owned()
        },
        password: launch.password.expose().to_owned(),
        ..RootAccount::default()
    };
    let state = AppState::new(ServerConfig { app_key: app_key.expose().to_owned(), root, database: None })
        .map_err(|e| HarnessError::Environment(e.to_string()))?;
    let (address, task) = crate::reference::spawn(state)
        .await
        .map_err(|e| HarnessError::Environment(format!("cannot start the reference server on 127.0.0.1: {e}")))?;
    let port = address.port();
    let base_url =
        Url::parse(&format!("http://127.0.0.1:{port}/api")).map_err(|e| HarnessError::Environment(e.to_string()))?;
    Ok(RunningTarget { base_url, kind: "embedded", app_key: Some(app_key), _guard: Box::new(ServerTask(task)) })
}
