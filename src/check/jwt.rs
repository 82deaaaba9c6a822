//! The harness's view of JWTs: read a token's claims (without verifying — the suite checks what
//! the target issued, not its signature), check them against what NocoBase puts in, and mint test
//! tokens (one signed with a wrong secret, one signed offline with the target's app key).

use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Map, Value, json};

use crate::error::{HarnessError, Result};
use crate::exchange::Exchange;
use crate::mismatch::Mismatch;

/// The payload of a JWT, without verifying it.
pub fn decode_claims(token: &str) -> Option<Map<String, Value>> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Checks that a token carries exactly `names` as claims and lives `lifetime` seconds.
pub fn expect_claims(token: &str, names: &[&str], lifetime: i64, exchange: &Exchange) -> Result<()> {
    let claims = decode_claims(token).ok_or_else(|| {
        HarnessError::mismatch(Mismatch::new("token", "a JWT", "something that does not decode", Some(exchange)))
    })?;
    let mut got: Vec<&str> = claims.keys().map(String::as_str).collect();
    let mut want: Vec<&str> = names.to_vec();
    got.sort_unstable();
    want.sort_unstable();
    if got != want {
        return Err(HarnessError::mismatch(Mismatch::new(
            "the token's claims",
            want.join(", "),
            got.join(", "),
            Some(exchange),
        )));
    }
    let iat = claims.get("iat").and_then(Value::as_i64).unwrap_or_default();
    let exp = claims.get("exp").and_then(Value::as_i64).unwrap_or_default();
    // A hostile target's claims may be at the ends of i64: no overflow, a plain mismatch.
    let lived = exp.checked_sub(iat);
    if lived != Some(lifetime) {
        let got = lived.map_or_else(|| format!("iat {iat}, exp {exp}"), |s| format!("{s} seconds"));
        return Err(HarnessError::mismatch(Mismatch::new(
            "the token's lifetime (exp - iat)",
            format!("{lifetime} seconds"),
            got,
            Some(exchange),
        )));
    }
    Ok(())
}

/// An HS256 token with NocoBase's API-key claims, signed with `secret`, living `seconds`.
pub fn mint(secret: &str, user_id: i64, role: &str, seconds: i64) -> Result<String> {
    let iat = time::OffsetDateTime::now_utc().unix_timestamp();
    let claims = json!({"userId": user_id, "roleName": role, "iat": iat, "exp": iat.saturating_add(seconds)});
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &EncodingKey::from_secret(secret.as_bytes()))
        .map_err(|e| HarnessError::Scenario(format!("cannot sign a test token: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minted_tokens_decode_to_nocobase_key_claims() {
        let token = mint("secret", 1, "todos", 60).expect("signed");
        let claims = decode_claims(&token).expect("decodes");
        assert_eq!(claims["userId"], 1);
        assert_eq!(claims["roleName"], "todos");
        assert_eq!(claims["exp"].as_i64().unwrap_or(0) - claims["iat"].as_i64().unwrap_or(0), 60);
    }

    #[test]
    fn claims_at_the_ends_of_the_number_line_are_a_mismatch_not_a_panic() {
        let exchange = crate::exchange::Exchange {
            method: "POST".into(),
            path: "apiKeys:create".into(),
            request_headers: Vec::new(),
            request_body: None,
            status: 200,
            content_type: None,
            body: crate::exchange::ResponseBody::Empty,
            headers: Vec::new(),
        };
        let b64 = |v: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
        let token = format!("{}.{}.sig", b64(json!({"alg": "HS256"})), b64(json!({"iat": i64::MIN, "exp": i64::MAX})));
        let err = expect_claims(&token, &["iat", "exp"], 60, &exchange).expect_err("an impossible lifetime");
        let text = err.to_string();
        assert!(text.contains(&format!("iat {}, exp {}", i64::MIN, i64::MAX)), "{text}");
    }
}
