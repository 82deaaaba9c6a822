//! Sessions (`plugin-auth`, basic authenticator): `auth:signIn` issues a session token and
//! NocoBase's four cookies, for as long as the token policy says, `auth:check` answers the current user as NocoBase loads it (raw
//! SQLite values, roles with their `rolesUsers` pivot), `auth:signOut` blocks the token's jti.

use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use rusqlite::{Connection, params};
use serde_json::{Map, Value, json};

use crate::auth;
use crate::auth::sessions::session_token;
use crate::db::clock;
use crate::db::ids::random_token;
use crate::db::repository::{self, Paging, Projection, Selection};
use crate::db::sql_values::raw_from_sql;
use crate::db::store::CatalogView;
use crate::http::cookies::{self, Jar};
use crate::http::error::{ApiError, ApiResult};
use crate::http::origin::{is_same_origin, url_origin};
use crate::http::reply::{Reply, json_response};
use crate::resources::Ctx;

const WRONG_CREDENTIALS: &str = "The username/email or password is incorrect, please re-enter";

/// `POST /api/auth:signIn` with `{"account"|"email", "password"}`.
pub(super) fn auth_sign_in(ctx: &Ctx<'_>) -> ApiResult<Reply> {
    check_origin(ctx)?;
    let values = ctx.values();
    let text = |k: &str| {
        values
            .get(k)
            .filter(|v| !v.is_null() && *v != "")
            .map(|v| v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string()))
    };
    let (email, account) = (text("email"), text("account"));
    if email.is_none() && account.is_none() {
        return Err(ApiError::bad_request("Please enter your username or email"));
    }
    let password = values.get("password").and_then(Value::as_str).unwrap_or_default().to_owned();
    let store = ctx.state.store();
    let found: Option<(i64, String)> = store.read(|conn, _| {
        let sql = "SELECT id, password FROM users WHERE (?1 IS NOT NULL AND email = ?1) OR (?1 IS NULL AND (username = ?2 OR email = ?2)) ORDER BY id LIMIT 1";
        let row = conn.query_row(sql, params![email, account], |r| Ok((r.get(0)?, r.get::<_, Option<String>>(1)?.unwrap_or_default())));
        match row {
            Ok(found) => Ok(Some(found)),
            Err(rusqlite::Error::QueryReturnedNoRows) => Ok(None),
            Err(e) => Err(e.into()),
        }
    })?;
    let Some((user_id, stored)) = found else {
        return Err(unauthorized(WRONG_CREDENTIALS));
    };
    if !crate::db::password::verify(&stored, &password) {
        return Err(unauthorized(WRONG_CREDENTIALS));
    }

    let now = clock::now();
    let now_ms = clock::unix_millis(now);
    let jti = uuid::Uuid::new_v4().to_string();
    let policy = ctx.state.token_policy()?;
    let token = session_token(ctx.state.signer(), &policy, user_id, now_ms, &jti)?;
    let (user, role) = store.write(|tx| {
        tx.sql.execute(
            "INSERT INTO issuedTokens (jti, userId, signInTime, issuedTime) VALUES (?, ?, ?, ?)",
            params![jti, user_id, now_ms, now_ms],
        )?;
        // `TokenController.add` forgets the user's sessions older than the policy allows.
        if let Some(session_ms) = policy.session_ms {
            tx.sql.execute(
                "DELETE FROM issuedTokens WHERE userId = ? AND signInTime < ?",
                params![user_id, now_ms as f64 - session_ms],
            )?;
        }
        let users = tx.catalog.get("users").cloned().ok_or_else(|| ApiError::Internal("no users".into()))?;
        let rows = repository::find(tx.sql, &tx.catalog, &users, &Selection::by_key(user_id), &Paging::default())?;
        let user = repository::project(tx.sql, &tx.catalog, &users, rows, &Projection::default())?
            .into_iter()
            .next()
            .unwrap_or(Value::Null);
        Ok((user, default_role(tx.sql, user_id)?))
    })?;

    let response = json_response(axum::http::StatusCode::OK, &json!({"data": {"user": user, "token": token}}));
    // The role cookie holds the client's `X-Role` unchecked, else the default role.
    let x_role = ctx.headers.get("x-role").map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let role = x_role.filter(|r| !r.is_empty()).or(role);
    Ok(with_session_cookies(ctx, response, &token, role.as_deref(), policy.cookie_expires(now)))
}

