//! NocoBase's filter operators (`packages/core/database/src/operators`: `$eq`, `$ne`, `$in`,
//! `$includes`, `$between`, `$isTruly`, …), each the SQL condition Sequelize emits for it on
//! SQLite, with its values bound as parameters.

use rusqlite::types::Value as Sql;
use serde_json::Value;

use super::Condition;
use crate::db::schema::FieldKind;
use crate::db::sql_values::{js_string, to_sql};
use crate::http::error::{ApiError, ApiResult};
use crate::http::inspect::inspect;

fn param(kind: &FieldKind, value: &Value) -> Sql {
    match (kind, value) {
        (FieldKind::Boolean, Value::Bool(b)) => Sql::Integer(i64::from(*b)),
        (FieldKind::Date, _) => to_sql(kind, value),
        (_, Value::Bool(b)) => Sql::Integer(i64::from(*b)),
        (_, Value::Number(n)) => match n.as_i64() {
            Some(i) => Sql::Integer(i),
            None => Sql::Real(n.as_f64().unwrap_or(0.0)),
        },
        (_, Value::String(s)) => Sql::Text(s.clone()),
        (_, Value::Null) => Sql::Null,
        (_, other) => Sql::Text(other.to_string()),
    }
}

fn list(kind: &FieldKind, values: &[Value]) -> (String, Vec<Sql>) {
    if values.is_empty() {
        return ("NULL".to_owned(), Vec::new());
    }
    let marks = vec!["?"; values.len()].join(", ");
    (marks, values.iter().map(|v| param(kind, v)).collect())
}

pub(super) fn eq(value: &Value, column: &str, kind: &FieldKind) -> ApiResult<Condition> {
    Ok(match value {
        Value::Null => Condition::raw(format!("{column} IS NULL"), vec![]),
        Value::Array(items) => {
            let items: Vec<Value> = if *kind == FieldKind::String {
                items.iter().map(|v| Value::String(js_string(v))).collect()
            } else {
                items.clone()
            };
            let (marks, params) = list(kind, &items);
            Condition::raw(format!("{column} IN ({marks})"), params)
        }
        v if *kind == FieldKind::String && !v.is_string() => {
            Condition::raw(format!("{column} = ?"), vec![Sql::Text(js_string(v))])
        }
        v => Condition::raw(format!("{column} = ?"), vec![param(kind, v)]),
    })
}

fn is_true(value: &Value) -> bool {
    matches!(value, Value::Bool(true)) || value.as_str() == Some("true")
}

fn like_escape(text: &str) -> String {
    text.replace('_', "\\_").replace('%', "\\%")
}

fn likes(value: &Value, column: &str, negate: bool, pattern: fn(&str) -> String) -> Condition {
    let op = if negate { "NOT LIKE" } else { "LIKE" };
    match value {
        Value::Array(items) => {
            let parts = items
                .iter()
                .map(|i| {
                    Condition::raw(format!("{column} {op} ?"), vec![Sql::Text(pattern(&like_escape(&js_string(i))))])
                })
                .collect();
            if negate { Condition::and(parts) } else { Condition::join(parts, " OR ") }
        }
        v => Condition::raw(format!("{column} {op} ?"), vec![Sql::Text(pattern(&like_escape(&js_string(v))))]),
    }
}

pub(super) fn condition(
    op: &str,
    value: &Value,
    column: &str,
    kind: &FieldKind,
    whole: &Value,
) -> ApiResult<Condition> {
    let compare = |sql_op: &str| Condition::raw(format!("{column} {sql_op} ?"), vec![param(kind, value)]);
    Ok(match op {
        "$eq" => eq(value, column, kind)?,
        "$ne" => match value {
            Value::Array(items) => {
                let (marks, params) = list(kind, items);
                Condition::raw(format!("{column} NOT IN ({marks})"), params)
            }
            Value::Null => Condition::raw(format!("{column} IS NOT NULL"), vec![]),
            v => Condition::raw(format!("({column} != ? OR {column} IS NULL)"), vec![param(kind, v)]),
        },
        "$in" => {
            let items = match value {
                Value::Null => vec![],
                Value::Array(items) => items.clone(),
                v => vec![v.clone()],
            };
            let (marks, params) = list(kind, &items);
            Condition::raw(format!("{column} IN ({marks})"), params)
        }
        "$notIn" => {
            let items = match value {
                Value::Array(items) => items.clone(),
                v => vec![v.clone()],
            };
            let (marks, params) = list(kind, &items);
            Condition::raw(format!("({column} NOT IN ({marks}) OR {column} IS NULL)"), params)
        }
        "$gt" => compare(">"),
        "$gte" => compare(">="),
        "$lt" => compare("<"),
        "$lte" => compare("<="),
        "$like" => compare("LIKE"),
        "$notLike" => compare("NOT LIKE"),
        "$is" if value.is_null() => Condition::raw(format!("{column} IS NULL"), vec![]),
        "$not" if value.is_null() => Condition::raw(format!("{column} IS NOT NULL"), vec![]),
        "$exists" => Condition::raw(format!("{column} IS NOT NULL"), vec![]),
        "$notExists" => Condition::raw(format!("{column} IS NULL"), vec![]),
        "$between" => match value.as_array().map(Vec::as_slice) {
            Some([a, b]) => Condition::raw(format!("{column} BETWEEN ? AND ?"), vec![param(kind, a), param(kind, b)]),
            _ => return Err(ApiError::server(format!("Invalid value {}", inspect(whole)))),
        },
        "$includes" if value.is_null() => Condition::raw(format!("{column} IS NULL"), vec![]),
        "$includes" => likes(value, column, false, |t| format!("%{t}%")),
        "$notIncludes" if value.is_null() => Condition::raw(format!("{column} IS NOT NULL"), vec![]),
        "$notIncludes" => likes(value, column, true, |t| format!("%{t}%")),
        "$startsWith" => likes(value, column, false, |t| format!("{t}%")),
        "$notStartsWith" => likes(value, column, true, |t| format!("{t}%")),
        "$endWith" => likes(value, column, false, |t| format!("%{t}")),
        "$notEndWith" => likes(value, column, true, |t| format!("%{t}")),
        "$empty" if *kind == FieldKind::String => {
            Condition::raw(format!("({column} IS NULL OR {column} = '')"), vec![])
        }
        "$empty" => Condition::raw(format!("{column} IS NULL"), vec![]),
        "$notEmpty" if *kind == FieldKind::String => {
            Condition::raw(format!("({column} IS NOT NULL AND {column} != '')"), vec![])
        }
        "$notEmpty" => Condition::raw(format!("{column} IS NOT NULL"), vec![]),
        "$isTruly" if is_true(value) => Condition::raw(format!("{column} = 1"), vec![]),
        "$isTruly" => Condition::raw(format!("({column} IS NULL OR {column} = 0)"), vec![]),
        "$isFalsy" if is_true(value) => Condition::raw(format!("({column} IS NULL OR {column} = 0)"), vec![]),
        "$isFalsy" => Condition::raw(format!("{column} = 1"), vec![]),
        _ => return Err(ApiError::server(format!("Invalid value {}", inspect(whole)))),
    })
}
