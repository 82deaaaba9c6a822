//! Before any scenario: is the target up, is it NocoBase's API, do the admin credentials work?
//! Each mistake people make gets its own message: nothing listening, a base URL without `/api`
//! (NocoBase then serves its web app), a redirect, a server still starting (503
//! `APP_INITIALIZING`/`APP_COMMANDING`, waited for with a bound), a 5xx that is not JSON, refused
//! credentials.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::client::NocoClient;
use crate::error::{HarnessError, Result};
use crate::exchange::{Exchange, ResponseBody};
use crate::secret::Secret;

/// How often a starting target is polled.
const POLL: Duration = Duration::from_millis(250);

/// What the target said about itself.
#[derive(Debug, Clone)]
pub struct TargetInfo {
    /// `app:getInfo`'s version.
    pub version: String,
    /// Its database (`data.database.dialect`): `sqlite`, `postgres`, `mariadb`, `mysql`.
    pub dialect: Option<String>,
}

fn looks_like_html(exchange: &Exchange) -> bool {
    exchange.content_type.as_deref().is_some_and(|ct| ct.contains("html"))
        || matches!(&exchange.body, ResponseBody::Text(t) if t.trim_start().starts_with('<'))
}

fn excerpt(exchange: &Exchange) -> String {
    match &exchange.body {
        ResponseBody::Json(v) => crate::report::console::excerpt(&v.to_string(), 160),
        ResponseBody::Text(t) => crate::report::console::excerpt(t, 160),
        ResponseBody::Empty => "(empty body)".to_owned(),
    }
}

/// The maintenance code of NocoBase's 503 envelope (`{"error":{"code":"APP_INITIALIZING",…}}`).
fn starting_code(exchange: &Exchange) -> Option<String> {
    if exchange.status != 503 {
        return None;
    }
    exchange.pointer("/error/code").and_then(Value::as_str).map(str::to_owned).or_else(|| Some("503".to_owned()))
}

/// Waits for `__health_check` to answer `ok`, within `bound`.
pub async fn wait_until_ready(client: &NocoClient, bound: Duration) -> Result<()> {
    let url = client.url("__health_check")?.to_string();
    let started = Instant::now();
    loop {
        let exchange = match client.health_check().await {
            Ok(exchange) => exchange,
            // Refused, or (just after a restart) a kept-alive connection to the old process that
            // closes under the request: both mean "not listening yet", for a few seconds.
            Err(HarnessError::Unreachable { .. } | HarnessError::Transport { .. })
                if started.elapsed() < bound.min(Duration::from_secs(5)) =>
            {
                tokio::time::sleep(POLL).await;
                continue;
            }
            Err(e) => return Err(e),
        };
        if let Some(code) = starting_code(&exchange) {
            if started.elapsed() >= bound {
                return Err(HarnessError::NotReady { url, waited: bound, last: format!("503 {code}") });
            }
            tokio::time::sleep(POLL).await;
            continue;
        }
        return check_health_answer(client, &exchange);
    }
}

fn check_health_answer(client: &NocoClient, exchange: &Exchange) -> Result<()> {
    let base = client.base().as_str().trim_end_matches('/').to_owned();
    let url = format!("{base}/__health_check");
    if exchange.status == 200 && matches!(&exchange.body, ResponseBody::Text(t) if t.trim() == "ok") {
        return Ok(());
    }
    if (300..400).contains(&exchange.status) {
        return Err(HarnessError::NotNocoBase {
            url,
            what: format!("it redirects ({})", exchange.status),
            hint: "pass the final address as --base-url (the suite does not follow redirects, so credentials never leak to another host)".into(),
        });
    }
    if looks_like_html(exchange) {
        let hint = if base.ends_with("/api") {
            // Already ending in /api: this deployment's API is under another path.
            let origin = client.base().origin().ascii_serialization();
            format!(
                "NocoBase serves its web app wherever its API is not, so this deployment's API is under another path (NocoBase's API_BASE_PATH, e.g. {origin}/nocobase/api, behind a path or a proxy): pass that as --base-url"
            )
        } else {
            format!(
                "NocoBase serves its web app outside its API; the API base is the URL ending in /api — try --base-url {base}/api"
            )
        };
        return Err(HarnessError::NotNocoBase {
            url,
            what: format!("it answered {} with an HTML page", exchange.status),
            hint,
        });
    }
    if exchange.status >= 500 {
        return Err(HarnessError::NotNocoBase {
            url,
            what: format!("it answered {} with {}", exchange.status, excerpt(exchange)),
            hint: "the server is failing; check its log".into(),
        });
    }
    Err(HarnessError::NotNocoBase {
        url,
        what: format!("it answered {} with {}", exchange.status, excerpt(exchange)),
        hint: "is --base-url NocoBase's API base, e.g. http://127.0.0.1:13000/api ?".into(),
    })
}

