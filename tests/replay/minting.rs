//! JWTs the recorder forged offline, minted again from their recorded `decoded_jwt`: the same
//! header (any `alg`, `none` and `RS256` included: the signature is then HMAC-SHA256 or nothing,
//! as the `auth` text says), the same payload with its times moved by as much as the clock has
//! moved since the recording, signed with the secret the text names or the running APP_KEY.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};

use super::*;

/// Whether an `auth` text names a JWT forged offline (rather than a session or a key).
pub(crate) fn forged(auth: &str) -> bool {
    auth.starts_with("JWT ") || auth.starts_with("root JWT") || auth.starts_with("forged ")
}

/// The forged token of `recorded`, with `recorded_now` the recording's clock (seconds) and
/// `app_key` the running server's secret.
pub(crate) fn mint(recorded: &Value, auth: &str, recorded_now: Option<i64>, app_key: &str) -> Result<String, String> {
    static SECRET: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"minted offline with '([^']*)'").expect("valid pattern"));
    let decoded = recorded.get("decoded_jwt").ok_or("the recording keeps no decoded_jwt")?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let shift = recorded_now.map_or(0, |then| now - then);
    let mut payload = decoded["payload"].clone();
    for claim in ["iat", "exp", "nbf"] {
        if let Some(at) = payload.get(claim).and_then(Value::as_i64) {
            payload[claim] = json!(at + shift);
        }
    }
    if let Some(at) = payload.get("signInTime").and_then(Value::as_i64) {
        payload["signInTime"] = json!(at + shift * 1000);
    }
    let secret = SECRET.captures(auth).map_or_else(|| app_key.to_owned(), |c| c[1].to_owned());
    let header = &decoded["header"];
    let signing_input = format!("{}.{}", encode(header), encode(&payload));
    let signature = match header["alg"].as_str().unwrap_or("HS256") {
        "none" if !auth.contains("signature") => Vec::new(),
        "HS384" => sign(384, &secret, &signing_input),
        "HS512" => sign(512, &secret, &signing_input),
        _ => sign(256, &secret, &signing_input),
    };
    Ok(format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature)))
}

fn encode(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

/// HMAC of `input` under `secret`, with SHA-256, -384 or -512 as `bits` says.
fn sign(bits: u16, secret: &str, input: &str) -> Vec<u8> {
    macro_rules! hmac_with {
        ($digest:ty) => {{
            let mut mac = Hmac::<$digest>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
            mac.update(input.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }};
    }
    match bits {
        384 => hmac_with!(sha2::Sha384),
        512 => hmac_with!(sha2::Sha512),
        _ => hmac_with!(sha2::Sha256),
    }
}
