//! The tokens a replay issues and uses: the recorded `<TOKEN>`s stand for the admin's session
//! and the keys the replay itself creates, matched by what the recording says of each.

use super::*;

/// An API key issued during the replay.
pub(crate) struct IssuedKey {
    /// The `name` sent to `apiKeys:create`.
    pub(crate) name: String,
    /// The nickname of the user whose session created it.
    pub(crate) owner: String,
    /// The live token.
    pub(crate) token: String,
}

/// The live tokens of one replay: sessions (see [`Sessions`]), keys by name.
#[derive(Default)]
pub(crate) struct Tokens {
    pub(crate) sessions: Sessions,
    /// The running server's APP_KEY, which tokens minted here are signed with.
    pub(crate) app_key: String,
    /// The recording's clock (seconds): the `iat` of the latest token the recorded server issued.
    pub(crate) recorded_now: Option<i64>,
    /// Keys in creation order (the latest of a name wins).
    pub(crate) keys: Vec<IssuedKey>,
    /// `iat` of the latest key.
    pub(crate) last_key_iat: Option<i64>,
}

/// The nickname of user 1, whom the recordings call "admin".
pub(crate) const ADMIN: &str = "Super Admin";

impl Tokens {
    /// The live token an exchange's `auth` text names. The texts the recordings use:
    /// * `admin session token …` / `<nickname> session token …`: the latest `auth:signIn` of
    ///   that user (admin is the root account, nickname `Super Admin`);
    /// * `API key '<name>' …`, optionally `… of admin (…` / `… of <nickname> (…`: the latest key
    ///   of that name (created by that user);
    /// * `JWT {userId:N, roleName:'R'} signed offline with the server's APP_KEY …`: minted here,
    ///   `{userId, roleName, iat}` as the recorder's `mint.py` does, with a fresh `iat`;
    /// * any other `JWT …`, `root JWT …`, `forged …`: minted again from `decoded_jwt`
    ///   ([`minting::mint`]);
    /// * a session ([`Sessions::resolve`]).
    pub(crate) fn resolve(&self, auth: &str, recorded: &Value) -> Result<String, String> {
        let minted = recorded.get("minted_claims").is_some() || auth.starts_with("JWT") && auth.contains(" using HS");
        if minted && let Some(token) = mint_like(recorded, &self.app_key)? {
            return Ok(token);
        }
        static KEY: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r"^API key '([^']+)'(?: of (.+?) \()?").expect("valid pattern"));
        static MINTED: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"^JWT \{userId:(\d+), roleName:'([^']+)'\} signed offline with the server's APP_KEY")
                .expect("valid pattern")
        });
        if let Some(caps) = KEY.captures(auth) {
            let owner = caps.get(2).map(|m| if m.as_str() == "admin" { ADMIN } else { m.as_str() });
            return self
                .keys
                .iter()
                .rev()
                .find(|k| k.name == caps[1] && owner.is_none_or(|o| k.owner == o))
                .map(|k| k.token.clone())
                .ok_or_else(|| format!("no API key named '{}' was issued", &caps[1]));
        }
        if let Some(caps) = MINTED.captures(auth) {
            let user_id: i64 = caps[1].parse().map_err(|e| format!("{e}"))?;
            let iat = time::OffsetDateTime::now_utc().unix_timestamp();
            let claims = json!({"userId": user_id, "roleName": &caps[2], "iat": iat});
            let key = jsonwebtoken::EncodingKey::from_secret(self.app_key.as_bytes());
            return jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &key).map_err(|e| e.to_string());
        }
        if minting::forged(auth) {
            return minting::mint(recorded, auth, self.recorded_now, &self.app_key);
        }
        if let Some(token) = self.sessions.resolve(auth) {
            return token;
        }
        Err(format!("no rule gives a token for auth text {auth:?}"))
    }

    /// Keeps the tokens an exchange issued: `auth:signIn` → a session, `apiKeys:create` → a key,
    /// `x-new-token` → a renewal; and the recording's clock.
    pub(crate) fn learn(
        &mut self,
        recorded: &Recorded,
        path: &str,
        request_body: &Value,
        caller: Option<&str>,
        actual: &Actual,
    ) {
        if let Some((from, to)) = &actual.renewal {
            self.sessions.renewed(from, to);
        }
        let response = &actual.body;
        let Some(token) = response.pointer("/data/token").and_then(Value::as_str) else { return };
        if let Some(iat) = recorded.json.pointer("/decoded_jwt/payload/iat").and_then(Value::as_i64) {
            self.recorded_now = Some(iat);
        }
        if path.starts_with("/api/auth:signIn") {
            let user = response.pointer("/data/user");
            let who = user.and_then(|u| u["nickname"].as_str().or_else(|| u["username"].as_str()));
            if let Some(who) = who {
                let step = recorded.json["step"].as_str().unwrap_or_default();
                self.sessions.signed_in(step, who, token);
            }
        } else if path.starts_with("/api/apiKeys:create") {
            let name = request_body["name"].as_str().unwrap_or_default().to_owned();
            let owner = caller.unwrap_or_default().to_owned();
            self.last_key_iat = decode_claims(token).and_then(|c| c.get("iat").and_then(Value::as_i64));
            self.keys.push(IssuedKey { name, owner, token: token.to_owned() });
        }
    }

    /// The nickname whose session token `token` is.
    pub(crate) fn session_owner(&self, token: &str) -> Option<&str> {
        self.sessions.owner(token)
    }
}

