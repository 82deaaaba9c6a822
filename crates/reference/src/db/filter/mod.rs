//! NocoBase filters (`{"title":{"$includes":"dog"}}`, `{"$and":[…]}`, `{"title.$ne":"x"}`,
//! `{"createdBy.nickname":"…"}`) compiled to SQLite `WHERE` clauses with the SQL that NocoBase's
//! operators (`packages/core/database/src/operators`) make Sequelize emit. Running the same SQL on
//! the same engine gives the same answers, NULL handling included. The operators themselves are
//! in [`operators`].

mod operators;

use std::collections::HashMap;

use rusqlite::types::Value as Sql;
use serde_json::{Map, Value};

use crate::db::schema::{Collection, Field, FieldKind, quote};
use crate::http::error::{ApiError, ApiResult};
use crate::http::inspect::inspect;

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

/// Where NocoBase's filters run into SQLite's limits. Sequelize joins one table per association
/// a filter names (a belongsToMany two: the through table and the target), once per distinct
/// path, into a single query; SQLite refuses more than 200 terms in a FROM clause and more than
/// 64 tables in a join. NocoBase 2.2.15 answers both as 500s with SQLite's message (asked live:
/// `users:list` with `createdBy.` ×63 is answered, ×64 is the join error, ×200 the FROM error).
/// The reference server compiles each association path to a subquery of its own, which SQLite
/// would not limit that way, so it counts the tables instead. Stopping at the FROM limit while
/// compiling also bounds the work, and how deeply compiling recurses, whatever the client sends.
const MAX_FROM_TERMS: usize = 200;
/// SQLite's join limit (see [`MAX_FROM_TERMS`]).
const MAX_JOIN_TABLES: usize = 64;

/// Compiles `filter` for rows of `collection`.
pub(crate) fn compile(filter: &Value, collection: &Collection, catalog: &dyn Catalog) -> ApiResult<Condition> {
    let mut compiler = Compiler { catalog, includes: HashMap::new(), tables: 1 };
    let condition = compiler.filter(filter, collection, ROOT)?;
    if compiler.tables > MAX_JOIN_TABLES {
        return Err(ApiError::server(format!("SQLITE_ERROR: at most {MAX_JOIN_TABLES} tables in a join")));
    }
    Ok(condition)
}

/// The include node of the filtered collection itself.
const ROOT: usize = 0;

/// One compilation: the association paths met so far, as Sequelize's include tree.
struct Compiler<'a> {
    catalog: &'a dyn Catalog,
    /// Include nodes by (parent node, association name); node ids start after [`ROOT`].
    includes: HashMap<(usize, String), usize>,
    /// Tables the joined query would name: the collection's own and each include's.
    tables: usize,
}

