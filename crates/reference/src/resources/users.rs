//! Users (`plugin-users`): `users:create` with roles (by name or whole role records, as the admin
//! UI sends them; no roles means the default role `member`), `users:destroy` (never user 1),
//! and a user's roles (`users/<id>/roles:list`).

use rusqlite::params;
use serde_json::{Value, json};

use super::records::{self, hide};
use super::session::roles_with_pivot;
use crate::db::clock;
use crate::db::repository::{self, Actor, Paging};
use crate::http::error::{ApiError, ApiResult};
use crate::http::reply::Reply;
use crate::resources::Ctx;

/// `POST /api/users:create`.
pub(super) fn users_create(ctx: &Ctx<'_>) -> ApiResult<Reply> {
    let mut values = ctx.values();
    let roles: Option<Vec<String>> = values.remove("roles").map(|r| match r {
        Value::Array(items) => items
            .iter()
            .filter_map(|i| match i {
                Value::String(name) => Some(name.clone()),
                Value::Object(m) => m.get("name").and_then(Value::as_str).map(str::to_owned),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    });
    let actor = Actor(ctx.caller.as_ref().map(|c| c.user_id));
    let created = ctx.state.store().write(|tx| {
        let users = tx.catalog.get("users").cloned().ok_or_else(|| ApiError::Internal("no users".into()))?;
        for unique in ["username", "email"] {
            if let Some(v) = values.get(unique).and_then(Value::as_str) {
                let sql = format!("SELECT COUNT(*) FROM users WHERE \"{unique}\" = ?");
                let taken: i64 = tx.sql.query_row(&sql, [v], |r| r.get(0))?;
                if taken > 0 {
                    let label = users.attribute(unique).map(|f| f.label().to_owned()).unwrap_or_else(|| unique.to_owned());
                    return Err(ApiError::bad_request(format!("{label} already exists")));
                }
            }
        }
        let instance = repository::insert(tx, &users, &values, actor)?;
        let id = instance.get("id").and_then(Value::as_i64).unwrap_or_default();
        ctx.state.store().cache_user(id, instance.clone());
        let names = match &roles {
            Some(names) => names.clone(),
            None => vec!["member".to_owned()],
        };
        let now = clock::stored(clock::now());
        let mut assigned = Vec::new();
        for name in names {
            let inserted = tx.sql.execute(
                "INSERT OR IGNORE INTO rolesUsers (userId, roleName, \"default\", createdAt, updatedAt) SELECT ?, name, NULL, ?, ? FROM roles WHERE name = ?",
                params![id, now, now, name],
            )?;
            if inserted > 0 {
                assigned.push(json!({"name": name}));
            }
        }
        let mut shown = hide(&users, instance);
        if roles.is_some() {
            shown.insert("roles".into(), Value::Array(assigned));
        }
        Ok(shown)
    })?;
    Ok(Reply::Data(Value::Object(created)))
}

/// `POST /api/users:destroy?filterByTk=<id>`: the root user (id 1) is never removed; asking
/// for it by key is a 403 (plugin-users' fixed params, probe 144).
pub(super) fn users_destroy(ctx: &Ctx<'_>) -> ApiResult<Reply> {
    let count = ctx.state.store().write(|tx| {
        let users = tx.catalog.get("users").cloned().ok_or_else(|| ApiError::Internal("no users".into()))?;
        let selection = records::destroy_selection(ctx, tx, &users)?;
        let ids: Vec<i64> = repository::find(tx.sql, &tx.catalog, &users, &selection, &Paging::default())?
            .into_iter()
            .filter_map(|r| r.get("id").and_then(Value::as_i64))
            .collect();
        for id in &ids {
            ctx.state.store().forget_user(*id);
            tx.sql.execute("DELETE FROM rolesUsers WHERE userId = ?", [id])?;
            tx.sql.execute("DELETE FROM users WHERE id = ?", [id])?;
        }
        Ok(ids.len())
    })?;
    Ok(Reply::Data(json!(count)))
}

/// `GET /api/users/<id>/roles:list`: the user's roles with their `rolesUsers` pivot.
pub(super) fn users_roles_list(ctx: &Ctx<'_>) -> ApiResult<Reply> {
    let user_id: i64 = ctx.route.associated_index.as_deref().and_then(|s| s.parse().ok()).ok_or(ApiError::NotFound)?;
    let only = ctx.params.list("fields");
    ctx.state.store().read(|conn, catalog| {
        let mut rows = roles_with_pivot(conn, catalog, user_id)?;
        if let Some(only) = &only {
            // `fields=name` keeps the asked attributes and Sequelize's `_pivot_` (probe 120).
            for row in &mut rows {
                if let Some(map) = row.as_object_mut() {
                    map.retain(|k, _| only.contains(k) || k == "_pivot_");
                }
            }
        }
        let count = rows.len() as i64;
        Ok(Reply::Page {
            rows,
            meta: json!({"count": count, "page": 1, "pageSize": 20, "totalPage": (count + 19) / 20}),
        })
    })
}
