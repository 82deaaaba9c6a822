//! Generated ids (snowflakes, uids): learned from the reference server's answers by their
//! shape, so that a recorded id compares equal to the one generated in its place.

use super::*;

/// A recorded value NocoBase generated at random or from the clock: a snowflake or an
/// 11-character uid. A recorded uid is told from an 11-letter word by holding both digits and
/// letters (the recordings' uids all do).
pub(crate) fn generated(value: &Value) -> bool {
    shaped_like_an_id(value)
        && value
            .as_str()
            .is_none_or(|s| s.chars().any(|c| c.is_ascii_digit()) && s.chars().any(|c| c.is_ascii_lowercase()))
}

/// A value shaped like a generated id: the server's answer to a recorded [`generated`] one. A
/// random uid has no digit about one time in 36 ((26/36)^11): the shape alone decides.
pub(crate) fn shaped_like_an_id(value: &Value) -> bool {
    match value {
        Value::Number(n) => n.as_i64().is_some_and(|v| v >= normalize::SNOWFLAKE_FLOOR),
        Value::String(s) => normalize::UID.is_match(s),
        _ => false,
    }
}

pub(crate) fn id_like(key: &str) -> bool {
    key == "id" || key == "key" || key.ends_with("Id")
}

pub(crate) fn id_text(value: &Value) -> Option<String> {
    match value {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

/// Recorded → actual generated ids, by their text.
#[derive(Default)]
pub(crate) struct IdMap(BTreeMap<String, Value>);

impl IdMap {
    /// Walks the recorded and the actual body in parallel and maps every generated id found at
    /// an id-like key (`id`, `key`, `…Id`) to the actual value at the same place.
    pub(crate) fn learn(&mut self, recorded: &Value, actual: &Value) {
        self.walk(None, recorded, actual);
    }

    pub(crate) fn walk(&mut self, key: Option<&str>, recorded: &Value, actual: &Value) {
        match (recorded, actual) {
            (Value::Object(r), Value::Object(a)) => {
                for (k, rv) in r {
                    if let Some(av) = a.get(k) {
                        self.walk(Some(k), rv, av);
                    }
                }
            }
            (Value::Array(r), Value::Array(a)) => {
                for (rv, av) in r.iter().zip(a) {
                    self.walk(key, rv, av);
                }
            }
            (r, a) if key.is_some_and(id_like) && generated(r) && shaped_like_an_id(a) => {
                if let Some(text) = id_text(r) {
                    self.0.entry(text).or_insert_with(|| a.clone());
                }
            }
            _ => {}
        }
    }

    /// A recorded URL with learned ids replaced (whole tokens only).
    pub(crate) fn url(&self, url: &str) -> String {
        static TOKEN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[A-Za-z0-9]+").expect("valid pattern"));
        TOKEN
            .replace_all(url, |c: &regex::Captures<'_>| match self.0.get(&c[0]).and_then(id_text) {
                Some(actual) => actual,
                None => c[0].to_owned(),
            })
            .into_owned()
    }

    /// A recorded request body with learned ids replaced.
    pub(crate) fn body(&self, value: &Value) -> Value {
        match value {
            Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), self.body(v))).collect()),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.body(v)).collect()),
            other => match id_text(other).and_then(|t| self.0.get(&t)) {
                Some(actual) if generated(other) => actual.clone(),
                _ => other.clone(),
            },
        }
    }

    /// Normalisers for the expected and the actual side that name every learned id by its
    /// recorded value, so a response pointing at the wrong record still differs.
    pub(crate) fn normalizers(&self) -> (Normalizer, Normalizer) {
        let (mut expected, mut actual) = (Normalizer::new(), Normalizer::new());
        for (recorded, live) in &self.0 {
            let recorded_value = serde_json::from_str::<Value>(recorded).unwrap_or_else(|_| json!(recorded));
            expected.know(IdKind::Record, &recorded_value, recorded);
            actual.know(IdKind::Record, live, recorded);
        }
        (expected, actual)
    }
}
