//! The repository's writes: create (echoing what the model instance holds), update (only when
//! something changed) and destroy (returning the count), with password fields hashed on the way.

use rusqlite::types::Value as Sql;
use serde_json::{Map, Value};

use super::{Paging, Row, Selection, condition, find, get, key_param, run_sql, where_sql};
use crate::db::clock;
use crate::db::password;
use crate::db::schema::{Collection, Field, FieldKind, KeyKind, quote};
use crate::db::sql_values::{assigned, js_string, to_sql};
use crate::db::store::Tx;
use crate::http::error::{ApiError, ApiResult};

/// What PasswordField's hook (`packages/core/database/src/fields/password-field.ts`) stores for
/// a password being set: a truthy value hashed (as a string: a number is hashed as its digits,
/// NocoBase 2.2.15 signs `12345` in with `"12345"`); `None` for a falsy one (`null`, `""`, `0`,
/// `false`), which sets nothing new.
fn hashed_password(value: &Value) -> Option<Value> {
    let truthy = match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    };
    truthy.then(|| Value::String(password::hash(&js_string(value))))
}

/// Who is writing, for `createdById` / `updatedById`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Actor(pub(crate) Option<i64>);

/// Creates a row from `values`; returns what the created model instance holds (what NocoBase
/// echoes): the primary key, the values given for known attributes, defaults, timestamps and the
/// creator. Unknown keys and association values are ignored here.
pub(crate) fn insert(
    tx: &Tx<'_>,
    collection: &Collection,
    values: &Map<String, Value>,
    actor: Actor,
) -> ApiResult<Row> {
    let now = clock::now();
    let mut instance = Map::new();
    let mut columns: Vec<String> = Vec::new();
    let mut params: Vec<Sql> = Vec::new();
    for field in collection.attributes() {
        let name = field.name.as_str();
        let value = if name == collection.primary_key {
            match (collection.key_kind, values.get(name)) {
                (_, Some(v)) if !v.is_null() => Some(v.clone()),
                (KeyKind::Snowflake, _) => Some(Value::from(tx.snowflakes.next())),
                _ => None,
            }
        } else if name == "createdAt" && collection.created_at {
            // Sequelize keeps a truthy `createdAt` the client gave (`Model.save`); a text that
            // is no date becomes an Invalid Date, which shows and stores as null (recording
            // 2.2.15-offpath/376).
            match values.get(name).filter(|v| crate::js::from_serde(v).truthy()) {
                Some(given) => Some(match assigned(&FieldKind::Date, given) {
                    Value::String(iso) if clock::parse(&iso).is_some() => Value::String(iso),
                    _ => Value::Null,
                }),
                None => Some(Value::String(clock::iso(now))),
            }
        } else if name == "updatedAt" && collection.updated_at {
            Some(Value::String(clock::iso(now)))
        } else if (name == "createdById" && collection.created_by) || (name == "updatedById" && collection.updated_by) {
            Some(actor.0.map(Value::from).unwrap_or(Value::Null))
        } else if let Some(v) = values.get(name) {
            if field.kind == FieldKind::Password { hashed_password(v) } else { Some(assigned(&field.kind, v)) }
        } else {
            field.default.clone()
        };
        if let Some(v) = value {
            params.push(to_sql(&field.kind, &v));
            columns.push(quote(name));
            let shown = if field.kind == FieldKind::Date { assigned(&field.kind, &v) } else { v };
            instance.insert(name.to_owned(), shown);
        }
    }
    let sql = if columns.is_empty() {
        format!("INSERT INTO {} DEFAULT VALUES", quote(&collection.name))
    } else {
        format!(
            "INSERT INTO {} ({}) VALUES ({})",
            quote(&collection.name),
            columns.join(", "),
            vec!["?"; columns.len()].join(", ")
        )
    };
    tx.sql.execute(&sql, rusqlite::params_from_iter(params.iter())).map_err(|e| unique_violation(collection, e))?;
    if collection.key_kind == KeyKind::AutoIncrement && !instance.contains_key(&collection.primary_key) {
        let id = tx.sql.last_insert_rowid();
        let mut with_key = Map::new();
        with_key.insert(collection.primary_key.clone(), Value::from(id));
        with_key.extend(instance);
        instance = with_key;
    }
    Ok(instance)
}

