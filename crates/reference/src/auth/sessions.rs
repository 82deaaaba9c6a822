//! Session tokens (`temp: true`) under the token policy, in `BaseAuth.checkToken`/`check`'s
//! order: a session older than `sessionExpirationTime` is over; a token older than
//! `tokenExpirationTime` counts as expired; a password changed since the token was issued ends
//! it; an expired token is renewed unless it expired more than `expiredTokenRenewLimit` ago, the
//! request is an event stream, or it has no jti — renewal rotates the jti in `issuedTokens`
//! (replayed for 10 s, [`Renewals`]) and signs a new token, sent back in `x-new-token` with
//! fresh auth cookies. Also the session token `auth:signIn` issues.

use rusqlite::{Connection, params};
use serde_json::{Map, Value};

use crate::auth::policy::TokenPolicy;
use crate::auth::renewals::{Renewal, Renewals};
use crate::auth::tokens::{BadLifetime, Signer};
use crate::db::clock;
use crate::db::repository::Row;
use crate::http::error::{ApiError, ApiResult, messages};

/// What checking a session needs besides the database and the token.
pub(crate) struct SessionRules<'a> {
    /// Signs renewed tokens.
    pub(crate) signer: &'a Signer,
    /// The policy in force.
    pub(crate) policy: TokenPolicy,
    /// Recent renewals, replayed.
    pub(crate) renewals: &'a Renewals,
    /// The request's `Accept` is exactly `text/event-stream`: such requests are not renewed.
    pub(crate) stream: bool,
}

/// A renewed session: the new token and when the refreshed auth cookies expire (an HTTP date;
/// `None` for cookies without `expires`).
#[derive(Debug, Clone)]
pub(crate) struct Renewed {
    /// The new session token, for `x-new-token` and the auth cookie.
    pub(crate) token: String,
    /// The auth cookies' `expires`.
    pub(crate) cookie_expires: Option<String>,
}

/// Checks a verified session token (`expired`: its `exp` has passed) of `user`; a renewal, when
/// the token had to be renewed.
pub(crate) fn check_session(
    conn: &Connection,
    rules: &SessionRules<'_>,
    claims: &Map<String, Value>,
    user: &Row,
    expired: bool,
) -> ApiResult<Option<Renewed>> {
    let policy = &rules.policy;
    let now = clock::now();
    let now_ms = clock::unix_millis(now) as f64;
    let number = |key: &str| claims.get(key).and_then(Value::as_f64);
    // `if (signInTime && …)`: a token without signInTime (minted, probe 422) skips the check.
    let sign_in_ms = number("signInTime").filter(|t| *t != 0.0);
    if let (Some(sign_in), Some(session)) = (sign_in_ms, policy.session_ms)
        && now_ms - sign_in > session
    {
        return Err(ApiError::unauthorized(messages::EXPIRED, "EXPIRED_SESSION"));
    }
    // A token older than the policy's lifetime is expired whatever its `exp` says (a token from
    // before the policy was shortened: recording 416); without `iat` it never is.
    let iat = number("iat");
    let too_old = matches!((iat, policy.token_ms), (Some(iat), Some(lifetime)) if now_ms - iat * 1000.0 > lifetime);
    if let (Some(changed), Some(iat)) = (user.get("passwordChangeTz").and_then(Value::as_f64), iat)
        && changed != 0.0
        && iat * 1000.0 < changed
    {
        return Err(ApiError::unauthorized("User password changed, please signin again.", "INVALID_TOKEN"));
    }
    if !expired && !too_old {
        return Ok(None);
    }
    // A limit of 0 (or one `ms` cannot read) is no limit.
    if let (Some(limit), Some(exp)) = (policy.renew_limit_ms.filter(|l| *l > 0.0), number("exp"))
        && now_ms - exp * 1000.0 > limit
    {
        return Err(ApiError::unauthorized(messages::EXPIRED, "EXPIRED_SESSION"));
    }
    if rules.stream {
        return Err(ApiError::unauthorized("Stream api not allow renew token.", "SKIP_TOKEN_RENEW"));
    }
    let Some(jti) = claims.get("jti").and_then(Value::as_str).filter(|j| !j.is_empty()) else {
        return Err(ApiError::unauthorized(messages::EXPIRED, "INVALID_TOKEN"));
    };
    let renewal = renew(conn, rules.renewals, jti, clock::unix_millis(now))?;
    let mut renewed = Map::new();
    renewed.insert("userId".into(), user.get("id").cloned().unwrap_or(Value::Null));
    renewed.insert("temp".into(), claims.get("temp").cloned().unwrap_or(Value::Null));
    if let Some(sign_in) = claims.get("signInTime") {
        renewed.insert("signInTime".into(), sign_in.clone());
    }
    // A token that cannot be signed fails the renewal: `check`'s catch answers 401 with the
    // error's message and INVALID_TOKEN.
    let token = sign(rules.signer, policy, renewed, renewal.issued_ms, &renewal.jti)
        .map_err(|e| ApiError::unauthorized(&e.to_string(), "INVALID_TOKEN"))?;
    let cookie_expires = policy.cookie_expires(now).map(clock::http_date);
    Ok(Some(Renewed { token, cookie_expires }))
}

