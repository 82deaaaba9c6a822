//! NocoBase's token policy (plugin-auth): the one row `token-policy-config` of the table
//! `tokenControlConfig`, whose `config` holds three `ms` time spans — how long a session token
//! lives, how long a session lasts from sign-in, how long after expiry a token may be renewed —
//! read into milliseconds as `TokenController.setConfig` reads them, and kept in memory
//! ([`PolicyCache`]) the way NocoBase keeps them in its cache: loaded once, replaced on save.

use std::sync::Mutex;

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Value, json};

use crate::auth::ms::ms;
use crate::db::clock;
use crate::http::error::{ApiError, ApiResult};

/// The policy's row (`tokenPolicyRecordKey`).
pub(crate) const RECORD_KEY: &str = "token-policy-config";

/// The policy a fresh install writes (`defaultTokenPolicyConfig`).
pub(crate) fn default_config() -> Value {
    json!({"tokenExpirationTime": "1d", "sessionExpirationTime": "7d", "expiredTokenRenewLimit": "1d"})
}

/// The policy in milliseconds. `None` is what JavaScript computes with when `ms` gives
/// `undefined` or a text: `NaN`, which no comparison is true of.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TokenPolicy {
    /// `tokenExpirationTime`: a session token's lifetime.
    pub(crate) token_ms: Option<f64>,
    /// `sessionExpirationTime`: a session's lifetime from sign-in (and the auth cookies').
    pub(crate) session_ms: Option<f64>,
    /// `expiredTokenRenewLimit`: how long after its `exp` a token may still be renewed.
    pub(crate) renew_limit_ms: Option<f64>,
}

impl TokenPolicy {
    /// `setConfig(config)`: each of the three through `ms`, in this order. `ms` throws for a
    /// value that is neither a non-empty text nor a finite number (a missing one included); a
    /// number it turns into a text (`ms(1000)` is `"1s"`), which computes as `NaN`.
    pub(crate) fn from_config(config: &Value) -> Result<Self, String> {
        let span = |name: &str| -> Result<Option<f64>, String> {
            match config.as_object().and_then(|c| c.get(name)) {
                Some(Value::String(text)) if !text.is_empty() => Ok(ms(text)),
                Some(Value::Number(_)) => Ok(None),
                other => {
                    let shown = other.map_or_else(|| "undefined".to_owned(), Value::to_string);
                    Err(format!("val is not a non-empty string or a valid number. val={shown}"))
                }
            }
        };
        Ok(Self {
            token_ms: span("tokenExpirationTime")?,
            session_ms: span("sessionExpirationTime")?,
            renew_limit_ms: span("expiredTokenRenewLimit")?,
        })
    }

    /// The session token's `expiresIn`: `Math.floor(tokenExpirationTime / 1000)` seconds; `None`
    /// (`NaN`) makes jsonwebtoken refuse to sign.
    pub(crate) fn token_seconds(&self) -> Option<i64> {
        self.token_ms.map(|m| (m / 1000.0).floor() as i64)
    }

    /// The auth cookies' expiry for cookies set at `now` (`maxAge` = `sessionExpirationTime`);
    /// `None` when that is 0 or computes as `NaN`: no `maxAge`, a cookie for the browser session.
    pub(crate) fn cookie_expires(&self, now: time::OffsetDateTime) -> Option<time::OffsetDateTime> {
        let millis = self.session_ms.filter(|m| *m != 0.0)?.clamp(-1e15, 1e15) as i64;
        now.checked_add(time::Duration::milliseconds(millis))
    }
}

/// Reads the stored policy; a database without the row (never the case after [`install`]) has
/// NocoBase's default.
pub(crate) fn load(conn: &Connection) -> ApiResult<TokenPolicy> {
    let stored: Option<String> = conn
        .prepare_cached("SELECT config FROM \"tokenControlConfig\" WHERE key = ?")?
        .query_row([RECORD_KEY], |r| r.get(0))
        .optional()?;
    let config = stored.and_then(|text| serde_json::from_str(&text).ok()).unwrap_or_else(default_config);
    TokenPolicy::from_config(&config).map_err(ApiError::Internal)
}

/// Writes the default policy unless the row exists (plugin-auth's install, and its migration
/// `create-token-policy-config` for databases from before the policy).
pub(crate) fn install(conn: &Connection) -> ApiResult<()> {
    let now = clock::stored(clock::now());
    conn.execute(
        "INSERT OR IGNORE INTO \"tokenControlConfig\" (key, config, createdAt, updatedAt, createdById, updatedById) VALUES (?, ?, ?, ?, NULL, NULL)",
        params![RECORD_KEY, default_config().to_string(), now, now],
    )?;
    Ok(())
}

/// The policy in force, as NocoBase's `auth-token-controller` cache holds it: read from the
/// table on first use, replaced by every save of the row.
#[derive(Debug, Default)]
pub(crate) struct PolicyCache(Mutex<Option<TokenPolicy>>);

impl PolicyCache {
    /// The policy, read with `load` the first time.
    pub(crate) fn get(&self, load: impl FnOnce() -> ApiResult<TokenPolicy>) -> ApiResult<TokenPolicy> {
        let mut cached = self.0.lock().map_err(|_| ApiError::Internal("the token policy cache is poisoned".into()))?;
        if let Some(policy) = *cached {
            return Ok(policy);
        }
        let policy = load()?;
        *cached = Some(policy);
        Ok(policy)
    }

    /// Puts a saved policy in force (`tokenControlConfig.afterSave` → `setConfig`).
    pub(crate) fn set(&self, policy: TokenPolicy) {
        if let Ok(mut cached) = self.0.lock() {
            *cached = Some(policy);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_policy_is_a_day_a_week_and_a_day() {
        let policy = TokenPolicy::from_config(&default_config()).expect("readable");
        assert_eq!(policy.token_ms, Some(86_400_000.0));
        assert_eq!(policy.session_ms, Some(604_800_000.0));
        assert_eq!(policy.renew_limit_ms, Some(86_400_000.0));
        assert_eq!(policy.token_seconds(), Some(86_400));
    }

    #[test]
    fn values_ms_cannot_read_compute_as_nan_and_values_it_refuses_are_errors() {
        let policy = TokenPolicy::from_config(
            &json!({"tokenExpirationTime": "soon", "sessionExpirationTime": 60000, "expiredTokenRenewLimit": "1ms"}),
        )
        .expect("ms throws for none of them");
        assert_eq!(policy, TokenPolicy { token_ms: None, session_ms: None, renew_limit_ms: Some(1.0) });
        assert_eq!(policy.token_seconds(), None);

        let missing = TokenPolicy::from_config(&json!({"tokenExpirationTime": "1d"}));
        assert_eq!(missing, Err("val is not a non-empty string or a valid number. val=undefined".to_owned()));
        let empty = TokenPolicy::from_config(&json!({"tokenExpirationTime": ""}));
        assert_eq!(empty, Err("val is not a non-empty string or a valid number. val=\"\"".to_owned()));
        let not_an_object = TokenPolicy::from_config(&json!("1d"));
        assert_eq!(not_an_object, Err("val is not a non-empty string or a valid number. val=undefined".to_owned()));
    }
}