/// `POST /api/auth:syncCookies`: the four session cookies set from the token presented (a key's
/// as well as a session's), the role cookie holding the role the request acts as.
pub(super) fn auth_sync_cookies(ctx: &Ctx<'_>) -> ApiResult<Reply> {
    let caller = ctx.caller()?;
    let policy = ctx.state.token_policy()?;
    let response = json_response(axum::http::StatusCode::OK, &json!({"data": {"synced": true}}));
    let expires = policy.cookie_expires(clock::now());
    Ok(with_session_cookies(ctx, response, &caller.token, Some(&caller.role), expires))
}

/// `setAuthCookies`, then `setSessionCookies` (`base/auth.ts` l.65-138): token, authenticator,
/// a fresh CSRF token and the role, all lasting the session (`sessionExpirationTime`).
fn with_session_cookies(
    ctx: &Ctx<'_>,
    mut response: axum::http::Response<axum::body::Body>,
    token: &str,
    role: Option<&str>,
    expires: Option<time::OffsetDateTime>,
) -> Reply {
    let jar = Jar::for_request(ctx.headers);
    let expires = expires.map(clock::http_date);
    let expires = expires.as_deref();
    let mut set_cookies = vec![
        jar.set(cookies::AUTH_TOKEN, token, expires, true),
        jar.set(cookies::AUTHENTICATOR, "basic", expires, true),
        jar.set(cookies::CSRF_TOKEN, &random_token(32), expires, false),
    ];
    if let Some(role) = role {
        set_cookies.push(jar.set(cookies::ROLE, role, expires, false));
    }
    for cookie in set_cookies {
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    Reply::Custom(response.into_response())
}

fn unauthorized(message: &str) -> ApiError {
    ApiError::Client { status: axum::http::StatusCode::UNAUTHORIZED, message: message.to_owned(), code: None }
}

/// `assertTrustedSignInOrigin` (`@nocobase/auth` `actions.ts` l.18-36): an `Origin`, else the
/// origin of a `Referer`, must be the request's own origin (`isTrustedOrigin` without
/// `CORS_ORIGIN_WHITELIST`), else 403.
fn check_origin(ctx: &Ctx<'_>) -> ApiResult<()> {
    let header = |name: &str| {
        ctx.headers.get(name).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()).filter(|v| !v.is_empty())
    };
    let origin = match header("origin") {
        Some(origin) => Some(origin),
        None => header("referer").and_then(|referer| url_origin(&referer)),
    };
    match origin {
        Some(origin) if !is_same_origin(ctx.headers, &origin) => Err(ApiError::Client {
            status: axum::http::StatusCode::FORBIDDEN,
            message: "Invalid sign-in origin".to_owned(),
            code: None,
        }),
        _ => Ok(()),
    }
}

fn default_role(conn: &Connection, user_id: i64) -> ApiResult<Option<String>> {
    let roles = auth::user_roles(conn, user_id)?;
    let default: Option<String> = conn
        .query_row("SELECT roleName FROM rolesUsers WHERE userId = ? AND \"default\" = 1", [user_id], |r| r.get(0))
        .ok();
    Ok(default.or_else(|| roles.first().cloned()))
}

/// `GET /api/auth:check`: the user as NocoBase's auth cache holds it (`BaseAuth.checkToken`:
/// `cache.wrap('auth:<id>', findOne({raw: true}))`), hidden fields removed, with the user's roles.
/// A user never saved in this process is the raw row (stored date text, `systemSettings` as
/// text: recordings api/04, api/30); one saved since (`users:create`, `users:update`) is the
/// model's JSON that `users.afterSave` cached (ui/25: ISO dates, only the attributes set).
pub(super) fn auth_check(ctx: &Ctx<'_>) -> ApiResult<Reply> {
    let caller = ctx.caller()?;
    let store = ctx.state.store();
    let cached = store.cached_user(caller.user_id);
    store.read(|conn, catalog| {
        let users = catalog.get("users").ok_or_else(|| ApiError::Internal("no users".into()))?;
        let mut out = match cached {
            Some(user) => user,
            None => raw_row(conn, "users", "id", &json!(caller.user_id))?,
        };
        out.retain(|k, _| !users.attribute(k).is_some_and(|f| f.hidden));
        out.insert("roles".into(), Value::Array(roles_with_pivot(conn, catalog, caller.user_id)?));
        Ok(Reply::Data(Value::Object(out)))
    })
}

