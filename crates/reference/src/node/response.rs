//! Answers written as Node's `http` module writes them: `HTTP/1.1 <code> <reason>`, the headers
//! the application set in the order and spelling Koa gives them, then what Node adds — `Date`,
//! `Connection: keep-alive` with `Keep-Alive: timeout=5` or `Connection: close`, and a
//! `Content-Length` it computed (after those) when the application set none — and the body
//! (none for `HEAD`, 204 and 304). Plus the fixed bytes Node writes on its own: the parse-error
//! 400, the 431, the 408 of a timeout, `100 Continue`.

use axum::http::{HeaderMap, StatusCode};

/// llhttp's parse error, and Node's answer to it (`badRequestResponse`).
pub(crate) const BAD_REQUEST: &[u8] = b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n";
/// The head over 16 KiB (`requestHeaderFieldsTooLargeResponse`).
pub(crate) const TOO_LARGE: &[u8] = b"HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n";
/// Node's answer to chunk extensions past 16 KiB.
pub(crate) const PAYLOAD_TOO_LARGE: &[u8] = b"HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\n\r\n";
/// A head or a body not received in time (`requestTimeoutResponse`).
pub(crate) const TIMEOUT: &[u8] = b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n";
/// `Expect: 100-continue`, answered before the body is read.
pub(crate) const CONTINUE: &[u8] = b"HTTP/1.1 100 Continue\r\n\r\n";

/// Header names NocoBase sets in lower case (`ctx.res.setHeader('x-new-token', …)`).
const LOWER_CASE: &[&str] = &["x-new-token"];

/// `X-Request-Id`: the spelling Koa's `ctx.set` keeps (names arrive lower-cased from the router).
fn spelled(name: &str) -> String {
    if LOWER_CASE.contains(&name) {
        return name.to_owned();
    }
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |first| first.to_ascii_uppercase().to_string() + chars.as_str())
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// Node's reason phrase (`http.STATUS_CODES`).
fn reason(status: StatusCode) -> &'static str {
    match status.as_u16() {
        413 => "Payload Too Large",
        _ => status.canonical_reason().unwrap_or("unknown"),
    }
}

/// How the answer's length is told.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Length {
    /// The application set `Content-Length` itself (Koa does, with the body).
    Set,
    /// Node computes it, after its own headers — for HTTP/1.1; an HTTP/1.0 answer just ends
    /// with the connection.
    ByNode { http11: bool },
}

/// Marks an answer whose length Node computes (the gateway's `res.end('ok')`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct NodeLength;

/// An answer's head, and whether its body follows it.
pub(crate) fn serialize(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    head_only: bool,
    keep_alive: bool,
    length: Length,
) -> (Vec<u8>, bool) {
    let bodiless = matches!(status.as_u16(), 204 | 304) || status.is_informational();
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(format!("HTTP/1.1 {} {}\r\n", status.as_u16(), reason(status)).as_bytes());
    for (name, value) in headers {
        if name == axum::http::header::CONTENT_LENGTH && (bodiless || length != Length::Set) {
            continue;
        }
        out.extend_from_slice(spelled(name.as_str()).as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("Date: {}\r\n", http_date()).as_bytes());
    if keep_alive {
        out.extend_from_slice(b"Connection: keep-alive\r\nKeep-Alive: timeout=5\r\n");
    } else {
        out.extend_from_slice(b"Connection: close\r\n");
    }
    if !bodiless && length == (Length::ByNode { http11: true }) {
        out.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    (out, !head_only && !bodiless)
}

/// Node's own answer with an empty chunked body (`requireHostHeader`'s 400, the 417 of an
/// unknown `Expect`), `Connection: close` where the code puts it.
pub(crate) fn node_own(status: &str, connection_first: bool) -> Vec<u8> {
    let date = http_date();
    if connection_first {
        format!("HTTP/1.1 {status}\r\nConnection: close\r\nDate: {date}\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
            .into_bytes()
    } else {
        format!("HTTP/1.1 {status}\r\nDate: {date}\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
            .into_bytes()
    }
}

/// `Date`'s IMF-fixdate, now.
pub(crate) fn http_date() -> String {
    let now = time::OffsetDateTime::now_utc();
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    now.format(&format).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn koa_spelling_and_node_additions() {
        let mut headers = HeaderMap::new();
        headers.insert("x-request-id", HeaderValue::from_static("id"));
        headers.insert("vary", HeaderValue::from_static("Origin"));
        headers.insert("content-type", HeaderValue::from_static("application/json; charset=utf-8"));
        headers.insert("content-length", HeaderValue::from_static("2"));
        headers.insert("x-new-token", HeaderValue::from_static("t"));
        let (head, with_body) = serialize(StatusCode::OK, &headers, b"{}", false, true, Length::Set);
        assert!(with_body);
        let text = String::from_utf8([head, b"{}".to_vec()].concat()).expect("text");
        let lines: Vec<&str> = text.split("\r\n").map(|l| l.split(':').next().unwrap_or("")).collect();
        assert_eq!(
            lines[..9],
            [
                "HTTP/1.1 200 OK",
                "X-Request-Id",
                "Vary",
                "Content-Type",
                "Content-Length",
                "x-new-token",
                "Date",
                "Connection",
                "Keep-Alive"
            ]
        );
        assert!(text.ends_with("\r\n\r\n{}"));
    }
}
