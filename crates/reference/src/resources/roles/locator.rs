//! Which of a role's permission rows `roles/<role>/dataSourceResources:get` (and `:update`)
//! mean, decided as plugin-acl's `data-source-compat.ts` (`normalizeRoleDataSourceResourceLocator`,
//! LIB l.60-160) decides it: `filter.{dataSourceKey,name}`, else the plain query parameters of
//! those names; a numeric `filterByTk` is a row id (404 when there is no such row, 400 when it
//! is another role's); any other of the form `<letters>_<name>` gives the name; then both keys are
//! required (400 "Missing resource locator …"). Strings count trimmed, and only when not empty.

use rusqlite::{Connection, OptionalExtension};
use serde_json::Value;

use crate::http::error::{ApiError, ApiResult};
use crate::resources::Ctx;

/// A permission row's locator: data source and collection name.
pub(crate) struct Locator {
    pub(crate) data_source: String,
    pub(crate) name: String,
}

/// `normalizeString`: a string, trimmed, not empty.
fn normalized(value: Option<&Value>) -> Option<String> {
    value.and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// JavaScript truthiness of `filter.<key>` (`filter.name || fromQuery`).
fn truthy(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null | Value::Bool(false)) => false,
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Number(n)) => n.as_f64().is_some_and(|n| n != 0.0),
        Some(_) => true,
    }
}

/// The locator of the row the request means.
pub(crate) fn locate(ctx: &Ctx<'_>, conn: &Connection, role: &str) -> ApiResult<Locator> {
    let mut filter = match ctx.params.query.get("filter") {
        Some(Value::Object(filter)) => filter.clone(),
        _ => serde_json::Map::new(),
    };
    // `applyLocatorFromQuery`.
    for key in ["dataSourceKey", "name"] {
        if let Some(from_query) = normalized(ctx.params.query.get(key))
            && !truthy(filter.get(key))
        {
            filter.insert(key.into(), Value::String(from_query));
        }
    }
    // `resolveLocatorFromFilterByTk`.
    let raw = ctx.params.query.get("filterByTk").filter(|v| !v.is_null() && v.as_str() != Some(""));
    if let Some(raw) = raw {
        let numeric = match raw {
            Value::Number(n) => n.as_u64().map(|n| n.to_string()),
            other => normalized(Some(other)).filter(|s| s.bytes().all(|b| b.is_ascii_digit())),
        };
        match numeric {
            None => {
                if normalized(filter.get("name")).is_none()
                    && let Some(name) = normalized(Some(raw)).and_then(|tk| prefixed_name(&tk))
                {
                    filter.insert("name".into(), Value::String(name));
                }
            }
            Some(id) => {
                let shown = match raw {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                let row: Option<(String, String, String)> = match id.parse::<i64>() {
                    Ok(id) => conn
                        .query_row(
                            "SELECT roleName, dataSourceKey, name FROM dataSourcesRolesResources WHERE id = ?",
                            [id],
                            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                        )
                        .optional()?,
                    Err(_) => None,
                };
                let Some((owner, data_source, name)) = row else {
                    return Err(ApiError::Client {
                        status: axum::http::StatusCode::NOT_FOUND,
                        message: format!("Resource permission not found by filterByTk \"{shown}\""),
                        code: None,
                    });
                };
                if owner != role {
                    return Err(ApiError::bad_request(format!(
                        "Resource permission \"{shown}\" does not belong to role \"{role}\""
                    )));
                }
                if normalized(filter.get("dataSourceKey")).is_none() {
                    filter.insert("dataSourceKey".into(), Value::String(data_source));
                }
                if normalized(filter.get("name")).is_none() {
                    filter.insert("name".into(), Value::String(name));
                }
            }
        }
    }
    match (normalized(filter.get("dataSourceKey")), normalized(filter.get("name"))) {
        (Some(data_source), Some(name)) => Ok(Locator { data_source, name }),
        _ => Err(ApiError::bad_request(
            "Missing resource locator: provide --filter-by-tk, or both --data-source-key and --name (or filter.{dataSourceKey,name})",
        )),
    }
}

/// `^[a-zA-Z]+_(.+)$` → the part after the first `_`, trimmed.
fn prefixed_name(tk: &str) -> Option<String> {
    let (letters, rest) = tk.split_once('_')?;
    if letters.is_empty() || !letters.bytes().all(|b| b.is_ascii_alphabetic()) || rest.is_empty() {
        return None;
    }
    Some(rest.trim().to_owned()).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::prefixed_name;

    #[test]
    fn prefixed_keys_give_the_name() {
        assert_eq!(prefixed_name("main_todos").as_deref(), Some("todos"));
        assert_eq!(prefixed_name("main_my_todos").as_deref(), Some("my_todos"));
        assert_eq!(prefixed_name("m1_todos"), None);
        assert_eq!(prefixed_name("_todos"), None);
        assert_eq!(prefixed_name("todos"), None);
    }
}
