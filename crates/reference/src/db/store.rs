//! The reference server's storage: one SQLite connection (in memory, or a file so data survives
//! restarts) behind a mutex, and the catalog of collections; a fresh database gets what a NocoBase
//! install holds ([`install`]).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde_json::{Map, Value, json};

use crate::db::filter::Catalog;
use crate::db::ids::Snowflakes;
use crate::db::install::{self, RootAccount};
use crate::db::schema::{Collection, user_collection};
use crate::db::system_collections::system_collections;
use crate::http::error::{ApiError, ApiResult};

/// The database and the collections it holds.
#[derive(Debug)]
pub(crate) struct Store {
    conn: Mutex<Connection>,
    collections: RwLock<Arc<BTreeMap<String, Collection>>>,
    /// Enabled plugins (mirrors `applicationPlugins`, read on every request).
    plugins: RwLock<BTreeSet<String>>,
    /// Bumped by every write: memoised reads (see `memo.rs`) are valid for one generation.
    generation: std::sync::atomic::AtomicU64,
    /// Snowflake ids for records and role resources.
    pub(crate) snowflakes: Snowflakes,
    /// NocoBase's `auth:<userId>` cache entries: the user as `users.afterSave` left it.
    auth_cache: RwLock<BTreeMap<i64, Map<String, Value>>>,
    /// How many fields each collection had when `collections:create` loaded it in this process.
    initial_fields: RwLock<BTreeMap<String, usize>>,
    /// Resources of user collections: requested in this process (`true`), or destroyed after
    /// being requested (`false`: NocoBase keeps such a resource, broken, until a restart).
    resources: RwLock<BTreeMap<String, bool>>,
}

/// A read-only view of the collections, handed to filters and serialisers.
#[derive(Debug, Clone)]
pub(crate) struct CatalogView(Arc<BTreeMap<String, Collection>>);

impl Catalog for CatalogView {
    fn collection(&self, name: &str) -> Option<Collection> {
        self.0.get(name).cloned()
    }
}

impl CatalogView {
    /// The collection called `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&Collection> {
        self.0.get(name)
    }

    /// Collections created through `collections:create`, in name order.
    pub(crate) fn user_defined(&self) -> impl Iterator<Item = &Collection> {
        self.0.values().filter(|c| c.user_defined)
    }
}

/// Everything a write needs: the open transaction, the catalog, id generators.
pub(crate) struct Tx<'a> {
    /// The transaction; committed when the closure succeeds.
    pub(crate) sql: &'a Transaction<'a>,
    /// Collections as they were when the transaction began.
    pub(crate) catalog: CatalogView,
    /// Snowflake id generator.
    pub(crate) snowflakes: &'a Snowflakes,
}

impl Store {
    /// Opens (and initialises if new) a database: `None` for a fresh in-memory one.
    pub(crate) fn open(path: Option<&Path>, root: &RootAccount) -> ApiResult<Self> {
        let conn = match path {
            Some(p) => Connection::open(p)?,
            None => Connection::open_in_memory()?,
        };
        conn.pragma_update(None, "journal_mode", if path.is_some() { "WAL" } else { "MEMORY" })?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.set_prepared_statement_cache_capacity(512);
        conn.execute_batch(install::MIGRATIONS)?;
        for collection in system_collections() {
            conn.execute(&collection.create_table_sql(), [])?;
        }
        let store = Self {
            conn: Mutex::new(conn),
            collections: RwLock::new(Arc::new(BTreeMap::new())),
            plugins: RwLock::new(BTreeSet::new()),
            generation: std::sync::atomic::AtomicU64::new(0),
            snowflakes: Snowflakes::new(),
            auth_cache: RwLock::new(BTreeMap::new()),
            initial_fields: RwLock::new(BTreeMap::new()),
            resources: RwLock::new(BTreeMap::new()),
        };
        store.reload_catalog()?;
        store.write(|tx| install::seed(tx.sql, root))?;
        let enabled = store.read(|conn, _| {
            let mut stmt = conn.prepare_cached("SELECT name FROM applicationPlugins WHERE enabled = 1")?;
            let names = stmt.query_map([], |r| r.get::<_, String>(0))?.collect::<Result<BTreeSet<_>, _>>()?;
            Ok(names)
        })?;
        if let Ok(mut plugins) = store.plugins.write() {
            *plugins = enabled;
        }
        store.observe_snowflakes()?;
        Ok(store)
    }

