//! NocoBase filters (`{"title":{"$includes":"dog"}}`, `{"$and":[…]}`, `{"title.$ne":"x"}`,
//! `{"createdBy.nickname":"…"}`) compiled to SQLite `WHERE` clauses with the SQL that NocoBase's
//! operators (`packages/core/database/src/operators`) make Sequelize emit. Running the same SQL on
//! the same engine gives the same answers, NULL handling included.

use rusqlite::types::Value as Sql;
use serde_json::{Map, Value};

use super::error::{ApiError, ApiResult};
use super::inspect::inspect;
use super::schema::{Collection, FieldKind, quote};
use super::values::{js_string, to_sql};

/// A compiled `WHERE` condition and its parameters.
#[derive(Debug, Default)]
pub(crate) struct Condition {
    /// SQL text, or empty for "no condition".
    pub(crate) sql: String,
    /// Positional parameters for the `?` in `sql`.
    pub(crate) params: Vec<Sql>,
}

impl Condition {
    /// Joins conditions with `AND`.
    pub(crate) fn and(parts: Vec<Condition>) -> Condition {
        Self::join(parts, " AND ")
    }

    fn join(parts: Vec<Condition>, glue: &str) -> Condition {
        let parts: Vec<Condition> = parts.into_iter().filter(|c| !c.sql.is_empty()).collect();
        match parts.len() {
            0 => Condition::default(),
            1 => parts.into_iter().next().unwrap_or_default(),
            _ => {
                let mut params = Vec::new();
                let mut texts = Vec::new();
                for part in parts {
                    texts.push(format!("({})", part.sql));
                    params.extend(part.params);
                }
                Condition { sql: texts.join(glue), params }
            }
        }
    }

    fn raw(sql: impl Into<String>, params: Vec<Sql>) -> Condition {
        Condition { sql: sql.into(), params }
    }
}

/// Looks up other collections (association targets).
pub(crate) trait Catalog {
    /// The collection called `name`, if it exists.
    fn collection(&self, name: &str) -> Option<Collection>;
}

/// Compiles `filter` for rows of `collection`.
pub(crate) fn compile(filter: &Value, collection: &Collection, catalog: &dyn Catalog) -> ApiResult<Condition> {
    match filter {
        Value::Object(map) => object(map, collection, catalog),
        Value::Null => Ok(Condition::default()),
        other => Err(ApiError::server(format!("Invalid value {}", inspect(other)))),
    }
}

fn object(map: &Map<String, Value>, collection: &Collection, catalog: &dyn Catalog) -> ApiResult<Condition> {
    let mut parts = Vec::new();
    for (key, value) in map {
        parts.push(entry(key, value, collection, catalog)?);
    }
    Ok(Condition::and(parts))
}

fn logical(glue: &str, value: &Value, collection: &Collection, catalog: &dyn Catalog) -> ApiResult<Condition> {
    let items: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        Value::Object(map) => map.values().collect(),
        other => return Err(ApiError::server(format!("Invalid value {}", inspect(other)))),
    };
    let mut parts = Vec::new();
    for item in items {
        parts.push(compile(item, collection, catalog)?);
    }
    Ok(Condition::join(parts, glue))
}

fn entry(key: &str, value: &Value, collection: &Collection, catalog: &dyn Catalog) -> ApiResult<Condition> {
    match key {
        "$and" => return logical(" AND ", value, collection, catalog),
        "$or" => return logical(" OR ", value, collection, catalog),
        _ => {}
    }
    let mut path: Vec<&str> = key.split('.').collect();
    let operator = match path.last() {
        Some(last) if last.starts_with('$') && path.len() > 1 => path.pop(),
        _ => None,
    };
    let field_name = path[0];
    if field_name.starts_with('$') {
        return Err(ApiError::server(format!("Invalid value {}", inspect(value))));
    }

    // An association: filter on the target's attributes through a subquery.
    if let Some(association) = collection.association(field_name) {
        let rest = &path[1..];
        let nested = match (rest.is_empty(), operator) {
            (true, None) => value.clone(),
            (true, Some(op)) => {
                let mut m = Map::new();
                m.insert(op.to_owned(), value.clone());
                return association_condition(association.kind.clone(), collection, catalog, &wrap_key("id", m));
            }
            (false, op) => {
                let mut inner_key = rest.join(".");
                if let Some(op) = op {
                    inner_key = format!("{inner_key}.{op}");
                }
                let mut m = Map::new();
                m.insert(inner_key, value.clone());
                Value::Object(m)
            }
        };
        return association_condition(association.kind.clone(), collection, catalog, &nested);
    }

    let Some(field) = collection.attribute(field_name) else {
        return Err(unknown_column(collection, field_name));
    };
    if path.len() > 1 {
        return Err(unknown_column(collection, key));
    }
    let column = format!("{}.{}", quote(&collection.name), quote(field_name));
    match operator {
        Some(op) => operator_condition(op, value, &column, &field.kind, value),
        None => match value {
            Value::Object(ops) if ops.keys().all(|k| k.starts_with('$')) && !ops.is_empty() => {
                let mut parts = Vec::new();
                for (op, operand) in ops {
                    parts.push(operator_condition(op, operand, &column, &field.kind, value)?);
                }
                Ok(Condition::and(parts))
            }
            Value::Object(_) => Err(ApiError::server(format!("Invalid value {}", inspect(value)))),
            _ => eq(value, &column, &field.kind),
        },
    }
}

