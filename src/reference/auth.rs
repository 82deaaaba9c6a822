//! Who is calling: the bearer token checked in NocoBase's order (`BaseAuth.checkToken`: empty →
//! verify → user → key role overrides `X-Role` → block-list → expiry), then the request's role
//! chosen as `setCurrentRole` does (a key's role or `X-Role` must be one of the user's roles).

use axum::http::HeaderMap;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Map, Value};

use super::clock;
use super::error::{ApiError, ApiResult, messages};
use super::repository::{self, Row};
use super::store::CatalogView;
use super::tokens::{Signer, Verified};

/// Session token lifetime (`tokenExpirationTime`, default `1d`).
pub(crate) const SESSION_SECONDS: i64 = 86_400;
/// How long after sign-in a session may be renewed (`sessionExpirationTime`, `7d`).
const SESSION_MAX_SECONDS: i64 = 7 * 86_400;
/// How long after expiry a session token may still be renewed (`expiredTokenRenewLimit`, `1d`).
const RENEW_LIMIT_SECONDS: i64 = 86_400;

/// An authenticated caller.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    /// The user's id.
    pub(crate) user_id: i64,
    /// The user's stored row.
    pub(crate) user: Row,
    /// The token presented.
    pub(crate) token: String,
    /// `roleName` of an API key (which overrides `X-Role`).
    pub(crate) key_role: Option<String>,
    /// True for session tokens (`temp: true`).
    pub(crate) session: bool,
    /// The session token's id.
    pub(crate) jti: Option<String>,
    /// A renewed session token to send back in `x-new-token`.
    pub(crate) renewed: Option<String>,
    /// The user's roles, in assignment order.
    pub(crate) roles: Vec<String>,
    /// The role this request acts as.
    pub(crate) role: String,
}

/// The token the request carries: `Authorization` (a leading `Bearer ` removed, any case), else
/// `?token=`. An empty header value is no token.
pub(crate) fn bearer_token(headers: &HeaderMap, query_token: Option<&str>) -> Option<String> {
    match headers.get(axum::http::header::AUTHORIZATION) {
        Some(value) => {
            let text = String::from_utf8_lossy(value.as_bytes()).into_owned();
            let stripped = strip_bearer(&text);
            (!stripped.is_empty()).then(|| stripped.to_owned())
        }
        None => query_token.filter(|t| !t.is_empty()).map(str::to_owned),
    }
}

fn strip_bearer(value: &str) -> &str {
    let trimmed = value.trim_start();
    if trimmed.len() >= 6 && trimmed[..6].eq_ignore_ascii_case("bearer") {
        let rest = &trimmed[6..];
        if rest.starts_with(char::is_whitespace) {
            return rest.trim_start();
        }
        if rest.is_empty() {
            return "";
        }
    }
    value
}

/// Checks the token and picks the role. `x_role` is the client's `X-Role` header.
pub(crate) fn authenticate(
    conn: &Connection,
    catalog: &CatalogView,
    signer: &Signer,
    token: Option<String>,
    x_role: Option<&str>,
) -> ApiResult<Caller> {
    let token = token.ok_or_else(|| ApiError::unauthorized(messages::EMPTY_TOKEN, "EMPTY_TOKEN"))?;
    let (claims, expired) = match signer.verify(&token) {
        Verified::Valid(c) => (c, false),
        Verified::Expired(c) => (c, true),
        Verified::Invalid => return Err(ApiError::unauthorized(messages::EXPIRED, "INVALID_TOKEN")),
    };
    let user_id = claims.get("userId").and_then(as_id);
    let users = catalog.get("users").ok_or_else(|| ApiError::Internal("no users collection".into()))?;
    let user = match user_id {
        Some(id) => repository::get(conn, catalog, users, &Value::from(id))?,
        None => None,
    };
    let (Some(user_id), Some(user)) = (user_id, user) else {
        return Err(ApiError::unauthorized(messages::NO_USER, "NOT_EXIST_USER"));
    };
    let key_role = claims.get("roleName").and_then(Value::as_str).map(str::to_owned);
    let jti = claims.get("jti").and_then(Value::as_str).map(str::to_owned);
    let blocked_key = jti.clone().unwrap_or_else(|| token.clone());
    if is_blocked(conn, &blocked_key)? {
        return Err(ApiError::unauthorized(messages::EXPIRED, "BLOCKED_TOKEN"));
    }
    let session = claims.get("temp").and_then(Value::as_bool) == Some(true);
    let mut renewed = None;
    if !session {
        if expired {
            return Err(ApiError::unauthorized(messages::EXPIRED, "INVALID_TOKEN"));
        }
    } else {
        renewed = check_session(conn, signer, &claims, &user, expired)?;
    }
    let roles = user_roles(conn, user_id)?;
    let requested = key_role.as_deref().or(x_role).filter(|r| !r.is_empty());
    let role = choose_role(conn, user_id, &roles, requested)?;
    Ok(Caller { user_id, user, token, key_role, session, jti, renewed, roles, role })
}

