//! A collection's fields (`collections/<name>/fields:create|list`) and how NocoBase keeps and
//! shows them: the options in their own columns or in `options`, the echo of `collections:create`,
//! and the loaded field options `dataSourcesCollections:list` shows.

use rusqlite::params;
use serde_json::{Map, Value, json};

use crate::db::identifiers::{check_identifier, uid_value};
use crate::db::ids::uid;
use crate::db::schema::{FieldKind, quote};
use crate::http::error::{ApiError, ApiResult};
use crate::http::reply::Reply;
use crate::resources::Ctx;

/// Options kept in their own columns rather than in a field's `options`.
const FIELD_COLUMNS: &[&str] =
    &["key", "name", "type", "interface", "description", "collectionName", "parentKey", "reverseKey"];

/// A field as `collections:create` echoes it: key, name, type, interface, collectionName, options.
fn echo_field(key: &str, collection: &str, given: &Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("key".into(), json!(key));
    for k in ["name", "type", "interface"] {
        if let Some(v) = given.get(k) {
            out.insert(k.into(), v.clone());
        }
    }
    out.insert("collectionName".into(), json!(collection));
    for (k, v) in given {
        if !FIELD_COLUMNS.contains(&k.as_str()) {
            out.insert(k.clone(), v.clone());
        }
    }
    if given.get("type").and_then(Value::as_str) == Some("belongsTo") && !out.contains_key("targetKey") {
        out.insert("targetKey".into(), json!("id"));
    }
    out
}

/// A stored field as `collections:get` and `fields:list` show it.
fn stored_field(key: &str, collection: &str, options: &Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("key".into(), json!(key));
    for k in ["name", "type", "interface"] {
        out.insert(k.into(), options.get(k).cloned().unwrap_or(Value::Null));
    }
    out.insert("description".into(), Value::Null);
    out.insert("collectionName".into(), json!(collection));
    out.insert("parentKey".into(), Value::Null);
    out.insert("reverseKey".into(), Value::Null);
    for (k, v) in options {
        if !FIELD_COLUMNS.contains(&k.as_str()) {
            out.insert(k.clone(), v.clone());
        }
    }
    out
}