impl Compiler<'_> {
    /// The include node of association `field` under `parent`, added (and its tables counted)
    /// the first time the filter names that path.
    fn include(&mut self, parent: usize, field: &Field) -> ApiResult<usize> {
        let next = self.includes.len() + 1;
        let node = *self.includes.entry((parent, field.name.clone())).or_insert(next);
        if node == next {
            self.tables += if matches!(field.kind, FieldKind::BelongsToMany { .. }) { 2 } else { 1 };
            if self.tables > MAX_FROM_TERMS {
                return Err(ApiError::server(format!(
                    "SQLITE_ERROR: too many FROM clause terms, max: {MAX_FROM_TERMS}"
                )));
            }
        }
        Ok(node)
    }

    fn filter(&mut self, filter: &Value, collection: &Collection, node: usize) -> ApiResult<Condition> {
        match filter {
            Value::Object(map) => {
                let mut parts = Vec::new();
                for (key, value) in map {
                    parts.push(self.entry(key, value, collection, node)?);
                }
                Ok(Condition::and(parts))
            }
            Value::Null => Ok(Condition::default()),
            other => Err(ApiError::server(format!("Invalid value {}", inspect(other)))),
        }
    }

    fn logical(&mut self, glue: &str, value: &Value, collection: &Collection, node: usize) -> ApiResult<Condition> {
        let items: Vec<&Value> = match value {
            Value::Array(items) => items.iter().collect(),
            Value::Object(map) => map.values().collect(),
            other => return Err(ApiError::server(format!("Invalid value {}", inspect(other)))),
        };
        let mut parts = Vec::new();
        for item in items {
            parts.push(self.filter(item, collection, node)?);
        }
        Ok(Condition::join(parts, glue))
    }

    fn entry(&mut self, key: &str, value: &Value, collection: &Collection, node: usize) -> ApiResult<Condition> {
        match key {
            "$and" => return self.logical(" AND ", value, collection, node),
            "$or" => return self.logical(" OR ", value, collection, node),
            _ => {}
        }
        let mut path: Vec<&str> = key.split('.').collect();
        let operator = match path.last() {
            Some(last) if last.starts_with('$') && path.len() > 1 => path.pop(),
            _ => None,
        };
        self.path(key, &path, operator, value, collection, node)
    }

    /// The condition `path` (a key split at its dots, operator removed) puts on `collection`.
    /// An association walks on with the rest of the path, as a slice: no key is rebuilt.
    fn path(
        &mut self,
        key: &str,
        path: &[&str],
        operator: Option<&str>,
        value: &Value,
        collection: &Collection,
        node: usize,
    ) -> ApiResult<Condition> {
        let Some((&field_name, rest)) = path.split_first() else {
            return Err(unknown_column(collection, key));
        };
        if field_name.starts_with('$') {
            return Err(ApiError::server(format!("Invalid value {}", inspect(value))));
        }

        // An association: filter on the target's attributes through a subquery that joins every
        // association hop the path names (nesting one subquery per hop, SQLite would refuse a
        // path of 42 hops as too deep an expression; NocoBase answers up to 63).
        if collection.association(field_name).is_some() {
            let mut hops: Vec<(FieldKind, Collection)> = Vec::new();
            let mut current = collection.clone();
            let mut node = node;
            let mut rest = path;
            while let Some((&name, tail)) = rest.split_first()
                && let Some(association) = current.association(name)
            {
                node = self.include(node, association)?;
                let target = self.target(&association.kind)?;
                hops.push((association.kind.clone(), target.clone()));
                current = target;
                rest = tail;
            }
            let inner = match (rest.is_empty(), operator) {
                (true, None) => self.filter(value, &current, node)?,
                (true, Some(op)) => {
                    let mut ops = Map::new();
                    ops.insert(op.to_owned(), value.clone());
                    self.filter(&wrap_key("id", ops), &current, node)?
                }
                // What is left starts with an attribute (or nothing `current` has).
                (false, op) => self.path(key, rest, op, value, &current, node)?,
            };
            return joined(collection, &hops, inner);
        }

        let Some(field) = collection.attribute(field_name) else {
            return Err(unknown_column(collection, field_name));
        };
        if !rest.is_empty() {
            return Err(unknown_column(collection, key));
        }
        let column = format!("{}.{}", quote(&collection.name), quote(field_name));
        match operator {
            Some(op) => operators::condition(op, value, &column, &field.kind, value),
            None => match value {
                Value::Object(ops) if ops.keys().all(|k| k.starts_with('$')) && !ops.is_empty() => {
                    let mut parts = Vec::new();
                    for (op, operand) in ops {
                        parts.push(operators::condition(op, operand, &column, &field.kind, value)?);
                    }
                    Ok(Condition::and(parts))
                }
                Value::Object(_) => Err(ApiError::server(format!("Invalid value {}", inspect(value)))),
                _ => operators::eq(value, &column, &field.kind),
            },
        }
    }

    /// The collection an association leads to.
    fn target(&self, kind: &FieldKind) -> ApiResult<Collection> {
        let name = match kind {
            FieldKind::BelongsTo { target, .. }
            | FieldKind::HasMany { target, .. }
            | FieldKind::BelongsToMany { target, .. } => target,
            _ => return Err(ApiError::Internal("not an association".into())),
        };
        self.catalog.collection(name).ok_or_else(|| ApiError::Internal(format!("no collection {name}")))
    }
}

