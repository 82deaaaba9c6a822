//! The recorded exchanges (`fixtures/recordings/<set>/NN-*.json`) and the exceptions the
//! reference server is allowed (`replay-exceptions.toml`).

use super::*;

/// One recorded exchange.
pub(crate) struct Recorded {
    /// `2.2.15-api/05`: how the exceptions file names it.
    pub(crate) id: String,
    /// The file's contents, with `response.body` filled from `body_file` when it was split out.
    pub(crate) json: Value,
}

impl Recorded {
    pub(crate) fn request(&self) -> &Value {
        &self.json["request"]
    }

    pub(crate) fn response(&self) -> &Value {
        &self.json["response"]
    }

    pub(crate) fn auth(&self) -> &str {
        self.request()["auth"].as_str().unwrap_or("none")
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.response()["headers"].get(name).and_then(Value::as_str)
    }

    /// Whether the recorded request carried an `Origin` header.
    pub(crate) fn sent_origin(&self) -> bool {
        self.request()["headers"].as_object().is_some_and(|h| h.keys().any(|k| k.eq_ignore_ascii_case("origin")))
    }

    /// A raw-socket exchange (framing), not a request/response pair.
    pub(crate) fn is_raw(&self) -> bool {
        self.json.get("raw_request").is_some()
    }
}

pub(crate) fn recordings_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/recordings")
}

/// The exchanges of one set, in recording order (`NN-step.json`).
pub(crate) fn load_set(set: &str) -> Vec<Recorded> {
    static NUMBERED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(\d+)-.*\.json$").expect("valid pattern"));
    let dir = recordings_dir().join(set);
    let mut files: Vec<(u32, String, PathBuf)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let caps = NUMBERED.captures(&name)?;
            let number: u32 = caps[1].parse().ok()?;
            Some((number, caps[1].to_owned(), entry.path()))
        })
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|(_, number, path)| {
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            let mut json: Value = lenient_json(&text).unwrap_or_else(|| panic!("{}: not JSON", path.display()));
            if let Some(file) = json["response"]["body_file"].as_str() {
                let body_path = dir.join(file);
                let body = std::fs::read_to_string(&body_path)
                    .unwrap_or_else(|e| panic!("cannot read {}: {e}", body_path.display()));
                json["response"]["body"] = serde_json::from_str(&body).unwrap_or(Value::String(body));
            }
            Recorded { id: format!("{set}/{number}"), json }
        })
        .collect()
}

/// JSON that may hold lone UTF-16 surrogates as `\udXXX` escapes (as NocoBase writes them, and
/// the recordings keep them): each lone one is read as the private-use character U+F0000 + n,
/// on both sides, so that they compare alike.
pub(crate) fn lenient_json(text: &str) -> Option<Value> {
    if let Ok(value) = serde_json::from_str(text) {
        return Some(value);
    }
    let chars: Vec<char> = text.chars().collect();
    let hex_at = |i: usize| -> Option<u32> {
        (chars.get(i) == Some(&'\\') && chars.get(i + 1) == Some(&'u'))
            .then(|| chars.get(i + 2..i + 6).map(|h| h.iter().collect::<String>()))
            .flatten()
            .and_then(|h| u32::from_str_radix(&h, 16).ok())
    };
    let mut fixed = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '\\' {
            fixed.push(chars[i]);
            i += 1;
            continue;
        }
        match hex_at(i) {
            Some(high @ 0xD800..=0xDBFF) if hex_at(i + 6).is_some_and(|low| (0xDC00..=0xDFFF).contains(&low)) => {
                let low = hex_at(i + 6).unwrap_or(0xDC00);
                fixed.push_str(&format!("\\u{high:04x}\\u{low:04x}"));
                i += 12;
            }
            Some(unit @ 0xD800..=0xDFFF) => {
                let code = 0xF0000 + (unit - 0xD800);
                let (high, low) = (0xD800 + ((code - 0x10000) >> 10), 0xDC00 + ((code - 0x10000) & 0x3FF));
                fixed.push_str(&format!("\\u{high:04x}\\u{low:04x}"));
                i += 6;
            }
            _ => {
                fixed.push('\\');
                if let Some(next) = chars.get(i + 1) {
                    fixed.push(*next);
                }
                i += 2;
            }
        }
    }
    serde_json::from_str(&fixed).ok()
}

/// `replay-exceptions.toml`: exchange id → reason.
pub(crate) fn load_exceptions() -> BTreeMap<String, String> {
    #[derive(serde::Deserialize)]
    struct File {
        #[serde(default)]
        exception: Vec<Entry>,
    }
    #[derive(serde::Deserialize)]
    struct Entry {
        exchange: String,
        reason: String,
    }
    let path = recordings_dir().join("replay-exceptions.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let file: File = toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = BTreeMap::new();
    for entry in file.exception {
        assert!(!entry.reason.trim().is_empty(), "{}: exception {} has no reason", path.display(), entry.exchange);
        assert!(
            out.insert(entry.exchange.clone(), entry.reason).is_none(),
            "exception {} is listed twice",
            entry.exchange
        );
    }
    out
}
