//! The "Todo List" page (`fixtures/todo-page.html`), filled in for one scenario: the API base URL,
//! the scenario's collection (`todos_nc…`) and the API key become JavaScript string literals in
//! its script. The filled page exists only in memory, and prints as `[redacted]` because it holds
//! the key.

use std::fmt;
use std::sync::LazyLock;

use regex::Regex;
use url::Url;

use crate::error::{HarnessError, Result};
use crate::secret::Secret;

/// The page as committed, with its `{{…}}` placeholders.
const TEMPLATE: &str = include_str!("../../fixtures/todo-page.html");

static PLACEHOLDER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\{\{[a-z_]+\}\}").expect("valid pattern"));

/// The page, filled in; it holds the key, so it never prints.
#[derive(Clone)]
pub struct TodoPage(String);

impl fmt::Debug for TodoPage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TodoPage([redacted])")
    }
}

impl TodoPage {
    /// The page that lists `collection` at the API `api_base` (`http://host:port/api`, with or
    /// without a trailing slash) with `key`.
    pub fn fill(api_base: &Url, collection: &str, key: &Secret) -> Result<Self> {
        let base = api_base.as_str().trim_end_matches('/');
        let mut html = TEMPLATE.to_owned();
        for (name, value) in [("api_base", base), ("collection", collection), ("api_key", key.expose())] {
            let placeholder = format!("{{{{{name}}}}}");
            if !html.contains(&placeholder) {
                return Err(HarnessError::Scenario(format!("fixtures/todo-page.html has no {placeholder}")));
            }
            html = html.replace(&placeholder, &js_string(value));
        }
        if let Some(left) = PLACEHOLDER.find(&html) {
            return Err(HarnessError::Scenario(format!("fixtures/todo-page.html: {} is not filled in", left.as_str())));
        }
        Ok(Self(html))
    }

    /// The HTML to serve.
    pub fn html(&self) -> &str {
        &self.0
    }
}

/// `value` as a JavaScript string literal that cannot end the `<script>` it stands in.
fn js_string(value: &str) -> String {
    serde_json::Value::String(value.to_owned()).to_string().replace('<', "\\u003c")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled() -> TodoPage {
        let base = Url::parse("http://127.0.0.1:13000/api/").expect("url");
        TodoPage::fill(&base, "todos_nc4k2x9a01", &Secret::new("eyJkey.eyJpayload.signature")).expect("filled")
    }

    #[test]
    fn the_page_is_the_tutorial_s_todo_list() {
        let html = filled();
        assert!(html.html().contains("<title>Todo List</title>"));
        assert!(html.html().contains("<h1>Todo List</h1>"));
        assert!(html.html().contains(r#"<pre id="result"></pre>"#));
        assert!(html.html().contains(r#"<p id="error" role="alert" hidden></p>"#));
    }

    #[test]
    fn base_collection_and_key_become_string_literals() {
        let html = filled();
        assert!(html.html().contains(r#"const API_BASE = "http://127.0.0.1:13000/api";"#));
        assert!(html.html().contains(r#"const COLLECTION = "todos_nc4k2x9a01";"#));
        assert!(html.html().contains(r#"const API_KEY = "eyJkey.eyJpayload.signature";"#));
        assert!(!PLACEHOLDER.is_match(html.html()));
    }

    #[test]
    fn a_value_cannot_close_the_script() {
        let base = Url::parse("http://127.0.0.1:13000/api").expect("url");
        let page = TodoPage::fill(&base, "x</script><script>alert(1)//", &Secret::new("key-1234")).expect("filled");
        assert!(page.html().contains(r#"const COLLECTION = "x\u003c/script>\u003cscript>alert(1)//";"#));
    }

    #[test]
    fn the_filled_page_never_prints_the_key() {
        assert_eq!(format!("{:?}", filled()), "TodoPage([redacted])");
    }
}
