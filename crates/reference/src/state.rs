//! What a running reference server is made of: its configuration ([`ServerConfig`]), the one
//! shared state every request reads ([`AppState`]: the store, the JWT signer, the memo of
//! authentication and ACL decisions, the token policy in force, recent session renewals) and
//! why it may fail to start ([`StartError`]).

use std::path::PathBuf;
use std::sync::Arc;

use crate::auth::memo::Memo;
use crate::auth::policy::{self, PolicyCache, TokenPolicy};
use crate::auth::renewals::Renewals;
use crate::auth::secret;
use crate::auth::tokens::Signer;
use crate::db::install::RootAccount;
use crate::db::store::Store;
use crate::http::error::ApiResult;

/// How the reference server is set up.
#[derive(Clone)]
pub struct ServerConfig {
    /// The JWT secret (NocoBase's `APP_KEY`).
    pub app_key: String,
    /// The root account created on first start.
    pub root: RootAccount,
    /// A SQLite file to keep data in; `None` for a fresh in-memory database.
    pub database: Option<PathBuf>,
}

impl std::fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerConfig")
            .field("app_key", &"[redacted]")
            .field("root", &self.root)
            .field("database", &self.database)
            .finish()
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self { app_key: "reference-server-app-key".to_owned(), root: RootAccount::default(), database: None }
    }
}

/// Why the reference server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The database could not be opened or initialised.
    #[error("could not open the reference server's database: {0}")]
    Database(String),
    /// The listener failed.
    #[error("the reference server stopped: {0}")]
    Io(#[from] std::io::Error),
}

/// Shared state of a running reference server.
#[derive(Clone, Debug)]
pub struct AppState(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    store: Store,
    signer: Signer,
    memo: Memo,
    token_policy: PolicyCache,
    renewals: Renewals,
}

impl AppState {
    /// Opens the database and prepares the signer.
    pub fn new(config: ServerConfig) -> Result<Self, StartError> {
        let store =
            Store::open(config.database.as_deref(), &config.root).map_err(|e| StartError::Database(e.to_string()))?;
        // The token policy's row, as plugin-auth installs it (a database from before it gets it too).
        store.write(|tx| crate::auth::policy::install(tx.sql)).map_err(|e| StartError::Database(e.to_string()))?;
        let signer = Signer::new(secret::jwt_secret(&config.app_key, config.database.as_deref()));
        let inner = Inner {
            store,
            signer,
            memo: Memo::default(),
            token_policy: PolicyCache::default(),
            renewals: Renewals::default(),
        };
        Ok(Self(Arc::new(inner)))
    }

    pub(crate) fn store(&self) -> &Store {
        &self.0.store
    }

    pub(crate) fn signer(&self) -> &Signer {
        &self.0.signer
    }

    pub(crate) fn memo(&self) -> &Memo {
        &self.0.memo
    }

    /// The token policy in force (read from its table on first use).
    pub(crate) fn token_policy(&self) -> ApiResult<TokenPolicy> {
        self.0.token_policy.get(|| self.store().read(|conn, _| policy::load(conn)))
    }

    /// Puts a saved token policy in force.
    pub(crate) fn set_token_policy(&self, policy: TokenPolicy) {
        self.0.token_policy.set(policy);
    }

    /// Recent session renewals.
    pub(crate) fn renewals(&self) -> &Renewals {
        &self.0.renewals
    }
}