pub(super) fn insert_field(
    tx: &rusqlite::Transaction<'_>,
    collection: &str,
    field: &Map<String, Value>,
    sort: i64,
) -> ApiResult<Map<String, Value>> {
    let mut options = field.clone();
    if options.get("type").and_then(Value::as_str) == Some("belongsTo") && !options.contains_key("targetKey") {
        options.insert("targetKey".into(), json!("id"));
    }
    let stored: Map<String, Value> = options
        .iter()
        .filter(|(k, _)| !FIELD_COLUMNS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let key = uid();
    tx.execute(
        "INSERT INTO fields (key, name, type, interface, description, collectionName, options, sort) VALUES (?, ?, ?, ?, NULL, ?, ?, ?)",
        params![
            key,
            field.get("name").and_then(Value::as_str),
            field.get("type").and_then(Value::as_str),
            field.get("interface").and_then(Value::as_str),
            collection,
            Value::Object(stored).to_string(),
            sort
        ],
    )?;
    Ok(echo_field(&key, collection, field))
}

pub(super) fn fields_json(conn: &rusqlite::Connection, collection: &str) -> ApiResult<Vec<Value>> {
    let mut stmt = conn.prepare_cached(
        "SELECT key, options, name, type, interface FROM fields WHERE collectionName = ? ORDER BY sort, rowid",
    )?;
    let rows = stmt
        .query_map([collection], |r| {
            let key: String = r.get(0)?;
            let mut options: Map<String, Value> =
                r.get::<_, Option<String>>(1)?.and_then(|o| serde_json::from_str(&o).ok()).unwrap_or_default();
            options.insert("name".into(), json!(r.get::<_, Option<String>>(2)?));
            options.insert("type".into(), json!(r.get::<_, Option<String>>(3)?));
            options.insert("interface".into(), json!(r.get::<_, Option<String>>(4)?));
            Ok(Value::Object(stored_field(&key, collection, &options)))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// The fields of a user collection as NocoBase's collection manager holds them (`field.options`,
/// what `roles/<role>/dataSourcesCollections:list` shows): the options sent, a `null`
/// `defaultValue` left out, plus `key`, `collectionName` and `__sort` (the stored `sort`;
/// `FieldModel.load`). Order is the in-memory field map's: the fields `collections:create` loaded,
/// association fields after the others (`CollectionModel.loadFields`), each `createdBy`/`updatedBy`
/// followed by its `context` key field; then fields added later, in order (recording ui/16). After a
/// restart NocoBase loads every field in one batch, and so does this without a remembered count.
pub(crate) fn loaded_field_options(
    conn: &rusqlite::Connection,
    initial: Option<usize>,
    collection: &str,
) -> ApiResult<Vec<Value>> {
    let mut stmt = conn.prepare_cached(
        "SELECT key, name, type, interface, options, sort FROM fields WHERE collectionName = ? ORDER BY sort, rowid",
    )?;
    let rows = stmt
        .query_map([collection], |r| {
            let mut out = Map::new();
            out.insert("name".into(), json!(r.get::<_, Option<String>>(1)?));
            out.insert("key".into(), json!(r.get::<_, String>(0)?));
            out.insert("type".into(), json!(r.get::<_, Option<String>>(2)?));
            if let Some(interface) = r.get::<_, Option<String>>(3)? {
                out.insert("interface".into(), json!(interface));
            }
            out.insert("collectionName".into(), json!(collection));
            let options: Map<String, Value> =
                r.get::<_, Option<String>>(4)?.and_then(|o| serde_json::from_str(&o).ok()).unwrap_or_default();
            for (k, v) in options {
                if !(k == "defaultValue" && v.is_null()) {
                    out.insert(k, v);
                }
            }
            out.insert("__sort".into(), json!(r.get::<_, Option<i64>>(5)?));
            Ok(out)
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let is_association = |f: &Map<String, Value>| {
        matches!(f.get("type").and_then(Value::as_str), Some("belongsTo" | "hasOne" | "hasMany" | "belongsToMany"))
    };
    let split = initial.unwrap_or(rows.len()).min(rows.len());
    let (first, later) = rows.split_at(split);
    let mut ordered: Vec<&Map<String, Value>> = first.iter().filter(|f| !is_association(f)).collect();
    ordered.extend(first.iter().filter(|f| is_association(f)));
    ordered.extend(later.iter());
    let mut out = Vec::new();
    for field in ordered {
        out.push(Value::Object(field.clone()));
        let context = match (field.get("type").and_then(Value::as_str), field.get("name").and_then(Value::as_str)) {
            (Some("belongsTo"), Some("createdBy")) => {
                Some(json!({"name": "createdById", "type": "context", "dataType": "bigInt",
                "dataIndex": "state.currentUser.id", "createOnly": true, "visible": true, "index": true}))
            }
            (Some("belongsTo"), Some("updatedBy")) => {
                Some(json!({"name": "updatedById", "type": "context", "dataType": "bigInt",
                "dataIndex": "state.currentUser.id", "visible": true, "index": true}))
            }
            _ => None,
        };
        out.extend(context);
    }
    Ok(out)
}

fn parent(ctx: &Ctx<'_>) -> ApiResult<String> {
    ctx.route.associated_index.clone().ok_or(ApiError::NotFound)
}

/// `POST /api/collections/<name>/fields:create`: adds the field and its column.
pub(crate) fn collections_fields_create(ctx: &Ctx<'_>) -> ApiResult<Reply> {
    let collection_name = parent(ctx)?;
    let mut field = ctx.values();
    // The uid field's hook, then `checkIdentifier` when the collection takes the field
    // (`collection.ts` l.517 `setField`).
    let field_name = uid_value("fields", "name", "f_", field.get("name"))?;
    field.insert("name".into(), json!(field_name));
    let store = ctx.state.store();
    let echoed = store.write(|tx| {
        let collection =
            tx.catalog.get(&collection_name).cloned().filter(|c| c.user_defined).ok_or(ApiError::NotFound)?;
        if collection.field(&field_name).is_some() || collection.attribute(&field_name).is_some() {
            return Err(ApiError::bad_request(format!(
                "Field name \"{field_name}\" already exists in collection \"{collection_name}\""
            )));
        }
        check_identifier(&field_name)?;
        let sort: i64 = tx.sql.query_row(
            "SELECT COALESCE(MAX(sort), 0) + 1 FROM fields WHERE collectionName = ?",
            [&collection_name],
            |r| r.get(0),
        )?;
        let echoed = insert_field(tx.sql, &collection_name, &field, sort)?;
        let kind = FieldKind::from_options(&field);
        let column = match &kind {
            FieldKind::BelongsTo { foreign_key, .. } if collection.attribute(foreign_key).is_none() => {
                Some(foreign_key.clone())
            }
            FieldKind::BelongsTo { .. } | FieldKind::HasMany { .. } | FieldKind::BelongsToMany { .. } => None,
            _ => Some(field_name.clone()),
        };
        if let Some(column) = column {
            tx.sql.execute(
                &format!(
                    "ALTER TABLE {} ADD COLUMN {} {}",
                    quote(&collection_name),
                    quote(&column),
                    kind.column_type()
                ),
                [],
            )?;
        }
        Ok(echoed)
    })?;
    store.reload_catalog()?;
    Ok(Reply::Data(Value::Object(echoed)))
}

/// `GET /api/collections/<name>/fields:list` (the UI asks for fields that have an interface).
pub(crate) fn collections_fields_list(ctx: &Ctx<'_>) -> ApiResult<Reply> {
    let collection_name = parent(ctx)?;
    let rows = ctx.state.store().read(|conn, _| fields_json(conn, &collection_name))?;
    let rows: Vec<Value> = if ctx.params.filter().is_some() {
        rows.into_iter().filter(|f| !f["interface"].is_null()).collect()
    } else {
        rows
    };
    if ctx.params.unpaginated() {
        return Ok(Reply::Data(Value::Array(rows)));
    }
    let count = rows.len() as i64;
    Ok(Reply::Page { rows, meta: json!({"count": count, "page": 1, "pageSize": 20, "totalPage": (count + 19) / 20}) })
}

/// `POST /api/collections/<name>/fields:destroy?filterByTk=<field name>`: removes the field and
/// its column, answering `true` as the association's destroy does (probe 122; `true` for a name
/// the collection does not have too). NocoBase's errors: no such collection → its `null.get`
/// TypeError; neither `filter` nor `filterByTk` → the repository's refusal (both 500).
pub(crate) fn collections_fields_destroy(ctx: &Ctx<'_>) -> ApiResult<Reply> {
    let collection_name = parent(ctx)?;
    let names: Vec<String> = match ctx.params.filter_by_tk() {
        Some(Value::Array(items)) => items.iter().filter_map(|i| i.as_str().map(str::to_owned)).collect(),
        Some(Value::String(one)) => vec![one],
        Some(_) => Vec::new(),
        None if ctx.params.filter().is_some() => return crate::resources::not_implemented(ctx),
        None => return Err(ApiError::server("to do destroy action, filter or filterByTk is required")),
    };
    let store = ctx.state.store();
    store.write(|tx| {
        let Some(collection) = tx.catalog.get(&collection_name).cloned() else {
            return Err(ApiError::server("Cannot read properties of null (reading 'get')"));
        };
        if !collection.user_defined {
            return Err(crate::resources::not_implemented_error(ctx));
        }
        for name in &names {
            tx.sql
                .execute("DELETE FROM fields WHERE collectionName = ? AND name = ?", params![collection_name, name])?;
            if collection.attribute(name).is_some() && name != "id" {
                tx.sql.execute(&format!("ALTER TABLE {} DROP COLUMN {}", quote(&collection_name), quote(name)), [])?;
            }
        }
        Ok(())
    })?;
    store.reload_catalog()?;
    Ok(Reply::Data(json!(true)))
}
