//! The raw-socket exchanges (`raw_request` / `raw_response` / `connection_event`): framing,
//! limits and the exact bytes of the answer. The recorded bytes are sent as they are over a fresh
//! connection (`<TOKEN>` replaced by the key); the answer is compared response by response —
//! status line, header names in order, header values but the volatile ones (`Date`,
//! `X-Request-Id`, `Last-Modified` — the server's start —, and `Content-Length` of a JSON body
//! that is compared normalised), the body — and so is what the connection did afterwards:
//! closed, or kept open.

use std::time::Instant;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::*;

/// One HTTP response read from raw bytes.
#[derive(Debug)]
struct RawResponse {
    status_line: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// Splits `bytes` into the responses they hold (by `Content-Length`, chunked encoding, or the end).
fn responses(bytes: &[u8]) -> Vec<RawResponse> {
    let mut out = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let Some(end) = rest.windows(4).position(|w| w == b"\r\n\r\n") else {
            out.push(RawResponse {
                status_line: String::from_utf8_lossy(rest).into_owned(),
                headers: vec![],
                body: vec![],
            });
            break;
        };
        let head = String::from_utf8_lossy(&rest[..end]).into_owned();
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap_or_default().to_owned();
        let headers: Vec<(String, String)> =
            lines.filter_map(|l| l.split_once(':').map(|(k, v)| (k.to_owned(), v.trim().to_owned()))).collect();
        rest = &rest[end + 4..];
        let find = |name: &str| headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone());
        let no_body = status_line.contains(" 204 ") || status_line.contains(" 100 ") || status_line.contains(" 304 ");
        let body = if no_body {
            Vec::new()
        } else if let Some(length) = find("content-length").and_then(|v| v.parse::<usize>().ok()) {
            let n = length.min(rest.len());
            let body = rest[..n].to_vec();
            rest = &rest[n..];
            body
        } else if find("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
            let mut body = Vec::new();
            while let Some(line_end) = rest.windows(2).position(|w| w == b"\r\n") {
                let size = usize::from_str_radix(
                    String::from_utf8_lossy(&rest[..line_end]).split(';').next().unwrap_or("").trim(),
                    16,
                )
                .unwrap_or(0);
                rest = &rest[line_end + 2..];
                if size == 0 {
                    rest = rest.get(2..).unwrap_or_default();
                    break;
                }
                let n = size.min(rest.len());
                body.extend_from_slice(&rest[..n]);
                rest = rest.get(n + 2..).unwrap_or_default();
            }
            body
        } else if status_line.starts_with("HTTP/1.1 4")
            && find("connection").is_some_and(|c| c == "close")
            && find("date").is_none()
        {
            Vec::new()
        } else {
            let body = rest.to_vec();
            rest = &[];
            body
        };
        out.push(RawResponse { status_line, headers, body });
    }
    out
}

/// What the connection did after the bytes were read.
#[derive(Debug, PartialEq)]
enum Event {
    Closed,
    Open,
}

fn recorded_event(recorded: &Recorded) -> Event {
    match recorded.json["connection_event"].as_str() {
        Some("timeout") => Event::Open,
        _ => Event::Closed,
    }
}

/// Sends a raw exchange's bytes and reads the answer: until the peer closes, or, for an exchange
/// recorded as kept open, until as many responses as were recorded are complete and a short
/// quiet spell shows the connection stays.
async fn exchange(
    address: &str,
    bytes: &[u8],
    expected: &[RawResponse],
    event: &Event,
) -> Result<(Vec<u8>, Event), String> {
    let mut stream = tokio::net::TcpStream::connect(address).await.map_err(|e| e.to_string())?;
    // The peer may close while we still send (a 431 to an 80 KB head): that is part of the answer.
    let _ = stream.write_all(bytes).await;
    let mut got = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(8);
    let mut buf = vec![0u8; 65536];
    loop {
        let complete = responses(&got).len() >= expected.len() && (!expected.is_empty() || *event == Event::Open);
        let wait = if complete && *event == Event::Open {
            Duration::from_millis(300)
        } else {
            deadline.saturating_duration_since(Instant::now())
        };
        match tokio::time::timeout(wait, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return Ok((got, Event::Closed)),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
            Err(_) => return Ok((got, Event::Open)),
        }
    }
}

/// The differences between a recorded raw exchange and the live one; empty when reproduced.
pub(crate) async fn replay(address: &str, recorded: &Recorded, tokens: &Tokens, ids: &IdMap) -> Vec<String> {
    let json = &recorded.json;
    let mut bytes = match json.get("raw_request_parts") {
        Some(parts) => wire::from_parts(parts),
        None => wire::unescape(json["raw_request"].as_str().unwrap_or_default()),
    };
    if bytes.windows(7).any(|w| w == b"<TOKEN>") {
        let auth = recorded.json["auth"].as_str().unwrap_or("none");
        let token = match tokens.resolve(auth, &recorded.json) {
            Ok(token) => token,
            Err(e) => return vec![format!("not sent: {e}")],
        };
        let text = String::from_utf8_lossy(&bytes).replace("<TOKEN>", &token);
        bytes = text.into_bytes();
    }
    let expected_bytes = wire::unescape(json["raw_response"].as_str().unwrap_or_default());
    let expected = responses(&expected_bytes);
    let event = recorded_event(recorded);
    let (got, actual_event) = match exchange(address, &bytes, &expected, &event).await {
        Ok(answer) => answer,
        Err(e) => return vec![format!("not sent: {e}")],
    };
    let actual = responses(&got);
    let mut diff = Vec::new();
    if expected.len() != actual.len() {
        diff.push(format!(
            "responses: {} → {} ({:?})",
            expected.len(),
            actual.len(),
            String::from_utf8_lossy(&got[..got.len().min(300)])
        ));
    }
    for (e, a) in expected.iter().zip(&actual) {
        diff.extend(compare_response(e, a, ids));
    }
    if event != actual_event {
        diff.push(format!("connection: {event:?} → {actual_event:?}"));
    }
    diff
}

fn compare_response(expected: &RawResponse, actual: &RawResponse, ids: &IdMap) -> Vec<String> {
    let mut out = Vec::new();
    if expected.status_line != actual.status_line {
        out.push(format!("status line: {:?} → {:?}", expected.status_line, actual.status_line));
    }
    let names = |r: &RawResponse| r.headers.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
    if names(expected) != names(actual) {
        out.push(format!("header names: {:?} → {:?}", names(expected), names(actual)));
    }
    let json = |r: &RawResponse| {
        r.headers.iter().any(|(k, v)| k.eq_ignore_ascii_case("content-type") && v.starts_with("application/json"))
    };
    for ((name, e), (_, a)) in expected.headers.iter().zip(&actual.headers) {
        let volatile = matches!(name.to_ascii_lowercase().as_str(), "date" | "x-request-id" | "last-modified")
            || (name.eq_ignore_ascii_case("content-length") && json(expected));
        if !volatile && e != a {
            out.push(format!("header {name}: {e:?} → {a:?}"));
        }
    }
    let (expected_n, actual_n) = ids.normalizers();
    let body = |r: &RawResponse, n: &Normalizer| {
        let text = String::from_utf8_lossy(&r.body).into_owned();
        match lenient_json(&text) {
            Some(v) if json(r) => n.value(&v),
            _ => json!(n.text(&text)),
        }
    };
    out.extend(
        json_diff(&body(expected, &expected_n), &body(actual, &actual_n)).into_iter().map(|d| format!("body{d}")),
    );
    out
}
