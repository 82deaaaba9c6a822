//! One request and its response, as the harness records them: what scenarios assert on, what
//! snapshots pin (after normalisation) and what failure reports show. Request headers are masked
//! at recording time; the response body is kept as received (steps read the tokens it issues), so
//! both `Display` and `Debug` scrub every secret and JWT: an `Exchange` can be printed anywhere.

use std::fmt;

use serde_json::Value;

/// A response body.
#[derive(Debug, Clone, PartialEq)]
pub enum ResponseBody {
    /// A JSON document.
    Json(Value),
    /// Anything else (NocoBase's plain-text `Not Found`, `ok`, HTML).
    Text(String),
    /// No body at all.
    Empty,
}

impl ResponseBody {
    /// The JSON document, if the body is one.
    pub fn json(&self) -> Option<&Value> {
        match self {
            ResponseBody::Json(v) => Some(v),
            _ => None,
        }
    }
}

/// A recorded request/response pair.
#[derive(Clone)]
pub struct Exchange {
    /// HTTP method.
    pub method: String,
    /// Path and query relative to the API base, as the scenario wrote them (`todos:list?page=2`).
    pub path: String,
    /// Request headers sent, secrets masked.
    pub request_headers: Vec<(String, String)>,
    /// Request body sent, if any (secrets masked).
    pub request_body: Option<Value>,
    /// Response status.
    pub status: u16,
    /// Response `Content-Type`, if any.
    pub content_type: Option<String>,
    /// Response body.
    pub body: ResponseBody,
    /// Response headers of interest (CORS, `x-new-token` masked, `vary`).
    pub headers: Vec<(String, String)>,
}

impl Exchange {
    /// The request line as snapshots show it: `GET /api/todos:list?page=2`.
    pub fn request_line(&self) -> String {
        format!("{} /api/{}", self.method, self.path)
    }

    /// The value at a JSON pointer of the body (`/data/0/title`).
    pub fn pointer(&self, pointer: &str) -> Option<&Value> {
        self.body.json().and_then(|b| b.pointer(pointer))
    }

    /// NocoBase's first error message and code, for error responses.
    pub fn error(&self) -> Option<(String, Option<String>)> {
        let first = self.pointer("/errors/0")?;
        Some((first.get("message")?.as_str()?.to_owned(), first.get("code").and_then(Value::as_str).map(str::to_owned)))
    }
}

impl fmt::Debug for Exchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Exchange { method, path, request_headers, request_body, status, content_type, body, headers } = self;
        let raw = format!(
            "Exchange {{ method: {method:?}, path: {path:?}, request_headers: {request_headers:?}, request_body: \
             {request_body:?}, status: {status}, content_type: {content_type:?}, body: {body:?}, headers: {headers:?} }}"
        );
        f.write_str(&crate::secret::scrub(&raw))
    }
}

impl fmt::Display for Exchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.request_line())?;
        for (name, value) in &self.request_headers {
            writeln!(f, "  {name}: {value}")?;
        }
        if let Some(body) = &self.request_body {
            writeln!(f, "  body: {}", crate::secret::scrub(&body.to_string()))?;
        }
        write!(f, "→ {}", self.status)?;
        if let Some(ct) = &self.content_type {
            write!(f, " ({ct})")?;
        }
        Ok(())
    }
}
