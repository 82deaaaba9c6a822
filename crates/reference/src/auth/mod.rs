//! Who is calling: the bearer token checked in NocoBase's order (`BaseAuth.checkToken`: empty →
//! verify → user → key role overrides `X-Role` → block-list → expiry), then the request's role
//! chosen as `setCurrentRole` does (a key's role or `X-Role` must be one of the user's roles).
//!
//! Beside it: the JWTs themselves ([`tokens`]), session tokens under the token policy
//! ([`sessions`], [`policy`], [`renewals`], time spans read by [`ms`]), the ACL that decides what
//! the role may do ([`acl`]), and the memo of both decisions ([`memo`]).

pub(crate) mod acl;
pub(crate) mod memo;
pub(crate) mod ms;
pub(crate) mod policy;
pub(crate) mod renewals;
pub(crate) mod secret;
pub(crate) mod sessions;
pub(crate) mod tokens;

use axum::http::HeaderMap;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use crate::auth::sessions::{Renewed, SessionRules, check_session};
use crate::auth::tokens::Verified;
use crate::db::clock;
use crate::db::repository::{self, Row};
use crate::db::store::CatalogView;
use crate::http::error::{ApiError, ApiResult, messages};

/// An authenticated caller.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    /// The user's id.
    pub(crate) user_id: i64,
    /// The token presented.
    pub(crate) token: String,
    /// True for session tokens (`temp: true`).
    pub(crate) session: bool,
    /// The session token's id.
    pub(crate) jti: Option<String>,
    /// A renewed session token to send back in `x-new-token` (and the auth cookies).
    pub(crate) renewed: Option<Renewed>,
    /// The user's roles, in assignment order.
    pub(crate) roles: Vec<String>,
    /// The role this request acts as.
    pub(crate) role: String,
    /// The token's `exp` (seconds), if it has one.
    pub(crate) exp: Option<f64>,
}

/// The token the request carries, as NocoBase's `ctx.getBearerToken` finds it
/// (`core/server/src/helper.ts`): a non-empty `Authorization` header with one leading
/// `Bearer<whitespace>` removed (any case: `/^Bearer\s+/gi`), else a non-empty `?token=`.
/// Node trims header values, so `Bearer` and `Bearer ` leave the token `Bearer`, which fails as
/// INVALID_TOKEN (probes 411, 412); only no header and no `?token=` is EMPTY_TOKEN.
pub(crate) fn bearer_token(headers: &HeaderMap, query_token: Option<&str>) -> Option<String> {
    let header = headers
        .get(axum::http::header::AUTHORIZATION)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).trim().to_owned())
        .filter(|value| !value.is_empty());
    match header {
        Some(value) => Some(strip_bearer(&value).to_owned()),
        None => query_token.filter(|t| !t.is_empty()).map(str::to_owned),
    }
}

fn strip_bearer(value: &str) -> &str {
    let scheme = value.get(..6).filter(|s| s.eq_ignore_ascii_case("bearer"));
    let rest = &value[scheme.map_or(0, str::len)..];
    match scheme {
        Some(_) if rest.starts_with(char::is_whitespace) => rest.trim_start(),
        _ => value,
    }
}

/// Checks the token (a session token under `sessions`' policy) and picks the role. `x_role` is
/// the client's `X-Role` header.
pub(crate) fn authenticate(
    conn: &Connection,
    catalog: &CatalogView,
    sessions: &SessionRules<'_>,
    token: Option<String>,
    x_role: Option<&str>,
) -> ApiResult<Caller> {
    let token = token.ok_or_else(|| ApiError::unauthorized(messages::EMPTY_TOKEN, "EMPTY_TOKEN"))?;
    let (claims, expired) = match sessions.signer.verify(&token) {
        Verified::Valid(c) => (c, false),
        Verified::Expired(c) => (c, true),
        Verified::Invalid => return Err(ApiError::unauthorized(messages::EXPIRED, "INVALID_TOKEN")),
    };
    let (user_id, user) = find_user(conn, catalog, claims.get("userId"))?;
    let key_role = claims.get("roleName").filter(|r| truthy(r)).cloned();
    let jti = claims.get("jti").and_then(Value::as_str).map(str::to_owned);
    let blocked_key = jti.clone().unwrap_or_else(|| token.clone());
    if is_blocked(conn, &blocked_key)? {
        return Err(ApiError::unauthorized(messages::EXPIRED, "BLOCKED_TOKEN"));
    }
    let session = claims.get("temp").is_some_and(truthy);
    let mut renewed = None;
    if !session {
        if expired {
            return Err(ApiError::unauthorized(messages::EXPIRED, "INVALID_TOKEN"));
        }
    } else {
        renewed = check_session(conn, sessions, &claims, &user, expired)?;
    }
    let roles = user_roles(conn, user_id)?;
    // A truthy `roleName` of any type replaces the `X-Role` header (`auth.js` l.233), and only a
    // string can then equal one of the user's role names.
    let requested = match key_role {
        Some(Value::String(role)) => Some(Requested::Name(role)),
        Some(_) => Some(Requested::NoName),
        None => x_role.filter(|r| !r.is_empty()).map(|r| Requested::Name(r.to_owned())),
    };
    let role = choose_role(conn, user_id, &roles, requested.as_ref())?;
    let exp = claims.get("exp").and_then(Value::as_f64);
    Ok(Caller { user_id, token, session, jti, renewed, roles, role, exp })
}