    /// Runs `f` in one transaction; commits if it returns `Ok`.
    pub(crate) fn write<T>(&self, f: impl FnOnce(&Tx<'_>) -> ApiResult<T>) -> ApiResult<T> {
        let mut guard = self.conn.lock().map_err(|_| ApiError::Internal("database lock poisoned".into()))?;
        let sql = guard.transaction()?;
        let tx = Tx { sql: &sql, catalog: self.catalog(), snowflakes: &self.snowflakes };
        let out = f(&tx)?;
        sql.commit()?;
        self.bump();
        Ok(out)
    }

    /// The current write generation.
    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Marks a change: memoised reads of earlier generations are stale.
    pub(crate) fn bump(&self) {
        self.generation.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
    }

    /// Runs `f` on the connection without a transaction (single reads).
    pub(crate) fn read<T>(&self, f: impl FnOnce(&Connection, &CatalogView) -> ApiResult<T>) -> ApiResult<T> {
        let guard = self.conn.lock().map_err(|_| ApiError::Internal("database lock poisoned".into()))?;
        f(&guard, &self.catalog())
    }

    /// Whether the plugin called `name` is enabled.
    pub(crate) fn plugin_enabled(&self, name: &str) -> bool {
        self.plugins.read().map(|p| p.contains(name)).unwrap_or(false)
    }

    /// Enables or disables a plugin, in the database and for the next request.
    pub(crate) fn set_plugin_enabled(&self, name: &str, enabled: bool) -> ApiResult<()> {
        self.write(|tx| {
            tx.sql.execute(
                "INSERT INTO applicationPlugins (name, enabled, installed) VALUES (?1, ?2, 1) \
                 ON CONFLICT(name) DO UPDATE SET enabled = ?2, installed = 1",
                params![name, enabled],
            )?;
            Ok(())
        })?;
        if let Ok(mut plugins) = self.plugins.write() {
            if enabled {
                plugins.insert(name.to_owned());
            } else {
                plugins.remove(name);
            }
        }
        Ok(())
    }

    /// Caches a saved user as plugin-auth's `users.afterSave` hook does
    /// (`cache.set(\`auth:${user.id}\`, user.toJSON())`): the model's JSON, ISO dates included.
    pub(crate) fn cache_user(&self, id: i64, user: Map<String, Value>) {
        if let Ok(mut cache) = self.auth_cache.write() {
            cache.insert(id, user);
        }
    }

    /// The cached user, if a save or an earlier lookup put one there.
    pub(crate) fn cached_user(&self, id: i64) -> Option<Map<String, Value>> {
        self.auth_cache.read().ok().and_then(|c| c.get(&id).cloned())
    }

    /// Drops a user's cache entry (`users.afterDestroy`, `auth:signOut`).
    pub(crate) fn forget_user(&self, id: i64) {
        if let Ok(mut cache) = self.auth_cache.write() {
            cache.remove(&id);
        }
    }

    /// Remembers how many fields `collections:create` loaded with `collection` (`None` forgets).
    pub(crate) fn set_initial_fields(&self, collection: &str, count: Option<usize>) {
        if let Ok(mut map) = self.initial_fields.write() {
            match count {
                Some(n) => map.insert(collection.to_owned(), n),
                None => map.remove(collection),
            };
        }
    }

    /// How many fields were loaded with the collection in this process; `None` after a restart.
    pub(crate) fn initial_fields(&self, collection: &str) -> Option<usize> {
        self.initial_fields.read().ok().and_then(|m| m.get(collection).copied())
    }

    /// Notes that a user collection's resource was requested: NocoBase defines it on first use.
    pub(crate) fn touch_resource(&self, collection: &str) {
        if self.resources.read().is_ok_and(|m| m.get(collection) == Some(&true)) {
            return;
        }
        if let Ok(mut map) = self.resources.write() {
            map.insert(collection.to_owned(), true);
        }
    }

    /// A collection was destroyed (`gone`) or created anew: a resource requested before a
    /// destroy lingers, broken, until a restart (probe 123); a new collection replaces it.
    pub(crate) fn collection_replaced(&self, collection: &str, gone: bool) {
        if let Ok(mut map) = self.resources.write() {
            match (gone, map.get(collection).copied()) {
                (true, Some(true)) => {
                    map.insert(collection.to_owned(), false);
                }
                (true, _) => {}
                (false, _) => {
                    map.remove(collection);
                }
            }
        }
    }

    /// Whether `collection` names the lingering resource of a destroyed collection.
    pub(crate) fn lingering_resource(&self, collection: &str) -> bool {
        self.resources.read().is_ok_and(|m| m.get(collection) == Some(&false))
    }

    /// A snapshot of the collections.
    pub(crate) fn catalog(&self) -> CatalogView {
        CatalogView(self.collections.read().map(|m| Arc::clone(&m)).unwrap_or_default())
    }

    /// Rebuilds the catalog from the system definitions and the `collections`/`fields` tables.
    pub(crate) fn reload_catalog(&self) -> ApiResult<()> {
        let guard = self.conn.lock().map_err(|_| ApiError::Internal("database lock poisoned".into()))?;
        let mut map: BTreeMap<String, Collection> =
            system_collections().into_iter().map(|c| (c.name.clone(), c)).collect();
        for (name, options, fields) in load_user_collections(&guard)? {
            map.insert(name.clone(), user_collection(&name, &options, &fields));
        }
        self.bump();
        if let Ok(mut slot) = self.collections.write() {
            *slot = Arc::new(map);
        }
        Ok(())
    }

    fn observe_snowflakes(&self) -> ApiResult<()> {
        let catalog = self.catalog();
        self.read(|conn, _| {
            let mut max: i64 = conn.query_row(
                "SELECT MAX(m) FROM (SELECT MAX(id) AS m FROM dataSourcesRolesResources UNION ALL SELECT MAX(id) FROM dataSourcesRolesResourcesActions)",
                [],
                |r| r.get::<_, Option<i64>>(0),
            )?.unwrap_or(0);
            for c in catalog.user_defined() {
                if c.key_kind == crate::db::schema::KeyKind::Snowflake {
                    let sql = format!("SELECT MAX({}) FROM {}", crate::db::schema::quote(&c.primary_key), crate::db::schema::quote(&c.name));
                    let m: Option<i64> = conn.query_row(&sql, [], |r| r.get(0)).optional()?.flatten();
                    max = max.max(m.unwrap_or(0));
                }
            }
            self.snowflakes.observe(max);
            Ok(())
        })
    }
}

/// The stored options of every user collection, with their fields.
type StoredCollection = (String, Map<String, Value>, Vec<Map<String, Value>>);

fn load_user_collections(conn: &Connection) -> ApiResult<Vec<StoredCollection>> {
    let mut out = Vec::new();
    let mut stmt = conn.prepare_cached("SELECT name, options FROM collections ORDER BY sort, name")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?)))?;
    for row in rows {
        let (name, options) = row?;
        let options: Map<String, Value> = options.and_then(|o| serde_json::from_str(&o).ok()).unwrap_or_default();
        let fields = load_fields(conn, &name)?;
        out.push((name, options, fields));
    }
    Ok(out)
}

