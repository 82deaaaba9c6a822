//! Who holds a role: `roles/<role>/users:add|remove` (body `[<userId>, …]`) and
//! `roles/<role>/users:list`.

use rusqlite::{OptionalExtension, params};
use serde_json::{Value, json};

use super::{role_name, target_keys};
use crate::db::clock;
use crate::db::repository::{self, Paging, Selection};
use crate::http::error::{ApiError, ApiResult};
use crate::http::reply::Reply;
use crate::resources::{Ctx, records};

/// `POST /api/roles/<role>/users:add` (or `:remove`) with body `[<userId>, …]`: answers `{}`.
pub(crate) fn roles_users_add(ctx: &Ctx<'_>, add: bool) -> ApiResult<Reply> {
    let role = role_name(ctx)?;
    let ids: Vec<i64> = target_keys(ctx)
        .iter()
        .filter_map(|v| v.as_i64().or_else(|| v.as_str().and_then(|s| s.parse().ok())))
        .collect();
    ctx.state.store().write(|tx| {
        let exists: Option<String> = tx.sql.query_row("SELECT name FROM roles WHERE name = ?", [&role], |r| r.get(0)).optional()?;
        if exists.is_none() {
            return Ok(());
        }
        let now = clock::stored(clock::now());
        for id in &ids {
            if add {
                if role == "root" && *id != 1 {
                    return Err(ApiError::forbidden());
                }
                let user: Option<i64> = tx.sql.query_row("SELECT id FROM users WHERE id = ?", [id], |r| r.get(0)).optional()?;
                if user.is_some() {
                    tx.sql.execute(
                        "INSERT OR IGNORE INTO rolesUsers (userId, roleName, \"default\", createdAt, updatedAt) VALUES (?, ?, NULL, ?, ?)",
                        params![id, role, now, now],
                    )?;
                }
            } else {
                tx.sql.execute("DELETE FROM rolesUsers WHERE userId = ? AND roleName = ?", params![id, role])?;
            }
        }
        Ok(())
    })?;
    Ok(Reply::empty())
}

/// `GET /api/roles/<role>/users:list`: the role's users, paginated.
pub(crate) fn roles_users_list(ctx: &Ctx<'_>) -> ApiResult<Reply> {
    let role = role_name(ctx)?;
    ctx.state.store().read(|conn, catalog| {
        let users = catalog.get("users").ok_or_else(|| ApiError::Internal("no users".into()))?;
        let mut stmt = conn.prepare_cached("SELECT userId FROM rolesUsers WHERE roleName = ?")?;
        let ids: Vec<Value> =
            stmt.query_map([&role], |r| r.get::<_, i64>(0))?.filter_map(Result::ok).map(Value::from).collect();
        let selection = Selection { filter_by_tk: Some(Value::Array(ids)), ..records::selection(ctx) };
        let count = repository::count(conn, catalog, users, &selection)?;
        let rows =
            repository::find(conn, catalog, users, &selection, &Paging { limit: Some(20), ..Paging::default() })?;
        let shown = repository::project(conn, catalog, users, rows, &records::projection(ctx, users)?)?;
        Ok(Reply::Page {
            rows: shown,
            meta: json!({"count": count, "page": 1, "pageSize": 20, "totalPage": (count + 19) / 20}),
        })
    })
}
