//! `NocoClient`: one method per NocoBase action the suite uses, each returning the [`Exchange`].
//! Steps never build URLs; the client never follows redirects and always has timeouts. The
//! methods, one per action, are in [`actions`].

mod actions;
mod tap;

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};
use url::Url;

use crate::error::{HarnessError, Result};
use crate::exchange::{Exchange, ResponseBody};
use crate::secret::{Secret, scrub};

pub use self::tap::{Since, Tap, Timed};

/// How a request authenticates.
#[derive(Debug, Clone)]
pub enum Credential {
    /// No `Authorization` header.
    None,
    /// `Authorization: Bearer <token>` (a session token or an API key).
    Bearer(Secret),
}

/// A request body.
#[derive(Debug, Clone)]
pub enum RequestBody {
    /// JSON with `Content-Type: application/json`.
    Json(Value),
    /// Raw bytes with the given content type (malformed bodies, forms).
    Raw {
        /// `Content-Type` to send.
        content_type: String,
        /// The bytes.
        bytes: Vec<u8>,
    },
}

/// A request to the API.
#[derive(Debug, Clone)]
pub struct ApiRequest {
    /// HTTP method.
    pub method: Method,
    /// Path and query relative to the API base (`todos:list?page=2`), unencoded.
    pub path: String,
    /// Authentication.
    pub credential: Credential,
    /// Extra headers (`X-Role`, `Origin`, …).
    pub headers: Vec<(String, String)>,
    /// Body, if any.
    pub body: Option<RequestBody>,
}

impl ApiRequest {
    /// A request without body or extra headers.
    pub fn new(method: Method, path: impl Into<String>, credential: &Credential) -> Self {
        Self { method, path: path.into(), credential: credential.clone(), headers: Vec::new(), body: None }
    }

