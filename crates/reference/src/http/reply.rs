//! What an action hands back, and NocoBase's data-wrapping of it: plain values become
//! `{"data": …}`, paginated lists `{"data": rows, "meta": …}`, a few actions answer bare bodies.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// The result of a successful action.
#[derive(Debug)]
pub(crate) enum Reply {
    /// Wrapped as `{"data": value}` (`null` stays `null`).
    Data(Value),
    /// A paginated list: `{"data": rows, "meta": meta}`.
    Page {
        /// The page's rows.
        rows: Vec<Value>,
        /// `count`, `page`, `pageSize`, `totalPage`.
        meta: Value,
    },
    /// Rows already written out (a list shown batch by batch), with the page's meta when
    /// paginated: `{"data": rows, "meta": meta}`.
    Rows { rows: RowsJson, meta: Option<Value> },
    /// A single value with meta: `{"data": value, "meta": meta}` (`roles:check`).
    WithMeta(Value, Value),
    /// A body NocoBase does not wrap (`swagger:get`, the `{}` of `users:add`).
    Bare(Value),
    /// Plain text without a content type (`__health_check`'s `ok`).
    Text(&'static str),
    /// An HTML page (`iframeHtml:getHtml`).
    Html(String),
    /// A finished response with headers of its own (sign-in sets cookies).
    Custom(Response),
    /// Koa's answer to an action that set no body: 204, no content type.
    NoContent,
}

/// The text of `{"data": [row, …]`, written row by row (the rest is added by the reply).
#[derive(Debug)]
pub(crate) struct RowsJson(String);

impl RowsJson {
    pub(crate) fn new() -> Self {
        Self(String::from("{\"data\":["))
    }

    /// Appends one row.
    pub(crate) fn push(&mut self, row: &Value) {
        if !self.0.ends_with('[') {
            self.0.push(',');
        }
        crate::js::stringify::write_json(row, &mut self.0);
    }
}

impl Default for RowsJson {
    fn default() -> Self {
        Self::new()
    }
}

impl Reply {
    /// `{"data": {}}`-less empty object NocoBase answers when a handler sets no body.
    pub(crate) fn empty() -> Self {
        Reply::Bare(json!({}))
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        match self {
            // Moved into the envelope, not copied (`json!` would clone a value given by name).
            Reply::Data(value) => json_response(StatusCode::OK, &envelope(value, None)),
            Reply::Page { rows, meta } => json_response(StatusCode::OK, &envelope(Value::Array(rows), Some(meta))),
            Reply::Rows { rows, meta } => {
                let mut text = rows.0;
                text.push(']');
                if let Some(meta) = meta {
                    text.push_str(",\"meta\":");
                    crate::js::stringify::write_json(&meta, &mut text);
                }
                text.push('}');
                let mut response = (StatusCode::OK, text.into_bytes()).into_response();
                response
                    .headers_mut()
                    .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
                response
            }
            Reply::WithMeta(data, meta) => json_response(StatusCode::OK, &envelope(data, Some(meta))),
            Reply::Bare(value) => json_response(StatusCode::OK, &value),
            Reply::Text(text) => Response::new(Body::from(text)),
            Reply::Html(html) => {
                let mut response = Response::new(Body::from(html));
                response
                    .headers_mut()
                    .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=UTF-8"));
                response
            }
            Reply::Custom(response) => response,
            Reply::NoContent => {
                let mut response = Response::new(Body::empty());
                *response.status_mut() = StatusCode::NO_CONTENT;
                response
            }
        }
    }
}

/// `{"data": data, "meta": meta}`.
fn envelope(data: Value, meta: Option<Value>) -> Value {
    let mut out = serde_json::Map::new();
    out.insert("data".to_owned(), data);
    if let Some(meta) = meta {
        out.insert("meta".to_owned(), meta);
    }
    Value::Object(out)
}

/// A JSON response with Koa's content type; the text is `JSON.stringify`'s.
pub(crate) fn json_response(status: StatusCode, value: &Value) -> Response {
    let body = crate::js::stringify::to_json(value).into_bytes();
    let mut response = (status, body).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
    response
}