/// `collection`'s rows that reach, through the association `hops`, target rows meeting `inner`:
/// `<key> IN (SELECT … FROM <first hop> JOIN <next hop> … WHERE <inner>)`. The last target keeps
/// its own name (`inner` is qualified with it); the tables before it are aliased `j0`, `j1`, …
/// (`j0t`, … for through tables), so a path may pass through the same table many times.
fn joined(collection: &Collection, hops: &[(FieldKind, Collection)], inner: Condition) -> ApiResult<Condition> {
    let last = hops.len().saturating_sub(1);
    // How hop `i`'s tables are named in the FROM clause and in expressions.
    let table = |i: usize, name: &str| -> (String, String) {
        if i == last {
            (quote(name), quote(name))
        } else {
            (format!("{} AS \"j{i}\"", quote(name)), format!("\"j{i}\""))
        }
    };
    let through = |i: usize, name: &str| -> (String, String) {
        if i == last {
            (quote(name), quote(name))
        } else {
            (format!("{} AS \"j{i}t\"", quote(name)), format!("\"j{i}t\""))
        }
    };
    let mut outer_column = String::new();
    let mut selected = String::new();
    let mut from = String::new();
    let mut previous = String::new();
    for (i, (kind, target)) in hops.iter().enumerate() {
        let (target_from, target_ref) = table(i, &target.name);
        match kind {
            FieldKind::BelongsTo { foreign_key, target_key, .. } => {
                if i == 0 {
                    outer_column = quote(foreign_key);
                    selected = format!("{target_ref}.{}", quote(target_key));
                    from = target_from;
                } else {
                    from.push_str(&format!(
                        " JOIN {target_from} ON {target_ref}.{} = {previous}.{}",
                        quote(target_key),
                        quote(foreign_key)
                    ));
                }
            }
            FieldKind::HasMany { foreign_key, source_key, .. } => {
                if i == 0 {
                    outer_column = quote(source_key);
                    selected = format!("{target_ref}.{}", quote(foreign_key));
                    from = target_from;
                } else {
                    from.push_str(&format!(
                        " JOIN {target_from} ON {target_ref}.{} = {previous}.{}",
                        quote(foreign_key),
                        quote(source_key)
                    ));
                }
            }
            FieldKind::BelongsToMany {
                through: through_name, foreign_key, other_key, source_key, target_key, ..
            } => {
                let (through_from, through_ref) = through(i, through_name);
                let target_join = format!(
                    " JOIN {target_from} ON {target_ref}.{} = {through_ref}.{}",
                    quote(target_key),
                    quote(other_key)
                );
                if i == 0 {
                    outer_column = quote(source_key);
                    selected = format!("{through_ref}.{}", quote(foreign_key));
                    from = format!("{through_from}{target_join}");
                } else {
                    from.push_str(&format!(
                        " JOIN {through_from} ON {through_ref}.{} = {previous}.{}{target_join}",
                        quote(foreign_key),
                        quote(source_key)
                    ));
                }
            }
            _ => return Err(ApiError::Internal("not an association".into())),
        }
        previous = target_ref;
    }
    let where_sql = if inner.sql.is_empty() { "1".to_owned() } else { inner.sql };
    Ok(Condition::raw(
        format!("{}.{outer_column} IN (SELECT {selected} FROM {from} WHERE {where_sql})", quote(&collection.name)),
        inner.params,
    ))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::system_collections::system_collections;
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
        crate::db::schema::user_collection("todos", &Map::new(), &fields)
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

    fn users() -> Collection {
        system_collections().into_iter().find(|c| c.name == "users").expect("users")
    }

    fn on_users(filter: Value) -> Result<String, String> {
        compile(&filter, &users(), &NoCatalog).map(|c| c.sql).map_err(|e| e.to_string())
    }

    fn created_by(hops: usize) -> String {
        format!("{}id", "createdBy.".repeat(hops))
    }

    #[test]
    fn association_paths_count_tables_as_sqlite_does_for_nocobase() {
        // NocoBase 2.2.15 (asked live): 63 hops are answered, 64 are one table too many.
        assert!(on_users(json!({ created_by(63): 1 })).is_ok());
        let join = Err("SQLITE_ERROR: at most 64 tables in a join".to_owned());
        assert_eq!(on_users(json!({ created_by(64): 1 })), join);
        // One table per distinct path, summed over the filter; a belongsToMany hop costs two.
        assert!(on_users(json!({ created_by(63): 1, "createdBy.nickname": "x" })).is_ok());
        assert!(on_users(json!({ created_by(62): 1, "updatedBy.id": 1 })).is_ok());
        assert_eq!(on_users(json!({ created_by(63): 1, "updatedBy.id": 1 })), join);
        assert!(on_users(json!({ format!("{}roles.name", "roles.users.".repeat(15)): "x" })).is_ok());
        assert_eq!(on_users(json!({ format!("{}id", "roles.users.".repeat(16)): 1 })), join);
        // The nested-object form of a path counts the same.
        let nested: Value =
            serde_json::from_str(&format!("{}{{\"id\":1}}{}", "{\"createdBy\":".repeat(64), "}".repeat(64)))
                .expect("json");
        assert_eq!(on_users(nested), join);
    }

    #[test]
    fn a_path_past_the_from_clause_limit_stops_compiling() {
        // NocoBase 2.2.15 (asked live): 200 hops and more; 1400 hops used to overflow this stack.
        let from = Err("SQLITE_ERROR: too many FROM clause terms, max: 200".to_owned());
        assert_eq!(
            on_users(json!({ created_by(199): 1 })),
            Err("SQLITE_ERROR: at most 64 tables in a join".to_owned())
        );
        assert_eq!(on_users(json!({ created_by(200): 1 })), from);
        assert_eq!(on_users(json!({ created_by(1400): 1 })), from);
        assert_eq!(on_users(json!({ created_by(100_000): 1 })), from);
    }
}