/// The stored fields of a collection: their options with name and type merged in.
pub(crate) fn load_fields(conn: &Connection, collection: &str) -> ApiResult<Vec<Map<String, Value>>> {
    let mut stmt = conn.prepare_cached(
        "SELECT name, type, interface, options FROM fields WHERE collectionName = ? ORDER BY sort, rowid",
    )?;
    let rows = stmt.query_map([collection], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, Option<String>>(1)?,
            r.get::<_, Option<String>>(2)?,
            r.get::<_, Option<String>>(3)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (name, ty, interface, options) = row?;
        let mut map: Map<String, Value> = options.and_then(|o| serde_json::from_str(&o).ok()).unwrap_or_default();
        map.insert("name".into(), json!(name));
        map.insert("type".into(), json!(ty));
        map.insert("interface".into(), json!(interface));
        out.push(map);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_shows_neither_the_app_key_nor_the_root_password() {
        let root = RootAccount { password: "root-password-to-hide".to_owned(), ..RootAccount::default() };
        let config = crate::ServerConfig { app_key: "app-key-to-hide".to_owned(), root, database: None };
        let shown = format!("{config:?}");
        assert!(shown.contains("admin@nocobase.com"), "{shown}");
        assert!(!shown.contains("to-hide"), "{shown}");
    }

    #[test]
    fn a_fresh_store_has_the_root_user_and_three_roles() {
        let store = Store::open(None, &RootAccount::default()).expect("opens");
        let (users, roles): (i64, i64) = store
            .read(|c, _| {
                Ok((
                    c.query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))?,
                    c.query_row("SELECT COUNT(*) FROM rolesUsers WHERE userId = 1", [], |r| r.get(0))?,
                ))
            })
            .expect("reads");
        assert_eq!((users, roles), (1, 3));
    }
}
