//! How a conformance failure reads: what was checked, the request (secrets masked), and the
//! difference between expected and actual as a short list of JSON paths, not two full dumps.

use std::fmt;

use serde_json::Value;

use crate::exchange::Exchange;
use crate::secret::scrub;

/// Lines of difference shown before the rest is summarised.
const MAX_DIFF_LINES: usize = 12;

/// The target answered something other than what was expected.
#[derive(Debug, Clone)]
pub struct Mismatch {
    /// What was checked (`status`, `snapshot "list"`, …).
    pub what: String,
    /// The expectation, in one line.
    pub expected: String,
    /// What came back, in one line.
    pub actual: String,
    /// The differing paths, when comparing JSON.
    pub diff: Vec<String>,
    /// The exchange that was checked.
    pub exchange: Option<Exchange>,
    /// The status the check expected, when it expected one (a 5xx answer that was not expected
    /// is worth a retry: [`Mismatch::unexpected_server_error`]).
    pub expected_status: Option<u16>,
}

impl Mismatch {
    /// A mismatch between two short values.
    pub fn new(
        what: impl Into<String>,
        expected: impl Into<String>,
        actual: impl Into<String>,
        exchange: Option<&Exchange>,
    ) -> Self {
        Self {
            what: what.into(),
            expected: expected.into(),
            actual: actual.into(),
            diff: Vec::new(),
            exchange: exchange.cloned(),
            expected_status: None,
        }
    }

    /// A mismatch between two JSON documents, described by their differing paths.
    pub fn json(what: impl Into<String>, expected: &Value, actual: &Value, exchange: Option<&Exchange>) -> Self {
        let diff = json_diff(expected, actual);
        let expected_status = expected.get("status").and_then(Value::as_u64).and_then(|s| u16::try_from(s).ok());
        Self {
            what: what.into(),
            expected: String::new(),
            actual: String::new(),
            diff,
            exchange: exchange.cloned(),
            expected_status,
        }
    }

    /// The same, saying which status was expected.
    pub fn expecting_status(mut self, status: u16) -> Self {
        self.expected_status = Some(status);
        self
    }

    /// Whether the target answered with a server error (5xx) where the check expected none:
    /// the server failed, rather than answering something else.
    pub fn unexpected_server_error(&self) -> bool {
        self.exchange.as_ref().is_some_and(|e| e.status >= 500) && self.expected_status.is_none_or(|s| s < 500)
    }
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = format!("{} does not match", self.what);
        if let Some(exchange) = &self.exchange {
            for line in exchange.to_string().lines() {
                text.push_str(&format!("\n  | {line}"));
            }
        }
        if !self.expected.is_empty() || !self.actual.is_empty() {
            text.push_str(&format!("\n  expected: {}\n  actual:   {}", self.expected, self.actual));
        }
        if !self.diff.is_empty() {
            text.push_str("\n  diff (expected → actual):");
            for line in self.diff.iter().take(MAX_DIFF_LINES) {
                text.push_str(&format!("\n    {line}"));
            }
            if self.diff.len() > MAX_DIFF_LINES {
                text.push_str(&format!("\n    … and {} more differences", self.diff.len() - MAX_DIFF_LINES));
            }
        }
        f.write_str(&scrub(&text))
    }
}

/// One place where two JSON documents differ: its path (`.body.data[1].title`, `.` for the
/// whole), and each side in short (`(missing)` where one side has nothing, `3 items` for arrays
/// of different lengths).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// Where.
    pub path: String,
    /// The expected (or first) side.
    pub expected: String,
    /// The actual (or second) side.
    pub actual: String,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} → {}", self.path, self.expected, self.actual)
    }
}

/// The paths at which two JSON documents differ, one line each.
pub fn json_diff(expected: &Value, actual: &Value) -> Vec<String> {
    differences(expected, actual).iter().map(Difference::to_string).collect()
}

/// The places at which two JSON documents differ.
pub fn differences(expected: &Value, actual: &Value) -> Vec<Difference> {
    let mut out = Vec::new();
    diff_at("", expected, actual, &mut out);
    out
}

fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 80 { format!("{}…", text.chars().take(77).collect::<String>()) } else { text }
}

fn diff_at(path: &str, expected: &Value, actual: &Value, out: &mut Vec<Difference>) {
    let here = if path.is_empty() { ".".to_owned() } else { path.to_owned() };
    let mut push = |path: String, expected: String, actual: String| out.push(Difference { path, expected, actual });
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                let p = format!("{path}.{k}");
                match a.get(k) {
                    Some(av) => diff_at(&p, ev, av, out),
                    None => out.push(Difference { path: p, expected: short(ev), actual: "(missing)".into() }),
                }
            }
            for (k, av) in a {
                if !e.contains_key(k) {
                    out.push(Difference {
                        path: format!("{path}.{k}"),
                        expected: "(absent)".into(),
                        actual: short(av),
                    });
                }
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                push(here, format!("{} items", e.len()), format!("{} items", a.len()));
            }
            for (i, (ev, av)) in e.iter().zip(a.iter()).enumerate() {
                diff_at(&format!("{path}[{i}]"), ev, av, out);
            }
        }
        (e, a) if e != a => push(here, short(e), short(a)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diff_names_the_paths_that_differ() {
        let expected = json!({"data": [{"title": "eat food"}, {"title": "sleep"}], "meta": {"count": 2}});
        let actual = json!({"data": [{"title": "sleep"}], "meta": {"count": 1, "page": 1}});
        assert_eq!(
            json_diff(&expected, &actual),
            [
                ".data: 2 items → 1 items",
                ".data[0].title: \"eat food\" → \"sleep\"",
                ".meta.count: 2 → 1",
                ".meta.page: (absent) → 1",
            ]
        );
    }

    fn answer(status: u16) -> Exchange {
        Exchange {
            method: "GET".into(),
            path: "todos:list".into(),
            request_headers: Vec::new(),
            request_body: None,
            status,
            content_type: None,
            body: crate::exchange::ResponseBody::Empty,
            headers: Vec::new(),
        }
    }

    #[test]
    fn only_a_server_error_nobody_expected_is_worth_a_retry() {
        let status = |expected: u16, got: u16| {
            Mismatch::new("status", expected.to_string(), got.to_string(), Some(&answer(got)))
                .expecting_status(expected)
        };
        assert!(status(200, 503).unexpected_server_error());
        assert!(!status(200, 404).unexpected_server_error(), "a wrong answer is a mismatch");
        assert!(!status(500, 503).unexpected_server_error(), "a 5xx was expected: the answer differs");
        let snapshot =
            |expected: Value, got: u16| Mismatch::json("snapshot", &expected, &json!({}), Some(&answer(got)));
        assert!(snapshot(json!({"status": 200}), 502).unexpected_server_error());
        assert!(!snapshot(json!({"status": 500}), 500).unexpected_server_error(), "NocoBase's own 500s are answers");
        assert!(!Mismatch::new("the to-dos", "a", "b", Some(&answer(200))).unexpected_server_error());
    }
}