/// A row read without a model: every column with its stored value.
fn raw_row(conn: &Connection, table: &str, key: &str, value: &Value) -> ApiResult<Map<String, Value>> {
    let sql = format!("SELECT * FROM \"{table}\" WHERE \"{key}\" = ?");
    let mut stmt = conn.prepare_cached(&sql)?;
    let names: Vec<String> = stmt.column_names().map(str::to_owned).collect();
    let param = match value {
        Value::Number(n) => rusqlite::types::Value::Integer(n.as_i64().unwrap_or_default()),
        other => rusqlite::types::Value::Text(other.as_str().unwrap_or_default().to_owned()),
    };
    let row = stmt.query_row([param], |r| {
        let mut map = Map::new();
        for (i, name) in names.iter().enumerate() {
            map.insert(name.clone(), raw_from_sql(r.get_ref(i)?));
        }
        Ok(map)
    })?;
    Ok(row)
}

/// The user's roles (by name), each with its `rolesUsers` pivot and `_pivot_: null`.
pub(super) fn roles_with_pivot(conn: &Connection, catalog: &CatalogView, user_id: i64) -> ApiResult<Vec<Value>> {
    let roles = catalog.get("roles").ok_or_else(|| ApiError::Internal("no roles".into()))?;
    let selection = Selection::default();
    let all =
        repository::find(conn, catalog, roles, &selection, &Paging { sort: vec!["name".into()], ..Paging::default() })?;
    let mut out = Vec::new();
    for role in all {
        let name = role.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
        let pivot = conn.query_row(
            "SELECT createdAt, updatedAt, \"default\" FROM rolesUsers WHERE userId = ? AND roleName = ?",
            params![user_id, name],
            |r| Ok((r.get::<_, Option<String>>(0)?, r.get::<_, Option<String>>(1)?, r.get::<_, Option<bool>>(2)?)),
        );
        let Ok((created, updated, default)) = pivot else { continue };
        let mut shown = repository::project(conn, catalog, roles, vec![role], &Projection::default())?
            .into_iter()
            .next()
            .and_then(|v| v.as_object().cloned())
            .unwrap_or_default();
        shown.insert(
            "rolesUsers".into(),
            json!({
                "createdAt": created.map(|c| clock::stored_to_iso(&c)),
                "updatedAt": updated.map(|u| clock::stored_to_iso(&u)),
                "default": default,
                "roleName": name,
                "userId": user_id,
            }),
        );
        shown.insert("_pivot_".into(), Value::Null);
        out.push(Value::Object(shown));
    }
    Ok(out)
}

/// `POST /api/auth:signOut`: blocks the session (by jti) and clears the cookies.
pub(super) fn auth_sign_out(ctx: &Ctx<'_>) -> ApiResult<Reply> {
    let caller = ctx.caller()?;
    let key = caller.jti.clone().unwrap_or_else(|| caller.token.clone());
    let exp = match ctx.state.signer().verify(&caller.token) {
        crate::auth::tokens::Verified::Valid(c) | crate::auth::tokens::Verified::Expired(c) => {
            c.get("exp").and_then(Value::as_i64)
        }
        crate::auth::tokens::Verified::Invalid => None,
    };
    ctx.state.store().write(|tx| auth::block(tx.sql, &key, exp))?;
    ctx.state.store().forget_user(caller.user_id);
    // `clearAuthCookies` (`base/auth.ts` l.140-149), then plugin-idp-oauth's `_session`.
    let jar = Jar::for_request(ctx.headers);
    let cleared = [
        jar.clear(cookies::AUTH_TOKEN, true),
        jar.clear(cookies::AUTHENTICATOR, true),
        jar.clear(cookies::ROLE, false),
        jar.clear(cookies::CSRF_TOKEN, false),
        jar.clear(cookies::IDP_SESSION, true),
    ];
    let mut response = json_response(axum::http::StatusCode::OK, &json!({}));
    for cookie in cleared {
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    Ok(Reply::Custom(response.into_response()))
}
