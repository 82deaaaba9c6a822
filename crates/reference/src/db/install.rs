//! What a fresh NocoBase install holds: the reference server's own tables (`migrations.sql`, and
//! the names no collection may take), the root account (NocoBase's `INIT_ROOT_*` settings), and
//! the data `yarn nocobase install` writes (the roles root/admin/member, the root user, the
//! API-keys and API-doc plugins).

use rusqlite::{Connection, params};
use serde_json::json;

use crate::db::clock;
use crate::db::password::hash;
use crate::db::system_collections::system_collections;
use crate::http::error::ApiResult;

/// The root account created at start (NocoBase's `INIT_ROOT_*` settings).
#[derive(Clone)]
pub struct RootAccount {
    /// `INIT_ROOT_EMAIL`.
    pub email: String,
    /// `INIT_ROOT_PASSWORD`.
    pub password: String,
    /// `INIT_ROOT_USERNAME`.
    pub username: String,
    /// `INIT_ROOT_NICKNAME`.
    pub nickname: String,
}

impl std::fmt::Debug for RootAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RootAccount")
            .field("email", &self.email)
            .field("password", &"[redacted]")
            .field("username", &self.username)
            .field("nickname", &self.nickname)
            .finish()
    }
}

impl Default for RootAccount {
    fn default() -> Self {
        Self {
            email: "admin@nocobase.com".to_owned(),
            password: "admin123".to_owned(),
            username: "nocobase".to_owned(),
            nickname: "Super Admin".to_owned(),
        }
    }
}

/// The tables the reference server creates for itself.
pub(crate) const MIGRATIONS: &str = include_str!("migrations.sql");

/// Whether `name` is, for SQLite, the name of one of the reference server's own tables: those of
/// `migrations.sql`, those of the system collections (users, roles, apiKeys, …) and SQLite's
/// `sqlite_*`. SQLite compares table names without regard to case, so neither may a collection
/// called `IssuedTokens` or `Users` be created: `CREATE TABLE IF NOT EXISTS` would quietly share
/// the internal table, and destroying the collection would drop it.
pub(crate) fn is_internal_table(name: &str) -> bool {
    static TABLES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    let tables = TABLES.get_or_init(|| {
        let mut names: Vec<String> = MIGRATIONS
            .split("CREATE TABLE IF NOT EXISTS \"")
            .skip(1)
            .filter_map(|rest| rest.split_once('"').map(|(table, _)| table.to_owned()))
            .collect();
        names.extend(system_collections().into_iter().map(|c| c.name));
        names
    });
    name.get(..7).is_some_and(|prefix| prefix.eq_ignore_ascii_case("sqlite_"))
        || tables.iter().any(|table| table.eq_ignore_ascii_case(name))
}

/// Writes what `yarn nocobase install` writes, once: the roles root, admin and member, the root
/// user holding all three (root by default), and the two plugins, enabled.
pub(crate) fn seed(sql: &Connection, root: &RootAccount) -> ApiResult<()> {
    let existing: i64 = sql.query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))?;
    if existing > 0 {
        return Ok(());
    }
    let now = clock::stored(clock::now());
    let roles = [
        ("root", "{{t(\"Root\")}}", json!(null), json!(["pm", "pm.*", "ui.*"]), true, false, false, None),
        (
            "admin",
            "{{t(\"Admin\")}}",
            json!({"actions": ["create", "view", "update", "destroy", "export", "importXlsx"]}),
            json!(["pm", "pm.*", "ui.*"]),
            false,
            false,
            true,
            Some(true),
        ),
        (
            "member",
            "{{t(\"Member\")}}",
            json!({"actions": ["view:own"]}),
            json!(["!pm", "!pm.*", "!ui.*"]),
            false,
            true,
            true,
            None,
        ),
    ];
    for (name, title, strategy, snippets, hidden, default, menus, allow_configure) in roles {
        let strategy = if strategy.is_null() { None } else { Some(strategy.to_string()) };
        sql.execute(
            "INSERT INTO roles (name, title, strategy, snippets, hidden, \"default\", allowNewMenu, allowNewMobileMenu, allowNewAiEmployee, allowConfigure, description, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, NULL, ?, ?)",
            params![name, title, strategy, snippets.to_string(), hidden, default, menus, menus, allow_configure, now, now],
        )?;
    }
    sql.execute(
        "INSERT INTO users (id, nickname, username, email, password, systemSettings, createdAt, updatedAt) VALUES (1, ?, ?, ?, ?, '{}', ?, ?)",
        params![root.nickname, root.username, root.email, hash(&root.password), now, now],
    )?;
    for (role, default) in [("root", Some(true)), ("admin", None), ("member", None)] {
        sql.execute(
            "INSERT INTO rolesUsers (userId, roleName, \"default\", createdAt, updatedAt) VALUES (1, ?, ?, ?, ?)",
            params![role, default, now, now],
        )?;
    }
    for plugin in ["api-keys", "api-doc"] {
        sql.execute("INSERT INTO applicationPlugins (name, enabled, installed) VALUES (?, 1, 1)", [plugin])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_of_the_migrations_and_system_collections_is_internal() {
        for table in [
            "rolesUsers",
            "dataSourcesRolesResources",
            "dataSourcesRolesResourcesActions",
            "tokenBlacklist",
            "issuedTokens",
            "tokenControlConfig",
            "collections",
            "fields",
            "applicationPlugins",
            "users",
            "roles",
            "apiKeys",
            "iframeHtml",
            "IssuedTokens",
            "USERS",
            "sqlite_sequence",
            "SQLITE_master",
        ] {
            assert!(is_internal_table(table), "{table}");
        }
        assert!(!is_internal_table("todos"));
        assert!(!is_internal_table("tokens"));
        assert!(!is_internal_table("sqlite"));
    }
}
