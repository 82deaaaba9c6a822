//! The fuzz target's seeds: every request recorded from real NocoBase in
//! `fixtures/recordings/*/` — method, path and query, headers and body bytes (a raw exchange's
//! head parsed back into those parts) — with `<TOKEN>` left in place for the run to fill.

use std::path::Path;

use serde_json::Value;

/// One recorded request.
#[derive(Debug, Clone)]
pub(crate) struct Seed {
    /// The recording set (`2.2.15-api`, …) and the exchange's number in it.
    pub(crate) set: String,
    pub(crate) step: u64,
    pub(crate) method: String,
    /// Path and query, as sent (`/api/todos:list?…`).
    pub(crate) target: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

/// Bodies past this are left out of the seeds: they test one limit, not many paths.
const MAX_SEED_BODY: usize = 256 * 1024;

/// Every seed under `root` (the repository's `fixtures/recordings`).
pub(crate) fn load(root: &Path) -> Vec<Seed> {
    let mut files: Vec<_> = std::fs::read_dir(root)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|set| set.path().is_dir())
        .flat_map(|set| std::fs::read_dir(set.path()).into_iter().flatten().flatten())
        .map(|entry| entry.path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "json")
                && p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(|c: char| c.is_ascii_digit()))
        })
        .collect();
    files.sort();
    let mut seeds = Vec::new();
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else { continue };
        let Ok(recorded) = serde_json::from_str::<Value>(&text) else { continue };
        let seed = match (&recorded["request"], &recorded["raw_request"]) {
            (Value::Object(_), _) => from_request(&recorded["request"]),
            (_, Value::String(raw)) => from_raw(&unescape(raw)),
            _ => None,
        };
        if let Some(mut seed) = seed.filter(|s| s.body.len() <= MAX_SEED_BODY) {
            seed.set =
                file.parent().and_then(|p| p.file_name()).and_then(|n| n.to_str()).unwrap_or_default().to_owned();
            seed.step = recorded["step"].as_u64().unwrap_or_default();
            seeds.push(seed);
        }
    }
    seeds
}

fn from_request(request: &Value) -> Option<Seed> {
    let url = request["url"].as_str()?;
    let target = url.find("/api").map(|i| url[i..].to_owned())?;
    let headers = request["headers"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
        .collect();
    let body = if request.get("body_parts").is_some() {
        return None;
    } else if let Some(Value::String(raw)) = request.get("body_raw") {
        raw.as_bytes().to_vec()
    } else {
        match &request["body"] {
            Value::Null => Vec::new(),
            Value::String(text) => text.as_bytes().to_vec(),
            json => json.to_string().into_bytes(),
        }
    };
    let method = request["method"].as_str().unwrap_or("GET").to_owned();
    Some(Seed { set: String::new(), step: 0, method, target, headers, body })
}

/// A raw request's head and body, when its request line and headers read as such.
fn from_raw(raw: &[u8]) -> Option<Seed> {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&raw[..end]);
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let (method, target) = (request_line.next()?.to_owned(), request_line.next()?.to_owned());
    if !target.starts_with('/') {
        return None;
    }
    let headers = lines
        .filter_map(|l| l.split_once(':').map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned())))
        .filter(|(k, _)| !matches!(k.to_ascii_lowercase().as_str(), "content-length" | "transfer-encoding" | "host"))
        .collect();
    Some(Seed { set: String::new(), step: 0, method, target, headers, body: raw[end + 4..].to_vec() })
}

/// The recorder's escaping of raw bytes (Python's `unicode_escape` of latin-1 text).
fn unescape(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c as u32 as u8);
            continue;
        }
        match chars.next() {
            Some('r') => out.push(b'\r'),
            Some('n') => out.push(b'\n'),
            Some('t') => out.push(b'\t'),
            Some('0') => out.push(0),
            Some('x') => {
                let hex: String = [chars.next(), chars.next()].into_iter().flatten().collect();
                out.push(u8::from_str_radix(&hex, 16).unwrap_or(b'?'));
            }
            Some(other) => out.push(other as u32 as u8),
            None => out.push(b'\\'),
        }
    }
    out
}
