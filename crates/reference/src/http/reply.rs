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
    /// Rows already written as a JSON array (a list shown batch by batch), with the page's
    /// meta when paginated: `{"data": rows, "meta": meta}`.
    Rows {
        /// The JSON text of the array.
        json: String,
        meta: Option<Value>,
    },
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
            Reply::Rows { json, meta } => {
                let mut text = String::with_capacity(json.len() + 96);
                text.push_str("{\"data\":");
                text.push_str(&json);
                drop(json);
                if let Some(meta) = meta {
                    text.push_str(",\"meta\":");
                    text.push_str(&crate::js::stringify::to_json(&meta));
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
