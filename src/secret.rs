//! Secrets (passwords, session tokens, API keys) never leave the harness in clear. A [`Secret`]
//! prints as `[redacted]`; every secret value is also registered so that [`scrub`] can remove it
//! from any text before it is written (console, reports, failure messages), together with
//! anything shaped like a JWT.

use std::fmt;
use std::sync::{LazyLock, RwLock};

use regex::Regex;

static REGISTRY: LazyLock<RwLock<Vec<String>>> = LazyLock::new(|| RwLock::new(Vec::new()));
/// Anything shaped like a JWT (`eyJ….….…`): what [`scrub`] removes and what snapshots show as `[jwt]`.
pub static JWT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*").expect("valid JWT pattern")
});

/// A secret value: readable by the code that needs it, invisible in `Debug` and `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps and registers a secret.
    pub fn new(value: impl Into<String>) -> Self {
        let value = value.into();
        register(&value);
        Secret(value)
    }

    /// A value that is sent like a secret but is not one (a wrong password written in a feature):
    /// not registered, so it is not scrubbed from the documentation that shows it.
    pub fn literal(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value itself, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Remembers a value as secret (values shorter than 4 characters are too common to scrub), in
/// every form a writer may have turned it into before scrubbing: as is, XML/HTML-escaped (JUnit,
/// the HTML report) and JSON-escaped (request bodies).
pub fn register(value: &str) {
    if value.len() < 4 {
        return;
    }
    if let Ok(mut list) = REGISTRY.write() {
        for form in forms(value) {
            if !list.contains(&form) {
                list.push(form);
            }
        }
        list.sort_by_key(|v| std::cmp::Reverse(v.len()));
    }
}

/// A value and its escaped forms.
fn forms(value: &str) -> Vec<String> {
    let xml = value.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let mut forms = vec![value.to_owned(), xml.clone()];
    for (quot, apos) in [("&quot;", "&apos;"), ("&quot;", "&#39;"), ("&#34;", "&#39;"), ("&quot;", "&#x27;")] {
        forms.push(xml.replace('"', quot).replace('\'', apos));
    }
    if let Ok(json) = serde_json::to_string(value) {
        forms.push(json.trim_matches('"').to_owned());
    }
    forms.sort();
    forms.dedup();
    forms
}

/// Replaces every registered secret and every JWT in `text` with `[redacted]`.
pub fn scrub(text: &str) -> String {
    let mut out = JWT.replace_all(text, "[redacted]").into_owned();
    if let Ok(list) = REGISTRY.read() {
        for secret in list.iter() {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), "[redacted]");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_forms_of_a_secret_are_scrubbed_too() {
        register("p&ss<w>rd\"it's");
        for text in [
            "p&ss<w>rd\"it's",
            "p&amp;ss&lt;w&gt;rd&quot;it&apos;s",
            "p&amp;ss&lt;w&gt;rd&quot;it&#39;s",
            "p&ss<w>rd\\\"it's",
        ] {
            assert_eq!(scrub(&format!("[{text}]")), "[[redacted]]", "{text}");
        }
    }

    #[test]
    fn secrets_print_redacted_and_are_scrubbed_from_text() {
        let secret = Secret::new("hunter2-password");
        assert_eq!(format!("{secret} {secret:?}"), "[redacted] [redacted]");
        assert_eq!(scrub("password is hunter2-password!"), "password is [redacted]!");
        assert_eq!(scrub("Bearer eyJhbGciOi.eyJ1c2VySWQiOjF9.c2lnbmF0dXJl"), "Bearer [redacted]");
    }
}