fn as_id(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// Session tokens: too old a sign-in or too long expired ends the session; a recently expired
/// token is renewed (the new one travels in `x-new-token`).
fn check_session(
    conn: &Connection,
    signer: &Signer,
    claims: &Map<String, Value>,
    user: &Row,
    expired: bool,
) -> ApiResult<Option<String>> {
    let now = clock::now();
    let now_s = clock::unix_seconds(now);
    let sign_in_ms = claims.get("signInTime").and_then(Value::as_i64).unwrap_or(0);
    if clock::unix_millis(now) - sign_in_ms > SESSION_MAX_SECONDS * 1000 {
        return Err(ApiError::unauthorized(messages::EXPIRED, "EXPIRED_SESSION"));
    }
    let iat = claims.get("iat").and_then(Value::as_i64).unwrap_or(0);
    if let Some(changed) = user.get("passwordChangeTz").and_then(Value::as_i64) {
        if iat * 1000 < changed {
            return Err(ApiError::unauthorized("User password changed, please signin again.", "INVALID_TOKEN"));
        }
    }
    if !expired {
        return Ok(None);
    }
    let exp = claims.get("exp").and_then(Value::as_i64).unwrap_or(0);
    if now_s - exp > RENEW_LIMIT_SECONDS {
        return Err(ApiError::unauthorized(messages::EXPIRED, "EXPIRED_SESSION"));
    }
    let jti = claims.get("jti").and_then(Value::as_str).unwrap_or_default();
    let known: Option<String> =
        conn.query_row("SELECT jti FROM issuedTokens WHERE jti = ?", [jti], |r| r.get(0)).optional()?;
    if known.is_none() {
        return Err(ApiError::unauthorized(messages::EXPIRED, "TOKEN_RENEW_FAILED"));
    }
    let new_jti = uuid::Uuid::new_v4().to_string();
    conn.execute(
        "UPDATE issuedTokens SET jti = ?, issuedTime = ? WHERE jti = ?",
        params![new_jti, clock::unix_millis(now), jti],
    )?;
    let user_id = claims.get("userId").cloned().unwrap_or(Value::Null);
    Ok(Some(session_token(signer, &user_id, now_s, sign_in_ms, &new_jti)))
}

/// A session token as `auth:signIn` issues it.
pub(crate) fn session_token(signer: &Signer, user_id: &Value, iat: i64, sign_in_ms: i64, jti: &str) -> String {
    signer.sign(&serde_json::json!({
        "userId": user_id,
        "temp": true,
        "iat": iat,
        "signInTime": sign_in_ms,
        "exp": iat + SESSION_SECONDS,
        "jti": jti,
    }))
}

fn is_blocked(conn: &Connection, key: &str) -> ApiResult<bool> {
    let found: Option<String> =
        conn.query_row("SELECT token FROM tokenBlacklist WHERE token = ?", [key], |r| r.get(0)).optional()?;
    Ok(found.is_some())
}

/// Adds a token (or jti) to the block-list until `expiration`.
pub(crate) fn block(conn: &Connection, key: &str, expiration_unix: Option<i64>) -> ApiResult<()> {
    let now = clock::now();
    conn.execute("DELETE FROM tokenBlacklist WHERE expiration <= ?", [clock::stored(now)])?;
    let expiration = expiration_unix
        .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s.min(253_402_300_799)).ok())
        .map(clock::stored);
    conn.execute(
        "INSERT OR IGNORE INTO tokenBlacklist (token, expiration) VALUES (?, ?)",
        params![key, expiration],
    )?;
    Ok(())
}

/// The names of the user's roles, in the order they were assigned.
pub(crate) fn user_roles(conn: &Connection, user_id: i64) -> ApiResult<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT ru.roleName FROM rolesUsers ru JOIN roles r ON r.name = ru.roleName WHERE ru.userId = ? ORDER BY ru.rowid",
    )?;
    let names = stmt.query_map([user_id], |r| r.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()?;
    Ok(names)
}

fn choose_role(conn: &Connection, user_id: i64, roles: &[String], requested: Option<&str>) -> ApiResult<String> {
    if roles.is_empty() {
        return Err(ApiError::unauthorized(messages::NO_ROLES, "USER_HAS_NO_ROLES_ERR"));
    }
    if let Some(role) = requested {
        if role == "anonymous" {
            return Ok(role.to_owned());
        }
        if !roles.iter().any(|r| r == role) {
            return Err(ApiError::unauthorized(messages::ROLE_NOT_OWNED, "ROLE_NOT_FOUND_FOR_USER"));
        }
        return Ok(role.to_owned());
    }
    let default: Option<String> = conn
        .query_row(
            "SELECT roleName FROM rolesUsers WHERE userId = ? AND \"default\" = 1 LIMIT 1",
            [user_id],
            |r| r.get(0),
        )
        .optional()?;
    Ok(default.filter(|d| roles.contains(d)).unwrap_or_else(|| roles[0].clone()))
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
        assert_eq!(bearer_token(&headers, Some("q")), None);
        assert_eq!(bearer_token(&HeaderMap::new(), Some("q")).as_deref(), Some("q"));
    }
}
