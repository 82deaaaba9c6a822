//! The request body as NocoBase's koa-bodyparser leaves it (`enableTypes: ['json', 'form']`):
//! strict JSON ([`json_body`](super::json_body)), a form parsed like a query string, or `{}` for
//! anything else and for no body at all.

use axum::body::Bytes;
use axum::http::{HeaderMap, header};
use serde_json::Value;

use super::error::{ApiError, ApiResult};
use super::{json_body, qs};

/// The body as koa-bodyparser leaves it (`enableTypes: ['json', 'form']`): JSON (strict) or a
/// form (`title=x`, parsed like a query string); any other type, or no body, is `{}`
/// (probes 330-333).
pub(crate) fn request_body(headers: &HeaderMap, bytes: &Bytes) -> ApiResult<Value> {
    if bytes.is_empty() {
        return Ok(Value::Object(Default::default()));
    }
    match body_type(headers) {
        BodyType::Json => json_body::parse(bytes).map_err(ApiError::bad_request),
        BodyType::Form => Ok(Value::Object(qs::parse(&String::from_utf8_lossy(bytes)))),
        BodyType::Other => Ok(Value::Object(Default::default())),
    }
}

/// The body types koa-bodyparser reads.
enum BodyType {
    /// `application/json`, `+json` types, `application/csp-report`.
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// Anything else: left unread.
    Other,
}

fn body_type(headers: &HeaderMap) -> BodyType {
    let Some(ct) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return BodyType::Other;
    };
    let ct = ct.to_ascii_lowercase();
    let essence = ct.split(';').next().unwrap_or("").trim();
    if essence == "application/json" || essence.ends_with("+json") || essence == "application/csp-report" {
        BodyType::Json
    } else if essence == "application/x-www-form-urlencoded" {
        BodyType::Form
    } else {
        BodyType::Other
    }
}