/// A JWT minted as the recording's was (`minted_claims`, with `@now±N` read against the clock
/// now; `raw_json` signed as the very text; or `decoded_jwt` with a fresh `iat`), signed with the
/// APP_KEY and the recorded algorithm. `None` when the recording minted nothing.
fn mint_like(recorded: &Value, app_key: &str) -> Result<Option<String>, String> {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let alg = match recorded.pointer("/decoded_jwt/header/alg").and_then(Value::as_str) {
        Some("HS384") => jsonwebtoken::Algorithm::HS384,
        Some("HS512") => jsonwebtoken::Algorithm::HS512,
        _ => jsonwebtoken::Algorithm::HS256,
    };
    let claims = if let Some(spec) = recorded.get("minted_claims") {
        match spec.get("raw_json").and_then(Value::as_str) {
            Some(text) => serde_json::from_str(&text.replace("@now", &now.to_string())).map_err(|e| e.to_string())?,
            None => at_now(spec, now),
        }
    } else if let Some(payload) = recorded.pointer("/decoded_jwt/payload") {
        let mut payload = payload.clone();
        if payload.get("iat").is_some() {
            payload["iat"] = json!(now);
        }
        payload
    } else {
        return Ok(None);
    };
    let key = jsonwebtoken::EncodingKey::from_secret(app_key.as_bytes());
    jsonwebtoken::encode(&jsonwebtoken::Header::new(alg), &claims, &key).map(Some).map_err(|e| e.to_string())
}

/// `"@now"`, `"@now+100"`, `"@now-10.5"` as numbers of seconds from `now`.
fn at_now(spec: &Value, now: i64) -> Value {
    match spec {
        Value::String(s) if s.starts_with("@now") => {
            let rest = &s[4..];
            if rest.is_empty() {
                json!(now)
            } else if rest.contains('.') {
                json!(now as f64 + rest.parse::<f64>().unwrap_or(0.0))
            } else {
                json!(now + rest.parse::<i64>().unwrap_or(0))
            }
        }
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), at_now(v, now))).collect()),
        Value::Array(items) => Value::Array(items.iter().map(|v| at_now(v, now)).collect()),
        other => other.clone(),
    }
}

/// "used 3 s after creation": how long to wait before sending.
pub(crate) fn wait_for(auth: &str) -> Option<Duration> {
    static USED_AFTER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"used (\d+) s after").expect("valid pattern"));
    USED_AFTER.captures(auth).and_then(|c| c[1].parse().ok()).map(Duration::from_secs)
}

/// An API key is `{userId, roleName, iat, exp}` with `iat` in seconds, so two keys of one user
/// and role with the same lifetime issued within one second are the *same* JWT in NocoBase, and
/// revoking one (`apiKeys:destroy` blocks the token) revokes the other. The recorder's keys were
/// issued seconds apart; before an `apiKeys:create` the replay waits until the second of the
/// previous key's `iat` has passed, so the keys differ as they did.
pub(crate) async fn wait_for_a_fresh_iat(previous_iat: Option<i64>) {
    let Some(previous) = previous_iat else { return };
    let now = time::OffsetDateTime::now_utc();
    if now.unix_timestamp() <= previous {
        let into_second = Duration::from_nanos(u64::from(now.nanosecond()));
        let wait = Duration::from_secs((previous - now.unix_timestamp()) as u64 + 1).saturating_sub(into_second);
        tokio::time::sleep(wait + Duration::from_millis(5)).await;
    }
}
