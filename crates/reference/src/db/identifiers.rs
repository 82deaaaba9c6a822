//! The names NocoBase lets a collection, a field or a role have: the `uid` field's rule
//! (`@nocobase/database` `fields/uid-field.ts` l.22-33: a falsy value gets `<prefix><uid>`, any
//! other must match `^[A-Za-z0-9_][A-Za-z0-9_-]*$`, else a 500 "<collection>.<field> can only
//! include …"), then, for names that become SQL identifiers, `checkIdentifier` (`utils.ts`
//! l.19-24: more than 63 characters is a 500 "Identifier … is too long", for every dialect).
//! Besides NocoBase's answer, the rule keeps a client from naming a column with 100,000
//! characters that every later list would repeat.

use serde_json::Value;

use crate::db::ids::uid;
use crate::http::error::{ApiError, ApiResult};

/// `MAX_IDENTIFIER_LENGTH`.
const MAX_IDENTIFIER_LENGTH: usize = 63;

/// The `uid` field `<collection>.<field>` given `value`: the name it stores.
pub(crate) fn uid_value(collection: &str, field: &str, prefix: &str, value: Option<&Value>) -> ApiResult<String> {
    let text = match value {
        None | Some(Value::Null | Value::Bool(false)) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::Number(n)) if n.as_f64() == Some(0.0) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::Bool(true)) => Some("true".to_owned()),
        Some(Value::Array(items)) => Some(items.iter().map(js_string).collect::<Vec<_>>().join(",")),
        Some(Value::Object(_)) => Some("[object Object]".to_owned()),
    };
    let Some(text) = text else { return Ok(format!("{prefix}{}", uid())) };
    if pattern(&text) {
        Ok(text)
    } else {
        Err(ApiError::server(format!("{collection}.{field} can only include A-Z, a-z, 0-9, _-*$, '{text}' is invalid")))
    }
}

/// `checkIdentifier`: JavaScript's `length` (UTF-16 units; only ASCII gets here).
pub(crate) fn check_identifier(name: &str) -> ApiResult<()> {
    if name.encode_utf16().count() > MAX_IDENTIFIER_LENGTH {
        return Err(ApiError::server(format!("Identifier {name} is too long")));
    }
    Ok(())
}

/// `^[A-Za-z0-9_][A-Za-z0-9_-]*$`.
fn pattern(text: &str) -> bool {
    let mut bytes = text.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// `String(item)` inside an array's `join`.
fn js_string(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(js_string).collect::<Vec<_>>().join(","),
        Value::Object(_) => "[object Object]".to_owned(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_follow_the_uid_field() {
        assert_eq!(uid_value("collections", "name", "t_", Some(&json!("todos"))).ok().as_deref(), Some("todos"));
        assert_eq!(uid_value("fields", "name", "f_", Some(&json!("my-field"))).ok().as_deref(), Some("my-field"));
        assert!(uid_value("collections", "name", "t_", None).is_ok_and(|n| n.starts_with("t_") && n.len() == 13));
        assert!(uid_value("roles", "name", "r_", Some(&json!(""))).is_ok_and(|n| n.starts_with("r_")));
        let refused = uid_value("collections", "name", "t_", Some(&json!("to dos"))).err().map(|e| format!("{e:?}"));
        assert!(
            refused.is_some_and(
                |e| e.contains("collections.name can only include A-Z, a-z, 0-9, _-*$, 'to dos' is invalid")
            )
        );
        assert!(uid_value("fields", "name", "f_", Some(&json!("-x"))).is_err());
    }

    #[test]
    fn identifiers_end_at_63_characters() {
        assert!(check_identifier(&"c".repeat(63)).is_ok());
        assert!(check_identifier(&"c".repeat(64)).is_err());
        assert!(check_identifier(&"c".repeat(100_000)).is_err());
    }
}
