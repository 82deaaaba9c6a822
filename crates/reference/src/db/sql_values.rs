//! Conversions between JSON values and SQLite values per field kind, with the loose typing
//! NocoBase shows on SQLite: strings take `String(value)` (`"[object Object]"`), booleans store
//! whatever is not a boolean as given (`"maybe"` comes back as `"maybe"`), dates are stored as
//! Sequelize's text and shown as ISO-8601.

use rusqlite::types::{Value as Sql, ValueRef};
use serde_json::{Number, Value};

use crate::db::clock;
use crate::db::schema::FieldKind;

/// JavaScript's `String(value)` for a JSON value.
pub(crate) fn js_string(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => js_number(n),
        Value::String(s) => s.clone(),
        Value::Array(items) => {
            items.iter().map(|v| if v.is_null() { String::new() } else { js_string(v) }).collect::<Vec<_>>().join(",")
        }
        Value::Object(_) => "[object Object]".to_owned(),
    }
}

fn js_number(n: &Number) -> String {
    match n.as_f64() {
        Some(f) if f.fract() == 0.0 && f.abs() < 1e21 => format!("{}", f as i128),
        _ => n.to_string(),
    }
}

/// Sequelize's `BOOLEAN._sanitize`: `"true"`/`"false"` and `1`/`0` become booleans; anything
/// else is kept as given.
fn sanitize_boolean(value: &Value) -> Value {
    match value {
        Value::String(s) if s == "true" => Value::Bool(true),
        Value::String(s) if s == "false" => Value::Bool(false),
        Value::Number(n) if n.as_i64() == Some(1) => Value::Bool(true),
        Value::Number(n) if n.as_i64() == Some(0) => Value::Bool(false),
        other => other.clone(),
    }
}

/// What a model instance holds after `set(value)` for this kind: what `create` echoes back.
pub(crate) fn assigned(kind: &FieldKind, value: &Value) -> Value {
    match (kind, value) {
        (_, Value::Null) => Value::Null,
        (FieldKind::Boolean, v) => sanitize_boolean(v),
        (FieldKind::String, v) if !v.is_string() => Value::String(js_string(v)),
        (FieldKind::Date, v) => to_date(v).map(|at| Value::String(clock::iso(at))).unwrap_or_else(|| v.clone()),
        (_, v) => v.clone(),
    }
}

fn to_date(value: &Value) -> Option<time::OffsetDateTime> {
    match value {
        Value::String(s) => clock::parse(s),
        Value::Number(n) => {
            n.as_i64().and_then(|ms| time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000).ok())
        }
        _ => None,
    }
}

/// The SQLite value stored for `value` in a column of this kind (text as node-sqlite3 hands it
/// over: lone surrogates become U+FFFD, recording 2.2.15-offpath/330).
pub(crate) fn to_sql(kind: &FieldKind, value: &Value) -> Sql {
    match stored_value(kind, value) {
        Sql::Text(text) => Sql::Text(crate::js::text::for_sqlite(&text).into_owned()),
        other => other,
    }
}

fn stored_value(kind: &FieldKind, value: &Value) -> Sql {
    if *kind == FieldKind::Boolean
        && let Value::Bool(b) = sanitize_boolean(value)
    {
        return Sql::Integer(i64::from(b));
    }
    match (kind, value) {
        (_, Value::Null) => Sql::Null,
        (FieldKind::Json | FieldKind::Other, v) => Sql::Text(v.to_string()),
        (FieldKind::Date, v) => match to_date(v) {
            Some(at) => Sql::Text(clock::stored(at)),
            None => Sql::Text(js_string(v)),
        },
        (FieldKind::String | FieldKind::Password, v) => Sql::Text(js_string(v)),
        (_, Value::Bool(b)) => Sql::Integer(i64::from(*b)),
        (_, Value::Number(n)) => match n.as_i64() {
            Some(i) => Sql::Integer(i),
            None => Sql::Real(n.as_f64().unwrap_or(0.0)),
        },
        (_, Value::String(s)) => Sql::Text(s.clone()),
        (_, v) => Sql::Text(js_string(v)),
    }
}

/// The JSON value a model's `toJSON` shows for a stored SQLite value of this kind.
pub(crate) fn from_sql(kind: &FieldKind, value: ValueRef<'_>) -> Value {
    match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => match kind {
            FieldKind::Boolean => Value::Bool(i != 0),
            FieldKind::String => Value::String(i.to_string()),
            _ => Value::from(i),
        },
        ValueRef::Real(f) => Number::from_f64(f).map(Value::Number).unwrap_or(Value::Null),
        ValueRef::Text(bytes) => {
            let text = crate::js::text::from_outside(String::from_utf8_lossy(bytes).into_owned());
            match kind {
                FieldKind::Date => Value::String(clock::stored_to_iso(&text)),
                FieldKind::Json | FieldKind::Other => serde_json::from_str(&text).unwrap_or(Value::String(text)),
                _ => Value::String(text),
            }
        }
        ValueRef::Blob(bytes) => Value::String(String::from_utf8_lossy(bytes).into_owned()),
    }
}

/// The raw form a row has when NocoBase reads it without a model (`auth:check` on SQLite):
/// dates stay in their stored text, JSON stays text.
pub(crate) fn raw_from_sql(value: ValueRef<'_>) -> Value {
    match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::from(i),
        ValueRef::Real(f) => Number::from_f64(f).map(Value::Number).unwrap_or(Value::Null),
        ValueRef::Text(bytes) | ValueRef::Blob(bytes) => Value::String(String::from_utf8_lossy(bytes).into_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strings_take_javascript_string_coercion() {
        // Recording 2.2.15-api/80: {"title":{"nested":"object"}} is stored as "[object Object]".
        assert_eq!(assigned(&FieldKind::String, &json!({"nested": "object"})), json!("[object Object]"));
        assert_eq!(js_string(&json!(12.0)), "12");
        assert_eq!(js_string(&json!([1, null, "a"])), "1,,a");
    }

    #[test]
    fn booleans_keep_what_is_not_a_boolean() {
        assert_eq!(to_sql(&FieldKind::Boolean, &json!(true)), Sql::Integer(1));
        assert_eq!(to_sql(&FieldKind::Boolean, &json!("maybe")), Sql::Text("maybe".into()));
        assert_eq!(from_sql(&FieldKind::Boolean, ValueRef::Text(b"maybe")), json!("maybe"));
        assert_eq!(from_sql(&FieldKind::Boolean, ValueRef::Integer(0)), json!(false));
    }

    #[test]
    fn dates_round_trip_between_stored_and_iso() {
        let stored = to_sql(&FieldKind::Date, &json!("2026-11-26T14:49:04.607Z"));
        assert_eq!(stored, Sql::Text("2026-11-26 14:49:04.607 +00:00".into()));
        assert_eq!(
            from_sql(&FieldKind::Date, ValueRef::Text(b"2026-11-26 14:49:04.607 +00:00")),
            json!("2026-11-26T14:49:04.607Z")
        );
    }
}