/// plugin-error-handler's answer to a unique-constraint failure: 400 `<field title> already
/// exists` (`"unique violation": "{{field}} already exists"`, the field's `uiSchema.title`;
/// probe 340: `ID already exists`).
fn unique_violation(collection: &Collection, error: rusqlite::Error) -> ApiError {
    let text = error.to_string();
    let Some(columns) = text.split("UNIQUE constraint failed:").nth(1) else {
        return crate::db::sql_errors::answer(error);
    };
    let column = columns.split(',').next().and_then(|c| c.rsplit('.').next()).unwrap_or("value").trim();
    let label = collection.attribute(column).map(|f| f.label().to_owned()).unwrap_or_else(|| column.to_owned());
    ApiError::bad_request(format!("{label} already exists"))
}

/// Updates the selected rows with the known attributes of `values`; returns the updated rows
/// (re-read). A row whose values do not change is returned untouched, as Sequelize skips saves
/// without changes.
pub(crate) fn update(
    tx: &Tx<'_>,
    collection: &Collection,
    selection: &Selection,
    values: &Map<String, Value>,
    actor: Actor,
) -> ApiResult<Vec<Row>> {
    let rows = find(tx.sql, &tx.catalog, collection, selection, &Paging::default())?;
    let now = Value::String(clock::iso(clock::now()));
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let mut changes: Vec<(Field, Value)> = Vec::new();
        let mut password_changed = false;
        for field in collection.attributes() {
            let name = field.name.as_str();
            let protected = name == collection.primary_key
                || name == "createdAt"
                || name == "updatedAt"
                || name == "createdById"
                || name == "updatedById";
            if protected {
                continue;
            }
            match values.get(name) {
                // Sequelize marks the password changed when the value set differs from the stored
                // hash; PasswordField's hook then hashes a truthy value and puts the stored hash
                // back for a falsy one (which still counts as a change: NocoBase 2.2.15, asked live).
                Some(v) if field.kind == FieldKind::Password && row.get(name) != Some(v) => {
                    let new = hashed_password(v).unwrap_or_else(|| row.get(name).cloned().unwrap_or(Value::Null));
                    password_changed = true;
                    changes.push((field, new));
                }
                Some(_) if field.kind == FieldKind::Password => {}
                Some(v) => {
                    let new = assigned(&field.kind, v);
                    if row.get(name) != Some(&new) {
                        changes.push((field, new));
                    }
                }
                None => {}
            }
        }
        // plugin-users' `users.beforeUpdate`: a changed password stamps `passwordChangeTz`, which
        // ends the sessions signed in before it.
        if password_changed
            && collection.name == "users"
            && let Some(f) = collection.attribute("passwordChangeTz")
        {
            changes.retain(|(c, _)| c.name != f.name);
            changes.push((f, Value::from(clock::unix_millis(clock::now()))));
        }
        let key = row.get(&collection.primary_key).cloned().unwrap_or(Value::Null);
        if !changes.is_empty() {
            if collection.updated_at
                && let Some(f) = collection.attribute("updatedAt")
            {
                changes.push((f, now.clone()));
            }
            if collection.updated_by
                && let Some(f) = collection.attribute("updatedById")
            {
                changes.push((f, actor.0.map(Value::from).unwrap_or(Value::Null)));
            }
            let sets: Vec<String> = changes.iter().map(|(f, _)| format!("{} = ?", quote(&f.name))).collect();
            let mut params: Vec<Sql> = changes.iter().map(|(f, v)| to_sql(&f.kind, v)).collect();
            params.push(key_param(&FieldKind::Other, &key));
            let sql = format!(
                "UPDATE {} SET {} WHERE {} = ?",
                quote(&collection.name),
                sets.join(", "),
                quote(&collection.primary_key)
            );
            tx.sql
                .execute(&sql, rusqlite::params_from_iter(params.iter()))
                .map_err(|e| unique_violation(collection, e))?;
        }
        if let Some(fresh) = get(tx.sql, &tx.catalog, collection, &key)? {
            out.push(fresh);
        }
    }
    Ok(out)
}

/// Deletes the selected rows; returns how many.
pub(crate) fn delete(tx: &Tx<'_>, collection: &Collection, selection: &Selection) -> ApiResult<usize> {
    let c = condition(&tx.catalog, collection, selection)?;
    let sql = format!("DELETE FROM {}{}", quote(&collection.name), where_sql(&c));
    run_sql(tx.sql.execute(&sql, rusqlite::params_from_iter(c.params.iter())))
}