/// `TokenController.renew`: the renewal made in the last 10 s, else a new jti in place of the
/// old one in `issuedTokens`; an old jti no longer there cannot be renewed.
fn renew(conn: &Connection, renewals: &Renewals, jti: &str, now_ms: i64) -> ApiResult<Renewal> {
    if let Some(recent) = renewals.recent(jti, now_ms) {
        return Ok(recent);
    }
    let renewal = Renewal { jti: uuid::Uuid::new_v4().to_string(), issued_ms: now_ms };
    let changed = conn
        .execute("UPDATE issuedTokens SET jti = ?, issuedTime = ? WHERE jti = ?", params![renewal.jti, now_ms, jti])?;
    if changed != 1 {
        return Err(ApiError::unauthorized(messages::EXPIRED, "TOKEN_RENEW_FAILED"));
    }
    renewals.remember(jti, renewal.clone(), now_ms);
    Ok(renewal)
}

/// The session token `auth:signIn` issues (`signNewToken`): `{userId, temp, iat, signInTime}`,
/// living the policy's `tokenExpirationTime`.
pub(crate) fn session_token(
    signer: &Signer,
    policy: &TokenPolicy,
    user_id: i64,
    issued_ms: i64,
    jti: &str,
) -> ApiResult<String> {
    let mut claims = Map::new();
    claims.insert("userId".into(), Value::from(user_id));
    claims.insert("temp".into(), Value::Bool(true));
    claims.insert("iat".into(), Value::from(issued_ms.div_euclid(1000)));
    claims.insert("signInTime".into(), Value::from(issued_ms));
    sign(signer, policy, claims, issued_ms, jti)
}

/// Signs `claims` as jsonwebtoken does with `{jwtid, expiresIn}`: `iat` (when not given) is the
/// issue time in seconds, then `exp = iat + expiresIn`, then `jti`. A policy whose lifetime
/// computes as `NaN` has no `expiresIn` jsonwebtoken accepts: signing fails with its message.
fn sign(
    signer: &Signer,
    policy: &TokenPolicy,
    mut claims: Map<String, Value>,
    issued_ms: i64,
    jti: &str,
) -> ApiResult<String> {
    let lifetime = policy.token_seconds().ok_or_else(|| ApiError::server(BadLifetime::NotATimespan.message()))?;
    let iat = issued_ms.div_euclid(1000);
    claims.entry("iat").or_insert_with(|| Value::from(iat));
    claims.insert("exp".into(), Value::from(iat.saturating_add(lifetime)));
    claims.insert("jti".into(), Value::from(jti));
    signer.sign(&Value::Object(claims))
}
