//! API keys (`plugin-api-keys`, `src/server/actions/api-keys.ts`): `apiKeys:create` signs
//! `{userId, roleName}` for one of the caller's own roles and answers the token once;
//! `apiKeys:list` shows the caller's own keys without tokens; `apiKeys:destroy` blocks the key's
//! token (whoever owns it, as NocoBase does) and deletes the caller's own row.

use serde_json::{Value, json};

use super::records::{hide, projection};
use crate::auth;
use crate::auth::tokens::{self, Verified};
use crate::db::paging::Page;
use crate::db::repository::{self, Actor, Paging, Selection};
use crate::http::error::{ApiError, ApiResult};
use crate::http::reply::Reply;
use crate::resources::Ctx;

/// `POST /api/apiKeys:create` with `{"name", "role": {"name"}, "expiresIn"}`.
pub(super) fn api_keys_create(ctx: &Ctx<'_>) -> ApiResult<Reply> {
    let caller = ctx.caller()?;
    let mut values = ctx.values();
    let role = match values.get("role") {
        None | Some(Value::Null) | Some(Value::Bool(false)) => return Ok(Reply::empty()),
        Some(Value::String(s)) if s.is_empty() => return Ok(Reply::empty()),
        Some(role) => role.clone(),
    };
    let role_name = match role.get("name") {
        Some(Value::String(name)) => name.clone(),
        Some(other) => other.to_string(),
        None => {
            return Err(ApiError::server("WHERE parameter \"name\" has invalid \"undefined\" value"));
        }
    };
    if !caller.roles.contains(&role_name) {
        return Err(ApiError::bad_request("Role not found"));
    }
    let expires_in = values.get("expiresIn").cloned().unwrap_or(Value::Null);
    let seconds = tokens::lifetime_seconds(&expires_in).map_err(|bad| ApiError::server(bad.message()))?;
    let token = ctx.state.signer().api_key(caller.user_id, &role_name, seconds)?;
    values.remove("role");
    values.insert("roleName".into(), json!(role_name));
    values.insert("token".into(), json!(token));
    ctx.state.store().write(|tx| {
        let keys = tx.catalog.get("apiKeys").cloned().ok_or_else(|| ApiError::Internal("no apiKeys".into()))?;
        repository::insert(tx, &keys, &values, Actor(Some(caller.user_id)))
    })?;
    Ok(Reply::Data(json!({ "token": token })))
}

fn own_keys(ctx: &Ctx<'_>) -> ApiResult<Selection> {
    let caller = ctx.caller()?;
    Ok(Selection {
        filter: super::records::action_filter(ctx),
        filter_by_tk: ctx.params.filter_by_tk(),
        equals: vec![("createdById".to_owned(), json!(caller.user_id))],
    })
}

/// `GET /api/apiKeys:list`: the caller's own keys, paginated.
pub(super) fn api_keys_list(ctx: &Ctx<'_>) -> ApiResult<Reply> {
    let selection = Selection { filter_by_tk: None, ..own_keys(ctx)? };
    let sort = ctx.params.list("sort").unwrap_or_default();
    let page = Page::from_params(&ctx.params)?;
    ctx.state.store().read(|conn, catalog| {
        let keys = catalog.get("apiKeys").ok_or_else(|| ApiError::Internal("no apiKeys".into()))?;
        let projection = projection(ctx, keys)?;
        let count = repository::count(conn, catalog, keys, &selection)?;
        let paging = Paging { sort, limit: Some(page.limit), offset: page.offset };
        let rows = repository::find(conn, catalog, keys, &selection, &paging)?;
        let rows = rows.into_iter().map(|r| hide(keys, r)).collect();
        let shown = repository::project(conn, catalog, keys, rows, &projection)?;
        Ok(Reply::Page { rows: shown, meta: page.meta(count) })
    })
}

/// `POST /api/apiKeys:destroy?filterByTk=<id>`: answers the number of the caller's rows deleted.
pub(super) fn api_keys_destroy(ctx: &Ctx<'_>) -> ApiResult<Reply> {
    let selection = own_keys(ctx)?;
    let key = ctx.params.filter_by_tk();
    let signer = ctx.state.signer().clone();
    let count = ctx.state.store().write(|tx| {
        let keys = tx.catalog.get("apiKeys").cloned().ok_or_else(|| ApiError::Internal("no apiKeys".into()))?;
        if let Some(key) = &key {
            let token: Option<String> = repository::get(tx.sql, &tx.catalog, &keys, key)?
                .and_then(|row| row.get("token").and_then(Value::as_str).map(str::to_owned));
            if let Some(token) = token
                && let Verified::Valid(claims) = signer.verify(&token)
            {
                auth::block(tx.sql, &token, claims.get("exp").and_then(Value::as_i64))?;
            }
        }
        repository::delete(tx, &keys, &selection)
    })?;
    Ok(Reply::Data(json!(count)))
}
