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
            let mut json: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
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
