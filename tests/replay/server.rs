//! The reference server of one replay: started on a database file of its own, so that a recorded
//! restart (the same or another APP_KEY) is a new `AppState` on the same file, and a recorded
//! reset is a fresh file.

use super::*;

/// A running reference server and the database file it keeps its data in.
pub(crate) struct Server {
    dir: tempfile::TempDir,
    task: tokio::task::JoinHandle<()>,
    /// `http://127.0.0.1:<port>`.
    pub(crate) origin: String,
    /// The APP_KEY it runs with.
    pub(crate) app_key: String,
}

impl Server {
    /// A server on a fresh database, with the recordings' APP_KEY.
    pub(crate) async fn fresh() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let (origin, task) = start(&dir, APP_KEY).await;
        Self { dir, task, origin, app_key: APP_KEY.to_owned() }
    }

    /// Stops the server and starts a new one on the same database with `app_key`.
    pub(crate) async fn restart(&mut self, app_key: &str) {
        self.task.abort();
        let (origin, task) = start(&self.dir, app_key).await;
        (self.origin, self.task, self.app_key) = (origin, task, app_key.to_owned());
    }

    /// Stops the server and starts a new one on a fresh database.
    pub(crate) async fn reset(&mut self) {
        self.task.abort();
        *self = Self::fresh().await;
    }

    pub(crate) fn stop(&self) {
        self.task.abort();
    }
}

async fn start(dir: &tempfile::TempDir, app_key: &str) -> (String, tokio::task::JoinHandle<()>) {
    let config = ServerConfig {
        app_key: app_key.to_owned(),
        root: RootAccount {
            email: "admin@nocobase.com".to_owned(),
            password: "admin123".to_owned(),
            ..RootAccount::default()
        },
        database: Some(dir.path().join("reference.sqlite")),
    };
    let state = AppState::new(config).expect("the reference server starts");
    let (address, task) = nocobase_conformance::reference::spawn(state).await.expect("binds 127.0.0.1:0");
    (format!("http://127.0.0.1:{}", address.port()), task)
}
