//! One exchange's comparison: status, the headers that matter, and the body after both sides
//! are normalised the same way.

use super::*;

/// What kind of body a content type announces.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum BodyKind {
    Json,
    Text,
    Html,
    None,
}

pub(crate) fn body_kind(content_type: Option<&str>) -> BodyKind {
    match content_type.map(str::to_ascii_lowercase) {
        None => BodyKind::None,
        Some(ct) if ct.starts_with("application/json") => BodyKind::Json,
        Some(ct) if ct.starts_with("text/html") => BodyKind::Html,
        Some(_) => BodyKind::Text,
    }
}

/// A live response, reduced to what is compared.
pub(crate) struct Actual {
    pub(crate) status: u16,
    pub(crate) content_type: Option<String>,
    /// `vary` and `access-control-*` headers.
    pub(crate) cors: BTreeMap<String, String>,
    /// The `Set-Cookie` headers, in order.
    pub(crate) cookies: Vec<String>,
    /// Whether the answer carries an `X-Request-Id`.
    pub(crate) request_id: bool,
    /// The token sent and the `x-new-token` it was renewed into, when the answer renewed one.
    pub(crate) renewal: Option<(String, String)>,
    pub(crate) body: Value,
}

/// The headers compared when the set kept them (the ui set keeps `vary` and `access-control-*`).
pub(crate) fn is_cors_header(name: &str) -> bool {
    name == "vary" || name.starts_with("access-control-")
}

/// A `Set-Cookie` header with what changes from run to run masked: a token or CSRF value, and
/// the `expires` date of a cookie that does not expire at the epoch.
pub(crate) fn cookie_shape(cookie: &str) -> String {
    static VALUE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^(nb_auth_token_main|nb_csrf_token_main)=[^;]+").expect("valid pattern"));
    static EXPIRES: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"expires=(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT")
            .expect("valid pattern")
    });
    let masked = VALUE.replace(cookie, "$1=[value]");
    if masked.contains("expires=Thu, 01 Jan 1970 00:00:00 GMT") {
        return masked.into_owned();
    }
    EXPIRES.replace(&masked, "expires=[date]").into_owned()
}

/// The differences between a recorded and a live exchange; empty when reproduced.
pub(crate) fn compare(recorded: &Recorded, actual: &Actual, ids: &IdMap, cors_kept: bool) -> Vec<String> {
    let mut out = Vec::new();
    let expected_status = recorded.response()["status"].as_u64().unwrap_or(0);
    if u64::from(actual.status) != expected_status {
        out.push(format!("status: {expected_status} → {}", actual.status));
    }
    let expected_kind = body_kind(recorded.header("content-type"));
    let actual_kind = body_kind(actual.content_type.as_deref());
    if expected_kind != actual_kind {
        out.push(format!(
            "content-type: {} → {}",
            recorded.header("content-type").unwrap_or("(none)"),
            actual.content_type.as_deref().unwrap_or("(none)")
        ));
    }
    if cors_kept {
        let expected_cors: BTreeMap<String, String> = recorded.response()["headers"]
            .as_object()
            .map(|h| {
                h.iter()
                    .filter(|(k, _)| is_cors_header(k))
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        if expected_cors != actual.cors {
            out.push(format!("headers: {expected_cors:?} → {:?}", actual.cors));
        }
    }
    if let Some(expected_cookies) = recorded.response()["headers"].get("set-cookie") {
        let expected: Vec<String> = match expected_cookies {
            Value::Array(items) => items.iter().filter_map(Value::as_str).map(cookie_shape).collect(),
            Value::String(one) => vec![cookie_shape(one)],
            _ => Vec::new(),
        };
        let actual: Vec<String> = actual.cookies.iter().map(|c| cookie_shape(c)).collect();
        if expected != actual {
            out.push(format!("set-cookie: {expected:?} → {actual:?}"));
        }
    }
    if let Some(headers) = recorded.response()["headers"].as_object()
        && headers.contains_key("date")
        && headers.contains_key("x-request-id") != actual.request_id
    {
        out.push(format!("x-request-id: {} → {}", headers.contains_key("x-request-id"), actual.request_id));
    }
    let (expected_n, actual_n) = ids.normalizers();
    let expected_body = match &recorded.response()["body"] {
        // The recorder keeps an empty body as "", the replay reads it as no body.
        Value::String(text) if text.is_empty() => Value::Null,
        Value::String(text) => json!(expected_n.text(text)),
        other => expected_n.value(other),
    };
    let actual_body = match &actual.body {
        Value::String(text) => json!(actual_n.text(text)),
        other => actual_n.value(other),
    };
    out.extend(json_diff(&expected_body, &actual_body).into_iter().map(|d| format!("body{d}")));
    out
}
