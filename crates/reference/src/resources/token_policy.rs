//! plugin-auth's token policy resource, `tokenControlConfig` (the admin UI's Security → Token
//! policy page): `get` answers the row `token-policy-config`, `update` saves its `config` and
//! answers an array — and, as the collection's `afterSave` hook does, puts the saved policy in
//! force at once (recordings 2.2.15-lifecycle/411-413, 438, 439). Who may call them is the ACL's
//! snippet `pm.security.token-policy` (root and admin; a key of a role without it gets 403,
//! recordings 642, 643).

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Map, Value, json};

use crate::auth::policy::{RECORD_KEY, TokenPolicy};
use crate::db::clock;
use crate::http::error::{ApiError, ApiResult};
use crate::http::reply::Reply;
use crate::resources::records::whitelisted;
use crate::resources::{Ctx, not_implemented_error};

/// `GET /api/tokenControlConfig:get?filterByTk=token-policy-config`: the row, `null` for
/// another key.
pub(super) fn token_control_config_get(ctx: &Ctx<'_>) -> ApiResult<Reply> {
    if !selects_the_policy(ctx)? {
        return Ok(Reply::Data(Value::Null));
    }
    let row = ctx.state.store().read(|conn, _| policy_row(conn))?;
    Ok(Reply::Data(row.map_or(Value::Null, Value::Object)))
}

/// `POST /api/tokenControlConfig:update?filterByTk=token-policy-config` with `{"config": {…}}`:
/// the updated rows (`[]` for another key). A `config` equal to the stored one changes nothing
/// (Sequelize saves no unchanged instance, so no hook runs); `null` is a not-null violation; a
/// new one `ms` cannot take (a time span missing, empty or of another type) fails the save's
/// hook, and the row keeps its policy.
pub(super) fn token_control_config_update(ctx: &Ctx<'_>) -> ApiResult<Reply> {
    if !selects_the_policy(ctx)? {
        return Ok(Reply::Data(json!([])));
    }
    let values = whitelisted(ctx, ctx.values());
    let user_id = ctx.caller()?.user_id;
    let saved = ctx.state.store().write(|tx| {
        let Some(row) = policy_row(tx.sql)? else { return Ok(None) };
        let config = match values.get("config") {
            None => return Ok(Some((row, None))),
            Some(Value::Null) => return Err(ApiError::bad_request("config cannot be null")),
            Some(config) if row.get("config") == Some(config) => return Ok(Some((row, None))),
            Some(config) => config,
        };
        let policy = TokenPolicy::from_config(config).map_err(ApiError::server)?;
        tx.sql.execute(
            "UPDATE \"tokenControlConfig\" SET config = ?, updatedAt = ?, updatedById = ? WHERE key = ?",
            params![config.to_string(), clock::stored(clock::now()), user_id, RECORD_KEY],
        )?;
        Ok(policy_row(tx.sql)?.map(|fresh| (fresh, Some(policy))))
    })?;
    let Some((row, policy)) = saved else { return Ok(Reply::Data(json!([]))) };
    if let Some(policy) = policy {
        ctx.state.set_token_policy(policy);
    }
    Ok(Reply::Data(Value::Array(vec![Value::Object(row)])))
}

/// Whether the request is about the policy's row: by `filterByTk` (its key, as text), or, with
/// no key, the one row of the table — which the reference server can only say when no `filter`
/// narrows it.
fn selects_the_policy(ctx: &Ctx<'_>) -> ApiResult<bool> {
    match ctx.params.filter_by_tk() {
        Some(key) => Ok(key.as_str() == Some(RECORD_KEY)),
        None if ctx.params.filter().is_some() => Err(not_implemented_error(ctx)),
        None => Ok(true),
    }
}

/// The row as the model's JSON: ISO timestamps, the key, the config as stored, who created and
/// last updated it.
fn policy_row(conn: &Connection) -> ApiResult<Option<Map<String, Value>>> {
    let row = conn
        .prepare_cached(
            "SELECT createdAt, updatedAt, config, createdById, updatedById FROM \"tokenControlConfig\" WHERE key = ?",
        )?
        .query_row([RECORD_KEY], |r| {
            Ok((
                r.get::<_, Option<String>>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, Option<i64>>(4)?,
            ))
        })
        .optional()?;
    Ok(row.map(|(created, updated, config, created_by, updated_by)| {
        let mut out = Map::new();
        out.insert("createdAt".into(), json!(created.map(|c| clock::stored_to_iso(&c))));
        out.insert("updatedAt".into(), json!(updated.map(|u| clock::stored_to_iso(&u))));
        out.insert("key".into(), json!(RECORD_KEY));
        out.insert("config".into(), config.and_then(|c| serde_json::from_str(&c).ok()).unwrap_or(Value::Null));
        out.insert("createdById".into(), json!(created_by));
        out.insert("updatedById".into(), json!(updated_by));
        out
    }))
}
