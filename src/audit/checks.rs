//! The audit's checks that need no set-up: the admin's default password, the well-known
//! `APP_KEY`s, tokens with no signature or a confused algorithm, and the role mode that gives an
//! API key all its owner's roles. Each answers an [`Outcome`].

use reqwest::Method;
use serde_json::Value;

use super::forge::{confused_root_token, signed_root_token, unsigned_root_token};
use super::well_known_keys::WELL_KNOWN_KEYS;
use super::{Finding, Outcome};
use crate::client::{ApiRequest, Credential, NocoClient};
use crate::error::Result;
use crate::exchange::Exchange;
use crate::secret::Secret;

/// NocoBase's default root account (`INIT_ROOT_*` when unset): by email and by username.
const DEFAULT_ACCOUNTS: &[&str] = &["admin@nocobase.com", "nocobase"];
/// NocoBase's default root password.
const DEFAULT_PASSWORD: &str = "admin123";

/// What the target did with a token sent to `auth:check`.
enum Verdict {
    Accepted,
    Refused,
    /// Neither 200 nor 401: the status.
    Odd(u16),
}

async fn present(client: &NocoClient, token: &str) -> Result<Verdict> {
    let exchange = client.auth_check(&Credential::Bearer(Secret::new(token))).await?;
    Ok(match exchange.status {
        200 => Verdict::Accepted,
        401 => Verdict::Refused,
        other => Verdict::Odd(other),
    })
}

/// The root account still signs in with `admin123`.
pub(super) async fn default_password(client: &NocoClient) -> Result<Outcome> {
    const ID: &str = "default-admin-password";
    for account in DEFAULT_ACCOUNTS {
        let exchange = client.auth_sign_in(account, &Secret::new(DEFAULT_PASSWORD)).await?;
        if exchange.status == 200 {
            if let Some(token) = exchange.pointer("/data/token").and_then(Value::as_str) {
                let _ = client.auth_sign_out(&Credential::Bearer(Secret::new(token))).await;
            }
            return Ok(Outcome::Finding(Finding {
                check: ID,
                what: format!("the root account signs in as {account} with NocoBase's default password"),
                todo: "change the root account's password now (INIT_ROOT_PASSWORD only applies at install)".into(),
            }));
        }
    }
    Ok(Outcome::Passed(ID, "NocoBase's default root account and password are refused".into()))
}

/// The target accepts a root JWT signed with an `APP_KEY` NocoBase publishes.
pub(super) async fn well_known_app_key(client: &NocoClient, user_id: i64) -> Result<Outcome> {
    const ID: &str = "well-known-app-key";
    let mut odd = Vec::new();
    for key in WELL_KNOWN_KEYS {
        match present(client, &signed_root_token(key.value, user_id)).await? {
            Verdict::Accepted => {
                return Ok(Outcome::Finding(Finding {
                    check: ID,
                    what: format!(
                        "APP_KEY is the value published in {}: anyone can sign a root token for this deployment",
                        key.source
                    ),
                    todo: "set a long random APP_KEY (and delete storage/apps/main/jwt_secret.dat if it exists) \
                           and restart; every existing API key and session becomes invalid and must be issued again"
                        .into(),
                }));
            }
            Verdict::Refused => {}
            Verdict::Odd(status) => odd.push(status),
        }
    }
    if let Some(status) = odd.first() {
        return Ok(Outcome::NotChecked(ID, format!("auth:check answered {status} to a forged token")));
    }
    Ok(Outcome::Passed(
        ID,
        format!("root tokens signed with the {} published APP_KEYs are refused", WELL_KNOWN_KEYS.len()),
    ))
}

/// The target accepts a root JWT with no signature (`alg: none`).
pub(super) async fn unsigned_token(client: &NocoClient, user_id: i64) -> Result<Outcome> {
    const ID: &str = "unsigned-token";
    Ok(match present(client, &unsigned_root_token(user_id)).await? {
        Verdict::Refused => Outcome::Passed(ID, "a root token with alg none and no signature is refused".into()),
        Verdict::Accepted => Outcome::Finding(Finding {
            check: ID,
            what: "a root token with alg none and no signature is accepted".into(),
            todo: "the JWT verification accepts unsigned tokens: upgrade NocoBase, and check what sits in front of \
                   it (a proxy or plugin that verifies tokens itself)"
                .into(),
        }),
        Verdict::Odd(status) => Outcome::NotChecked(ID, format!("auth:check answered {status}")),
    })
}

/// The target accepts an HMAC signature under an RS256 header (needs the app key to forge).
pub(super) async fn algorithm_confusion(
    client: &NocoClient,
    app_key: Option<&Secret>,
    user_id: i64,
) -> Result<Outcome> {
    const ID: &str = "algorithm-confusion";
    let Some(app_key) = app_key else {
        return Ok(Outcome::NotChecked(ID, "needs the target's APP_KEY (--app-key)".into()));
    };
    Ok(match present(client, &confused_root_token(app_key.expose(), user_id)).await? {
        Verdict::Refused => Outcome::Passed(ID, "an RS256 header over an HMAC signature is refused".into()),
        Verdict::Accepted => Outcome::Finding(Finding {
            check: ID,
            what: "a token whose header says RS256 but whose signature is an HMAC with APP_KEY is accepted".into(),
            todo: "the JWT verification does not pin its algorithm: upgrade NocoBase and what verifies its tokens"
                .into(),
        }),
        Verdict::Odd(status) => Outcome::NotChecked(ID, format!("auth:check answered {status}")),
    })
}

/// The system role mode `only-use-union`, under which an API key acts with every role of its
/// owner, whatever role it was issued for.
pub(super) async fn union_role_mode(client: &NocoClient, credential: Option<&Credential>) -> Result<Outcome> {
    const ID: &str = "union-role-mode";
    let Some(credential) = credential else {
        return Ok(Outcome::NotChecked(ID, "needs admin credentials or an API key".into()));
    };
    let exchange: Exchange = client.send(ApiRequest::new(Method::GET, "roles:check", credential)).await?;
    Ok(match exchange.pointer("/data/roleMode").and_then(Value::as_str) {
        Some("only-use-union") => Outcome::Finding(Finding {
            check: ID,
            what: "the system role mode is only-use-union: every API key acts with all of its owner's roles".into(),
            todo: "set the role mode back to default (Settings → Users & permissions → Roles), or issue keys \
                   only for users whose every role the key may have"
                .into(),
        }),
        Some(mode) => Outcome::Passed(ID, format!("the role mode is {mode}: a key acts with its own role only")),
        None => Outcome::NotChecked(ID, format!("roles:check answered {} without a role mode", exchange.status)),
    })
}