    /// Adds a JSON body.
    pub fn json(mut self, body: Value) -> Self {
        self.body = Some(RequestBody::Json(body));
        self
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

/// Talks to one NocoBase (or reference server) API base.
#[derive(Debug, Clone)]
pub struct NocoClient {
    http: reqwest::Client,
    base: Url,
    timeout: Duration,
    tap: Option<Arc<Tap>>,
}

/// Characters encoded in query keys and values (everything but RFC 3986 unreserved characters).
const QUERY: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// A builder of HTTP clients with TLS ready: every reqwest client of this crate, its tests and
/// benches comes from here (ring is installed as rustls' provider, once per process).
pub fn http() -> reqwest::ClientBuilder {
    // An error only means a provider is installed already.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
}

impl NocoClient {
    /// A client for the API at `base` (which ends with `/api` or `/api/`).
    pub fn new(base: &Url, timeout: Duration) -> Result<Self> {
        let http = http()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(10).min(timeout))
            .timeout(timeout)
            .build()
            .map_err(|e| HarnessError::Config(format!("cannot build the HTTP client: {e}")))?;
        let mut base = base.clone();
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        Ok(Self { http, base, timeout, tap: None })
    }

    /// The same client, noting every request in `tap` (one scenario's client).
    pub fn tapped(&self, tap: Arc<Tap>) -> Self {
        Self { tap: Some(tap), ..self.clone() }
    }

    /// The API base URL (with a trailing slash).
    pub fn base(&self) -> &Url {
        &self.base
    }

    /// The full URL for a relative path and query, with the query properly encoded.
    pub fn url(&self, path: &str) -> Result<Url> {
        let (route, query) = match path.split_once('?') {
            Some((r, q)) => (r, Some(q)),
            None => (path, None),
        };
        let mut url = self
            .base
            .join(&format!("./{route}"))
            .map_err(|e| HarnessError::Config(format!("bad request path {route:?}: {e}")))?;
        if let Some(query) = query {
            let encoded: Vec<String> = query
                .split('&')
                .filter(|p| !p.is_empty())
                .map(|pair| match pair.split_once('=') {
                    Some((k, v)) => format!(
                        "{}={}",
                        percent_encoding::utf8_percent_encode(k, QUERY),
                        percent_encoding::utf8_percent_encode(v, QUERY)
                    ),
                    None => percent_encoding::utf8_percent_encode(pair, QUERY).to_string(),
                })
                .collect();
            url.set_query(Some(&encoded.join("&")));
        }
        Ok(url)
    }

    /// Sends a request and records the exchange. Only transport failures are errors; every HTTP
    /// status is a result.
    pub async fn send(&self, request: ApiRequest) -> Result<Exchange> {
        let url = self.url(&request.path)?;
        let mut builder = self.http.request(request.method.clone(), url.clone());
        let mut shown_headers = Vec::new();
        match &request.credential {
            Credential::None => {}
            Credential::Bearer(token) => {
                builder = builder.header("Authorization", format!("Bearer {}", token.expose()));
                shown_headers.push(("Authorization".to_owned(), "Bearer [redacted]".to_owned()));
            }
        }
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
            shown_headers.push((name.clone(), scrub(value)));
        }
        let mut shown_body = None;
        match &request.body {
            Some(RequestBody::Json(value)) => {
                builder = builder.json(value);
                shown_body = Some(value.clone());
            }
            Some(RequestBody::Raw { content_type, bytes }) => {
                builder = builder.header("Content-Type", content_type).body(bytes.clone());
                shown_body = Some(Value::String(format!("<{} bytes of {content_type}>", bytes.len())));
            }
            None => {}
        }
        if let Some(tap) = &self.tap {
            tap.sending(&request.path);
        }
        let started = Instant::now();
        let response = builder.send().await.map_err(|e| self.transport_error(&request.method, &url, e))?;
        let status = response.status().as_u16();
        let content_type =
            response.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let mut headers = Vec::new();
        for (name, value) in response.headers() {
            let name = name.as_str().to_ascii_lowercase();
            let keep = name.starts_with("access-control-") || name == "vary" || name == "x-new-token";
            if keep {
                let value = value.to_str().unwrap_or_default();
                let value = if name == "x-new-token" { "[redacted]".to_owned() } else { value.to_owned() };
                headers.push((name, value));
            }
        }
        let bytes = response.bytes().await.map_err(|e| self.transport_error(&request.method, &url, e))?;
        if let Some(tap) = &self.tap {
            tap.answered(request.method.as_str(), &request.path, started.elapsed());
        }
        let body = if bytes.is_empty() {
            ResponseBody::Empty
        } else {
            match serde_json::from_slice::<Value>(&bytes) {
                Ok(v) if content_type.as_deref().is_none_or(|ct| ct.contains("json")) => ResponseBody::Json(v),
                _ => ResponseBody::Text(String::from_utf8_lossy(&bytes).into_owned()),
            }
        };
        Ok(Exchange {
            method: request.method.to_string(),
            path: request.path.clone(),
            request_headers: shown_headers,
            request_body: shown_body.map(|b| mask_body(&b)),
            status,
            content_type,
            body,
            headers,
        })
    }

    fn transport_error(&self, method: &Method, url: &Url, error: reqwest::Error) -> HarnessError {
        let shown = scrub(url.as_str());
        if error.is_timeout() {
            HarnessError::Timeout { url: shown, after: self.timeout }
        } else if error.is_connect() {
            HarnessError::Unreachable { url: shown, reason: root_cause(&error) }
        } else {
            HarnessError::Transport { method: method.to_string(), url: shown, reason: root_cause(&error) }
        }
    }

    // --- one method per NocoBase action -------------------------------------------------------
}

fn with_query(path: &str, query: &str) -> String {
    let query = query.trim_start_matches('?');
    if query.is_empty() { path.to_owned() } else { format!("{path}?{query}") }
}

/// Masks the values of body keys that hold secrets.
fn mask_body(body: &Value) -> Value {
    match body {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let secret =
                        matches!(k.as_str(), "password" | "token" | "oldPassword" | "newPassword" | "confirmPassword");
                    (k.clone(), if secret && !v.is_null() { json!("[redacted]") } else { mask_body(v) })
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(mask_body).collect()),
        other => other.clone(),
    }
}

fn root_cause(error: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    scrub(&cause.to_string())
}
