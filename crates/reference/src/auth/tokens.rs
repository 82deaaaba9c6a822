//! JWTs as NocoBase issues them (HS256 with the app key): API keys `{userId, roleName, iat, exp}`,
//! session tokens `{userId, temp: true, iat, signInTime, exp, jti}`; lifetimes in the `ms`
//! package's notation (`"30d"`, `"1000y"` for `"never"`); verification with node-jsonwebtoken's
//! rules (expired when `now >= exp`, no claim required).

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header};
use serde_json::{Map, Value, json};

use crate::db::clock;
use crate::http::error::{ApiError, ApiResult};

/// What verifying a token can tell.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Verified {
    /// Signature good, not expired.
    Valid(Map<String, Value>),
    /// Signature good, `exp` passed (payload decoded anyway, as NocoBase does).
    Expired(Map<String, Value>),
    /// Malformed, wrongly signed or otherwise rejected.
    Invalid,
}

/// Signs and verifies tokens with the app key.
#[derive(Clone)]
pub(crate) struct Signer {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer { .. }")
    }
}

impl Signer {
    /// A signer for `secret` (see [`super::secret::jwt_secret`]).
    pub(crate) fn new(secret: impl AsRef<[u8]>) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret.as_ref()),
            decoding: DecodingKey::from_secret(secret.as_ref()),
        }
    }

    /// Signs `claims` (key order kept) as an HS256 JWT. A failure is the server's (an internal
    /// error, answered as a 500), never an empty token handed out as if it were one.
    pub(crate) fn sign(&self, claims: &Value) -> ApiResult<String> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .map_err(|e| ApiError::Internal(format!("cannot sign a token: {e}")))
    }

    /// An API key for `user_id` acting as `role`, living `seconds`. A lifetime past what an `i64`
    /// holds ends at `i64::MAX` (some 292 billion years): NocoBase's JavaScript numbers give such
    /// a key an astronomically distant `exp`, never one already passed.
    pub(crate) fn api_key(&self, user_id: i64, role: &str, seconds: i64) -> ApiResult<String> {
        let iat = clock::unix_seconds(clock::now());
        self.sign(&json!({"userId": user_id, "roleName": role, "iat": iat, "exp": iat.saturating_add(seconds)}))
    }

    /// Verifies a token as node-jsonwebtoken's `verify` without options does (`verify.js`
    /// l.108-191): an HS256/384/512 signature with the app key, then `nbf` and `exp`, each of
    /// which must be a number when present. A payload that is JSON but no object (`[1,2]`,
    /// `"hello"`) passes and has no claims: NocoBase's destructuring finds none in it.
    pub(crate) fn verify(&self, token: &str) -> Verified {
        let Ok(header) = jsonwebtoken::decode_header(token) else { return Verified::Invalid };
        if !matches!(header.alg, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512) {
            return Verified::Invalid;
        }
        let Some((message, signature)) = token.rsplit_once('.') else { return Verified::Invalid };
        if !jsonwebtoken::crypto::verify(signature, message.as_bytes(), &self.decoding, header.alg).unwrap_or(false) {
            return Verified::Invalid;
        }
        let claims = match jsonwebtoken::dangerous::insecure_decode_claims::<Value>(token) {
            Ok(Value::Object(claims)) => claims,
            Ok(_) => Map::new(),
            Err(_) => return Verified::Invalid,
        };
        let now = clock::unix_seconds(clock::now()) as f64;
        match claims.get("nbf").map(Value::as_f64) {
            Some(None) => return Verified::Invalid,
            Some(Some(nbf)) if nbf > now => return Verified::Invalid,
            _ => {}
        }
        match claims.get("exp").map(Value::as_f64) {
            Some(None) => Verified::Invalid,
            Some(Some(exp)) if now >= exp => Verified::Expired(claims),
            _ => Verified::Valid(claims),
        }
    }
}

/// Why node-jsonwebtoken refuses an `expiresIn` (`sign.js`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BadLifetime {
    /// The option schema rejects it: not an integer, not a non-empty string (`undefined` too).
    NotATimespan,
    /// A string the `ms` package cannot read: no `exp` could be computed.
    Unreadable,
}