/// JavaScript's truthiness of a JSON value.
fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|n| n != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// The token's user, found as `checkToken` finds it (`auth.js` l.214): no lookup for a falsy
/// `userId`, else `users.findOne({ filter: { id: userId } })` — the claim is a filter value,
/// so `"1"`, `" 1"`, `true`, `[1]` and `{"$gt": 0}` all find user 1 and `1.5` finds nobody.
fn find_user(conn: &Connection, catalog: &CatalogView, user_id: Option<&Value>) -> ApiResult<(i64, Row)> {
    let not_found = || ApiError::unauthorized(messages::NO_USER, "NOT_EXIST_USER");
    let Some(user_id) = user_id.filter(|id| truthy(id)) else { return Err(not_found()) };
    let users = catalog.get("users").ok_or_else(|| ApiError::Internal("no users collection".into()))?;
    let filter = crate::js::from_serde(&serde_json::json!({ "id": user_id }));
    let selection = repository::Selection { filter: Some(filter), ..repository::Selection::default() };
    let paging = repository::Paging { limit: Some(1), ..repository::Paging::default() };
    let user = repository::find(conn, catalog, users, &selection, &paging)?.into_iter().next().ok_or_else(not_found)?;
    let id = user.get("id").and_then(Value::as_i64).ok_or_else(not_found)?;
    Ok((id, user))
}

fn is_blocked(conn: &Connection, key: &str) -> ApiResult<bool> {
    let found: Option<String> = conn
        .prepare_cached("SELECT token FROM tokenBlacklist WHERE token = ?")?
        .query_row([key], |r| r.get(0))
        .optional()?;
    Ok(found.is_some())
}

/// Adds a token (or jti) to the block-list until `expiration`.
pub(crate) fn block(conn: &Connection, key: &str, expiration_unix: Option<i64>) -> ApiResult<()> {
    let now = clock::now();
    conn.execute("DELETE FROM tokenBlacklist WHERE expiration <= ?", [clock::stored(now)])?;
    let expiration = expiration_unix
        .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s.min(253_402_300_799)).ok())
        .map(clock::stored);
    conn.execute("INSERT OR IGNORE INTO tokenBlacklist (token, expiration) VALUES (?, ?)", params![key, expiration])?;
    Ok(())
}

/// The names of the user's roles, by name (the `users.roles` repository's order: recording api/26).
pub(crate) fn user_roles(conn: &Connection, user_id: i64) -> ApiResult<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT ru.roleName FROM rolesUsers ru JOIN roles r ON r.name = ru.roleName WHERE ru.userId = ? ORDER BY ru.roleName",
    )?;
    let names = stmt.query_map([user_id], |r| r.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()?;
    Ok(names)
}

/// The role a request asks for.
enum Requested {
    Name(String),
    /// A key's `roleName` that is truthy but no string: it equals no role's name.
    NoName,
}

/// plugin-acl's `setCurrentRole`: `anonymous` is taken as it is; otherwise the user needs a
/// role; `__union__` in the default role mode is the user's first role (by name, probe 436); a
/// requested role must be one of the user's; without one, the default role, else the first.
fn choose_role(conn: &Connection, user_id: i64, roles: &[String], requested: Option<&Requested>) -> ApiResult<String> {
    if let Some(Requested::Name(role)) = requested
        && role == "anonymous"
    {
        return Ok("anonymous".to_owned());
    }
    let Some(first) = roles.first() else {
        return Err(ApiError::unauthorized(messages::NO_ROLES, "USER_HAS_NO_ROLES_ERR"));
    };
    match requested {
        Some(Requested::Name(role)) if role == "__union__" => return Ok(first.clone()),
        Some(Requested::Name(role)) if roles.iter().any(|r| r == role) => return Ok(role.clone()),
        Some(_) => return Err(ApiError::unauthorized(messages::ROLE_NOT_OWNED, "ROLE_NOT_FOUND_FOR_USER")),
        None => {}
    }
    let default: Option<String> = conn
        .prepare_cached("SELECT roleName FROM rolesUsers WHERE userId = ? AND \"default\" = 1 LIMIT 1")?
        .query_row([user_id], |r| r.get(0))
        .optional()?;
    Ok(default.filter(|d| roles.contains(d)).unwrap_or_else(|| first.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn bearer_prefix_is_optional_and_case_insensitive() {
        let mut headers = HeaderMap::new();
        headers.insert("authorization", HeaderValue::from_static("bearer abc"));
        assert_eq!(bearer_token(&headers, None).as_deref(), Some("abc"));
        headers.insert("authorization", HeaderValue::from_static("abc"));
        assert_eq!(bearer_token(&headers, Some("q")).as_deref(), Some("abc"));
        headers.insert("authorization", HeaderValue::from_static("Bearer "));
        assert_eq!(bearer_token(&headers, Some("q")).as_deref(), Some("Bearer"));
        headers.insert("authorization", HeaderValue::from_static("Bearer"));
        assert_eq!(bearer_token(&headers, None).as_deref(), Some("Bearer"));
        headers.insert("authorization", HeaderValue::from_static(""));
        assert_eq!(bearer_token(&headers, Some("q")).as_deref(), Some("q"));
        assert_eq!(bearer_token(&HeaderMap::new(), Some("q")).as_deref(), Some("q"));
    }
}