fn wrap_key(key: &str, ops: Map<String, Value>) -> Value {
    let mut m = Map::new();
    m.insert(key.to_owned(), Value::Object(ops));
    Value::Object(m)
}

/// What NocoBase 2.x answers when Sequelize names a column the table lacks (its error handler's
/// SQL-reference renderer).
fn unknown_column(collection: &Collection, name: &str) -> ApiError {
    tracing::debug!(collection = %collection.name, name, "filter names an unknown column");
    ApiError::bad_request("Invalid SQL column or table reference")
}

fn association_condition(
    kind: FieldKind,
    collection: &Collection,
    catalog: &dyn Catalog,
    nested: &Value,
) -> ApiResult<Condition> {
    let target_of =
        |name: &str| catalog.collection(name).ok_or_else(|| ApiError::Internal(format!("no collection {name}")));
    match kind {
        FieldKind::BelongsTo { target, foreign_key, target_key } => {
            let target = target_of(&target)?;
            let inner = compile(nested, &target, catalog)?;
            let where_sql = if inner.sql.is_empty() { "1".to_owned() } else { inner.sql };
            Ok(Condition::raw(
                format!(
                    "{}.{} IN (SELECT {}.{} FROM {} WHERE {})",
                    quote(&collection.name),
                    quote(&foreign_key),
                    quote(&target.name),
                    quote(&target_key),
                    quote(&target.name),
                    where_sql
                ),
                inner.params,
            ))
        }
        FieldKind::BelongsToMany { target, through, foreign_key, other_key, source_key, target_key } => {
            let target = target_of(&target)?;
            let inner = compile(nested, &target, catalog)?;
            let where_sql = if inner.sql.is_empty() { "1".to_owned() } else { inner.sql };
            Ok(Condition::raw(
                format!(
                    "{}.{} IN (SELECT {t}.{fk} FROM {t} JOIN {target} ON {target}.{tk} = {t}.{ok} WHERE {w})",
                    quote(&collection.name),
                    quote(&source_key),
                    t = quote(&through),
                    fk = quote(&foreign_key),
                    target = quote(&target.name),
                    tk = quote(&target_key),
                    ok = quote(&other_key),
                    w = where_sql
                ),
                inner.params,
            ))
        }
        FieldKind::HasMany { target, foreign_key, source_key } => {
            let target = target_of(&target)?;
            let inner = compile(nested, &target, catalog)?;
            let where_sql = if inner.sql.is_empty() { "1".to_owned() } else { inner.sql };
            Ok(Condition::raw(
                format!(
                    "{}.{} IN (SELECT {}.{} FROM {} WHERE {})",
                    quote(&collection.name),
                    quote(&source_key),
                    quote(&target.name),
                    quote(&foreign_key),
                    quote(&target.name),
                    where_sql
                ),
                inner.params,
            ))
        }
        _ => Err(ApiError::Internal("not an association".into())),
    }
}

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

fn eq(value: &Value, column: &str, kind: &FieldKind) -> ApiResult<Condition> {
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

fn operator_condition(op: &str, value: &Value, column: &str, kind: &FieldKind, whole: &Value) -> ApiResult<Condition> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::schema::system_collections;
    use serde_json::json;

    struct NoCatalog;
    impl Catalog for NoCatalog {
        fn collection(&self, name: &str) -> Option<Collection> {
            system_collections().into_iter().find(|c| c.name == name)
        }
    }

    fn todos() -> Collection {
        let fields: Vec<Map<String, Value>> = json!([
            {"name":"id","type":"bigInt","primaryKey":true,"autoIncrement":true},
            {"name":"title","type":"string"},
            {"name":"completed","type":"boolean"},
            {"name":"createdBy","type":"belongsTo","target":"users","foreignKey":"createdById"}
        ])
        .as_array()
        .expect("array")
        .iter()
        .map(|v| v.as_object().expect("object").clone())
        .collect();
        crate::reference::schema::user_collection("todos", &Map::new(), &fields)
    }

    fn sql(filter: Value) -> String {
        compile(&filter, &todos(), &NoCatalog).expect("compiles").sql
    }

    #[test]
    fn operators_emit_nocobase_sql() {
        assert_eq!(
            sql(json!({"completed": {"$isFalsy": true}})),
            "(\"todos\".\"completed\" IS NULL OR \"todos\".\"completed\" = 0)"
        );
        assert_eq!(sql(json!({"title.$ne": "x"})), "(\"todos\".\"title\" != ? OR \"todos\".\"title\" IS NULL)");
        assert_eq!(sql(json!({"title": {"$includes": "dog"}})), "\"todos\".\"title\" LIKE ?");
        assert_eq!(
            sql(json!({"$and": [{"completed": true}, {"title": "a"}]})),
            "(\"todos\".\"completed\" = ?) AND (\"todos\".\"title\" = ?)"
        );
        assert!(
            sql(json!({"createdBy.nickname": "Super Admin"})).contains("IN (SELECT \"users\".\"id\" FROM \"users\"")
        );
    }

    #[test]
    fn unknown_operator_is_sequelizes_invalid_value() {
        let err = compile(&json!({"title": {"$includesAny": ["milk", "dog"]}}), &todos(), &NoCatalog)
            .expect_err("an unknown operator");
        assert_eq!(err.to_string(), "Invalid value { '$includesAny': [ 'milk', 'dog' ] }");
    }
}