impl BadLifetime {
    /// The error message jsonwebtoken throws (NocoBase answers it with a 500; probes 438, 439).
    pub(crate) fn message(self) -> &'static str {
        match self {
            BadLifetime::NotATimespan => {
                "\"expiresIn\" should be a number of seconds or string representing a timespan"
            }
            BadLifetime::Unreadable => {
                "\"expiresIn\" should be a number of seconds or string representing a timespan eg: \"1d\", \"20h\", 60"
            }
        }
    }
}

/// The lifetime in seconds jsonwebtoken derives from `expiresIn`: an integer is seconds, a string
/// goes through `ms` (milliseconds, floored to seconds); `"never"` is NocoBase's `"1000y"`.
pub(crate) fn lifetime_seconds(expires_in: &Value) -> Result<i64, BadLifetime> {
    match expires_in {
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(s), _) => Ok(s),
            (None, Some(f)) if f.fract() == 0.0 && f.is_finite() => Ok(f as i64),
            _ => Err(BadLifetime::NotATimespan),
        },
        Value::String(s) if s == "never" => ms("1000y").map(|m| m / 1000).ok_or(BadLifetime::Unreadable),
        Value::String(s) if !s.is_empty() => ms(s).map(|m| m / 1000).ok_or(BadLifetime::Unreadable),
        _ => Err(BadLifetime::NotATimespan),
    }
}

/// The `ms` package's milliseconds, floored: `"30d"` → 2 592 000 000; a bare number string is
/// milliseconds.
pub(crate) fn ms(text: &str) -> Option<i64> {
    crate::auth::ms::ms(text).map(|m| m.floor() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_means_a_thousand_years_like_the_tutorial_key() {
        // The tutorial's key: exp 33298596580 - iat 1740996580.
        assert_eq!(lifetime_seconds(&json!("never")), Ok(33_298_596_580 - 1_740_996_580));
        assert_eq!(lifetime_seconds(&json!("30d")), Ok(2_592_000));
        assert_eq!(lifetime_seconds(&json!("1s")), Ok(1));
        assert_eq!(lifetime_seconds(&json!(3600)), Ok(3600));
        assert_eq!(lifetime_seconds(&json!("abc")), Err(BadLifetime::Unreadable));
        assert_eq!(lifetime_seconds(&Value::Null), Err(BadLifetime::NotATimespan));
        assert_eq!(lifetime_seconds(&json!(1.5)), Err(BadLifetime::NotATimespan));
    }

    #[test]
    fn keys_verify_with_their_secret_only() {
        let signer = Signer::new("app-key");
        let key = signer.api_key(1, "todos", 60).expect("signs");
        match signer.verify(&key) {
            Verified::Valid(claims) => {
                let keys: Vec<&String> = claims.keys().collect();
                assert_eq!(keys, ["userId", "roleName", "iat", "exp"]);
            }
            other => panic!("expected a valid key, got {other:?}"),
        }
        assert_eq!(Signer::new("another-key").verify(&key), Verified::Invalid);
        assert_eq!(signer.verify("this-is-not-a-jwt"), Verified::Invalid);
    }

    #[test]
    fn a_key_past_its_exp_is_expired() {
        let signer = Signer::new("app-key");
        let key = signer.api_key(1, "todos", -1).expect("signs");
        assert!(matches!(signer.verify(&key), Verified::Expired(_)));
    }

    #[test]
    fn huge_lifetimes_make_long_lived_keys_not_expired_ones() {
        // Review finding 10: `iat + seconds` overflowed (a panic in debug builds, an `exp` in the
        // past in release builds) for lifetimes NocoBase turns into very distant `exp`s.
        let signer = Signer::new("app-key");
        let huge = [json!(9_223_372_036_854_775_807_i64), json!(1e300), json!(1e19), json!("99999999999999999999y")];
        for expires_in in huge {
            let seconds = lifetime_seconds(&expires_in).expect("a lifetime jsonwebtoken accepts");
            let key = signer.api_key(1, "todos", seconds).expect("signs");
            match signer.verify(&key) {
                // Later than the `1000y` of an `expiresIn: "never"` key.
                Verified::Valid(claims) => {
                    assert!(claims["exp"].as_f64().is_some_and(|exp| exp > 1e15), "{expires_in}: {claims:?}")
                }
                other => panic!("{expires_in}: expected a valid key, got {other:?}"),
            }
        }
        let far_past = signer.api_key(1, "todos", lifetime_seconds(&json!(-1e300)).expect("a number")).expect("signs");
        assert!(matches!(signer.verify(&far_past), Verified::Expired(_)));
    }
}
