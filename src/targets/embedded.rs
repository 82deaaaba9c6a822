//! The embedded target: the bundled reference server on `127.0.0.1:0` in this process, with a
//! fresh database (a file in a temporary folder, so that it can restart on it) and the run's admin
//! credentials as its root account.

use std::net::SocketAddr;
use std::sync::Mutex;

use rand::RngExt;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use url::Url;

use super::{Launch, Restart, RunningTarget};
use crate::error::{HarnessError, Result};
use crate::reference::{AppState, RootAccount, ServerConfig};
use crate::secret::Secret;

/// The reference server of a run: stopped when dropped, restartable on its database file.
#[derive(Debug)]
pub struct EmbeddedServer {
    config: ServerConfig,
    address: SocketAddr,
    task: Mutex<Option<JoinHandle<()>>>,
    /// The folder of the database file; removed when dropped.
    _folder: tempfile::TempDir,
}

impl Drop for EmbeddedServer {
    fn drop(&mut self) {
        if let Some(task) = self.task.lock().ok().and_then(|mut t| t.take()) {
            task.abort();
        }
    }
}

fn environment(what: &str) -> impl Fn(std::io::Error) -> HarnessError + '_ {
    move |e| HarnessError::Environment(format!("{what}: {e}"))
}

impl EmbeddedServer {
    /// Stops the server and starts it again on the same database file, key and address.
    pub async fn restart(&self) -> Result<()> {
        let running = self.task.lock().ok().and_then(|mut t| t.take());
        if let Some(task) = running {
            task.abort();
            let _ = task.await;
        }
        let state = AppState::new(self.config.clone()).map_err(|e| HarnessError::Environment(e.to_string()))?;
        let listener =
            TcpListener::bind(self.address).await.map_err(environment("cannot bind the reference server again"))?;
        let task = tokio::spawn(async move {
            if let Err(e) = crate::reference::serve(listener, state).await {
                tracing::error!("reference server stopped: {e}");
            }
        });
        if let Ok(mut slot) = self.task.lock() {
            *slot = Some(task);
        }
        Ok(())
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
    let folder = tempfile::Builder::new()
        .prefix("nocobase-conformance-embedded-")
        .tempdir()
        .map_err(environment("cannot create a folder for the reference server's database"))?;
    let config = ServerConfig {
        app_key: app_key.expose().to_owned(),
        root,
        database: Some(folder.path().join("reference.sqlite")),
    };
    let state = AppState::new(config.clone()).map_err(|e| HarnessError::Environment(e.to_string()))?;
    let (address, task) = crate::reference::spawn(state)
        .await
        .map_err(|e| HarnessError::Environment(format!("cannot start the reference server on 127.0.0.1: {e}")))?;
    let base_url = Url::parse(&format!("http://127.0.0.1:{}/api", address.port()))
        .map_err(|e| HarnessError::Environment(e.to_string()))?;
    let server = std::sync::Arc::new(EmbeddedServer { config, address, task: Mutex::new(Some(task)), _folder: folder });
    Ok(RunningTarget {
        base_url,
        kind: "embedded",
        app_key: Some(app_key),
        restart: Restart::Embedded(std::sync::Arc::clone(&server)),
        _guard: Box::new(server),
    })
}
