//! Request bytes as the recordings keep them: `body` (JSON), `body_raw` (text, or
//! `{"base64": …}`), `body_parts` and `raw_request_parts` (`[[escaped unit, count], …]`: a 10 MB
//! body or a 1000-line head in a few bytes), and the escaped form of raw exchanges (Python's
//! `unicode_escape` of the latin-1 text: `\r\n` visible, `\xNN` for other bytes).

use super::*;

/// Python's `s.encode('latin-1').decode('unicode_escape').encode('latin-1')`.
pub(crate) fn unescape(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c as u32 as u8);
            continue;
        }
        match chars.next() {
            Some('r') => out.push(b'\r'),
            Some('n') => out.push(b'\n'),
            Some('t') => out.push(b'\t'),
            Some('\\') => out.push(b'\\'),
            Some('\'') => out.push(b'\''),
            Some('"') => out.push(b'"'),
            Some('a') => out.push(0x07),
            Some('b') => out.push(0x08),
            Some('f') => out.push(0x0c),
            Some('v') => out.push(0x0b),
            Some('0') => out.push(0),
            Some('x') => {
                let hex: String = [chars.next(), chars.next()].into_iter().flatten().collect();
                out.push(u8::from_str_radix(&hex, 16).unwrap_or(b'?'));
            }
            Some(other) => {
                out.push(b'\\');
                out.push(other as u32 as u8);
            }
            None => out.push(b'\\'),
        }
    }
    out
}

/// `[[escaped unit, count], …]` back to bytes.
pub(crate) fn from_parts(parts: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    for part in parts.as_array().into_iter().flatten() {
        let unit = unescape(part[0].as_str().unwrap_or_default());
        let count = part[1].as_u64().unwrap_or(1) as usize;
        for _ in 0..count {
            out.extend_from_slice(&unit);
        }
    }
    out
}

/// The body a recorded request sent, as bytes (`None`: no body).
pub(crate) fn request_body(request: &Value, ids: &IdMap) -> Option<Vec<u8>> {
    if let Some(parts) = request.get("body_parts") {
        return Some(from_parts(parts));
    }
    match request.get("body_raw") {
        Some(Value::String(text)) => return Some(text.as_bytes().to_vec()),
        Some(Value::Object(o)) => {
            use base64::Engine;
            let b64 = o.get("base64").and_then(Value::as_str).unwrap_or_default();
            return Some(base64::engine::general_purpose::STANDARD.decode(b64).unwrap_or_default());
        }
        _ => {}
    }
    match ids.body(&request["body"]) {
        Value::Null => None,
        Value::String(raw) => Some(raw.into_bytes()),
        json_body => Some(json_body.to_string().into_bytes()),
    }
}