/// Reads `app:getInfo`.
pub async fn target_info(client: &NocoClient) -> Result<TargetInfo> {
    let exchange = client.app_get_info().await?;
    let version = exchange.pointer("/data/version").and_then(Value::as_str);
    match version {
        Some(v) if exchange.status == 200 => {
            let dialect = exchange.pointer("/data/database/dialect").and_then(Value::as_str).map(str::to_owned);
            Ok(TargetInfo { version: v.to_owned(), dialect })
        }
        _ => Err(HarnessError::NotNocoBase {
            url: client.url("app:getInfo")?.to_string(),
            what: format!("app:getInfo answered {} with {}", exchange.status, excerpt(&exchange)),
            hint: "is this NocoBase 2.x?".into(),
        }),
    }
}

/// Signs in; refused credentials are a "could not run" error.
pub async fn sign_in(client: &NocoClient, account: &str, password: &Secret) -> Result<(Secret, Exchange)> {
    let exchange = client.auth_sign_in(account, password).await?;
    let token = exchange.pointer("/data/token").and_then(Value::as_str);
    match token {
        Some(token) if exchange.status == 200 => Ok((Secret::new(token), exchange)),
        _ => {
            let message = exchange.error().map(|(m, _)| m).unwrap_or_else(|| excerpt(&exchange));
            Err(HarnessError::SignInRejected { account: account.to_owned(), status: exchange.status, message })
        }
    }
}

/// Key-only mode: the key must be able to list its collection.
pub async fn check_key(client: &NocoClient, key: &Secret, collection: &str) -> Result<()> {
    let credential = crate::client::Credential::Bearer(key.clone());
    let exchange = client.records_list(&credential, collection, "pageSize=1").await?;
    if exchange.status == 200 && exchange.pointer("/data").is_some_and(Value::is_array) {
        return Ok(());
    }
    let (message, code) = match (&exchange.body, exchange.error()) {
        (_, Some((message, code))) => (message, code),
        (crate::exchange::ResponseBody::Text(t), None) => (t.trim().to_owned(), None),
        _ => (excerpt(&exchange), None),
    };
    let hint = match (exchange.status, code.as_deref()) {
        (401, Some("INVALID_TOKEN")) => {
            "the key does not verify: it was signed with another APP_KEY, mistyped, or has expired".to_owned()
        }
        (401, Some("BLOCKED_TOKEN")) => "the key was deleted (revoked); create a new one".to_owned(),
        (401, Some("ROLE_NOT_FOUND_FOR_USER")) => {
            "the key's role was taken from its user; give it back or create a new key".to_owned()
        }
        (401, _) => "the key was refused; create a new one".to_owned(),
        (403, _) => format!(
            "the key's role has no View permission on {collection}; allow it (Users & Permissions > Roles) or pass --collection"
        ),
        (404, _) => format!("there is no collection {collection}; pass the one the key was granted with --collection"),
        _ => "check that --base-url is NocoBase's API base".to_owned(),
    };
    Err(HarnessError::KeyNotUsable { collection: collection.to_owned(), status: exchange.status, message, hint })
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;
    use url::Url;

    use super::*;

    #[tokio::test]
    async fn a_connection_closed_under_the_first_request_is_waited_out() {
        // Arrange: a server that drops the first connection unanswered (as a restarted target's
        // old process does to a kept-alive connection), then answers `ok`.
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let base = Url::parse(&format!("http://{}/api/", listener.local_addr().expect("an address"))).expect("a URL");
        tokio::spawn(async move {
            let (mut first, _) = listener.accept().await.expect("a connection");
            let _ = first.read(&mut [0u8; 1024]).await;
            drop(first);
            loop {
                let (mut stream, _) = listener.accept().await.expect("a connection");
                let _ = stream.read(&mut [0u8; 1024]).await;
                let answer = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok";
                let _ = stream.write_all(answer).await;
            }
        });
        let client = NocoClient::new(&base, Duration::from_secs(5)).expect("a client");

        // Act
        let ready = wait_until_ready(&client, Duration::from_secs(10)).await;

        // Assert
        assert!(ready.is_ok(), "{ready:?}");
    }
}
