//! Request bodies, exactly as NocoBase 2.2.15's admin UI sends them (recorded in
//! `fixtures/recordings/2.2.15-ui`), looked up by name and filled in with the scenario's names:
//! a string `"{{role_record}}"` becomes that JSON value, `{{collection}}` inside a string is
//! replaced by text. Compiled into the binary, so an installed harness needs no source tree.

use std::collections::BTreeMap;

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use crate::error::{HarnessError, Result};

/// Our placeholders are `{{lower_case}}`; NocoBase's own UI strings (`{{t("ID")}}`) are kept.
static PLACEHOLDER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\{\{[a-z_]+\}\}").expect("valid pattern"));

/// The request bodies, by name.
const BODIES: &[(&str, &str)] = &[
    ("collection-todos", include_str!("../../fixtures/requests/collection-todos.json")),
    ("field-title", include_str!("../../fixtures/requests/field-title.json")),
    ("field-completed", include_str!("../../fixtures/requests/field-completed.json")),
    ("role-todos", include_str!("../../fixtures/requests/role-todos.json")),
    ("role-todos-all-permissions", include_str!("../../fixtures/requests/role-todos-all-permissions.json")),
    ("user-todos-api-user", include_str!("../../fixtures/requests/user-todos-api-user.json")),
    ("role-allow-plugin-settings", include_str!("../../fixtures/requests/role-allow-plugin-settings.json")),
    ("role-untick-all-plugin-settings", include_str!("../../fixtures/requests/role-untick-all-plugin-settings.json")),
    ("role-tick-api-keys", include_str!("../../fixtures/requests/role-tick-api-keys.json")),
    ("api-key-never", include_str!("../../fixtures/requests/api-key-never.json")),
    ("api-key-7d", include_str!("../../fixtures/requests/api-key-7d.json")),
];

/// Values for the `{{name}}` placeholders of a body.
pub(crate) type Vars = BTreeMap<&'static str, Value>;

/// The body called `name`, placeholders filled from `vars`.
pub(crate) fn body(name: &str, vars: &Vars) -> Result<Value> {
    let text = BODIES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
        .ok_or_else(|| HarnessError::Scenario(format!("no request fixture called {name}")))?;
    let value: Value = serde_json::from_str(text)
        .map_err(|e| HarnessError::File { path: format!("fixtures/requests/{name}.json"), reason: e.to_string() })?;
    fill(&value, vars)
}

fn fill(value: &Value, vars: &Vars) -> Result<Value> {
    Ok(match value {
        Value::String(s) => {
            if let Some(name) = s.strip_prefix("{{").and_then(|r| r.strip_suffix("}}"))
                && let Some(v) = vars.get(name)
            {
                return Ok(v.clone());
            }
            let mut out = s.clone();
            for (name, v) in vars {
                let text = match v {
                    Value::String(t) => t.clone(),
                    other => other.to_string(),
                };
                out = out.replace(&format!("{{{{{name}}}}}"), &text);
            }
            if PLACEHOLDER.is_match(&out) {
                return Err(HarnessError::Scenario(format!("request fixture placeholder left unfilled in {out:?}")));
            }
            Value::String(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|i| fill(i, vars)).collect::<Result<_>>()?),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| Ok((k.clone(), fill(v, vars)?))).collect::<Result<_>>()?)
        }
        other => other.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn placeholders_take_values_and_text() {
        let mut vars = Vars::new();
        vars.insert("collection", json!("todos_x"));
        let body = body("collection-todos", &vars).expect("fills");
        assert_eq!(body["name"], "todos_x");
        assert_eq!(body["fields"][0]["type"], "snowflakeId");
    }

    #[test]
    fn an_unfilled_placeholder_is_an_error() {
        assert!(body("role-todos", &Vars::new()).is_err());
    }
}
