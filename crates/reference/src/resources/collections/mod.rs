//! The collection manager (`plugin-data-source-main`): `collections:create` (the admin UI's
//! "General collection" body with preset fields, or a hand-made one), `collections:get|list|
//! destroy`, and `collections/<name>/fields:create|list`. Creating a collection creates its table
//! and its record resource (`<name>:list`, …); destroying it drops both. Fields are in
//! [`fields`].

pub(crate) mod fields;

use std::sync::OnceLock;

use rusqlite::{OptionalExtension, params};
use serde_json::{Map, Value, json};

use self::fields::{fields_json, insert_field};
use crate::db::filter::compile;
use crate::db::identifiers::{check_identifier, uid_value};
use crate::db::ids::uid;
use crate::db::install::is_internal_table;
use crate::db::schema::{quote, user_collection};
use crate::db::store::load_fields;
use crate::db::system_collections::collections_collection;
use crate::http::error::{ApiError, ApiResult};
use crate::http::reply::Reply;
use crate::resources::Ctx;

/// Collections `collections:destroy` never removes (NocoBase's fixed params).
const PROTECTED: &[&str] = &["users", "roles", "rolesUsers"];

/// `POST /api/collections:create`.
pub(crate) fn collections_create(ctx: &Ctx<'_>) -> ApiResult<Reply> {
    let mut values = ctx.values();
    // The uid field's hook runs before `collections.beforeCreate`; the length is checked when
    // the collection is defined (`collection.ts` l.1083).
    let name = uid_value("collections", "name", "t_", values.get("name"))?;
    values.insert("name".into(), json!(name));
    let fields: Vec<Map<String, Value>> = values
        .remove("fields")
        .and_then(|f| f.as_array().cloned())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|f| f.as_object().cloned())
        .map(|mut f| {
            let name = uid_value("fields", "name", "f_", f.get("name"))?;
            f.insert("name".into(), json!(name));
            Ok(f)
        })
        .collect::<ApiResult<_>>()?;
    let has_field = |n: &str| fields.iter().any(|f| f.get("name").and_then(Value::as_str) == Some(n));
    for preset in ["createdAt", "updatedAt", "createdBy", "updatedBy"] {
        if !values.contains_key(preset) {
            values.insert(preset.into(), json!(has_field(preset)));
        }
    }
    let title = values.remove("title").unwrap_or(Value::Null);
    let store = ctx.state.store();
    let echoed = store.write(|tx| {
        // NocoBase's `collections.beforeCreate` refuses any name its database has a collection
        // for, its internal ones (issuedTokens, tokenBlacklist, …) included; the reference server
        // also refuses the names SQLite would take for one of its own tables (`IssuedTokens`).
        if tx.catalog.get(&name).is_some() || is_internal_table(&name) {
            return Err(ApiError::server(format!("Collection named {name} already exists")));
        }
        check_identifier(&name)?;
        for field in &fields {
            check_identifier(field.get("name").and_then(Value::as_str).unwrap_or_default())?;
        }
        let key = uid();
        // roles and users hold sort 1 and 2 (see `system_collections`).
        let sort: i64 = tx.sql.query_row("SELECT COALESCE(MAX(sort), 2) + 1 FROM collections", [], |r| r.get(0))?;
        tx.sql.execute(
            "INSERT INTO collections (key, name, title, inherit, hidden, description, options, sort) VALUES (?, ?, ?, 0, 0, NULL, ?, ?)",
            params![key, name, title.as_str(), Value::Object(values.clone()).to_string(), sort],
        )?;
        let mut echoed_fields = Vec::new();
        for (i, field) in fields.iter().enumerate() {
            echoed_fields.push(Value::Object(insert_field(tx.sql, &name, field, i as i64 + 1)?));
        }
        let collection = user_collection(&name, &values, &load_fields(tx.sql, &name)?);
        tx.sql.execute(&collection.create_table_sql(), [])?;
        let mut out = Map::new();
        out.insert("inherit".into(), json!(false));
        out.insert("hidden".into(), json!(false));
        out.insert("key".into(), json!(key));
        out.insert("name".into(), json!(name));
        out.insert("title".into(), title.clone());
        out.insert("fields".into(), Value::Array(echoed_fields));
        out.extend(values.clone());
        out.insert("filterTargetKey".into(), json!(collection.primary_key));
        out.insert("unavailableActions".into(), json!([]));
        Ok(out)
    })?;
    store.reload_catalog()?;
    store.set_initial_fields(&name, Some(fields.len()));
    store.collection_replaced(&name, false);
    Ok(Reply::Data(Value::Object(echoed)))
}

/// A `collections` row: key, title, inherit, hidden, description, options.
type CollectionRow = (String, Option<String>, bool, bool, Option<String>, Option<String>);

fn collection_json(conn: &rusqlite::Connection, name: &str, with_fields: bool) -> ApiResult<Option<Value>> {
    let row: Option<CollectionRow> = conn
        .query_row(
            "SELECT key, title, inherit, hidden, description, options FROM collections WHERE name = ?",
            [name],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        )
        .optional()?;
    let Some((key, title, inherit, hidden, description, options)) = row else { return Ok(None) };
    let options: Map<String, Value> = options.and_then(|o| serde_json::from_str(&o).ok()).unwrap_or_default();
    let mut out = Map::new();
    out.insert("key".into(), json!(key));
    out.insert("name".into(), json!(name));
    out.insert("title".into(), json!(title));
    out.insert("inherit".into(), json!(inherit));
    out.insert("hidden".into(), json!(hidden));
    out.insert("description".into(), json!(description));
    if with_fields {
        out.insert("fields".into(), Value::Array(fields_json(conn, name)?));
    }
    let primary_key = user_collection(name, &options, &load_fields(conn, name)?).primary_key;
    out.extend(options);
    out.insert("filterTargetKey".into(), json!(primary_key));
    out.insert("unavailableActions".into(), json!([]));
    Ok(Some(Value::Object(out)))
}

fn asked_name(ctx: &Ctx<'_>) -> Option<String> {
    ctx.params
        .filter_by_tk()
        .and_then(|v| v.as_str().map(str::to_owned))
        .or_else(|| ctx.params.filter().and_then(|f| f.get("name").and_then(Value::as_str).map(str::to_owned)))
}

/// The users and roles collections as the collection manager holds them: their `collections` row
/// as `collections:list` shows it (NocoBase 2.2.15, checked live) and their fields' options as
/// `dataSourcesCollections:list` shows them (recording api/24; the field keys are that install's).
/// Their `sort` (roles before users before the user collections) matches what `sort=sort` shows.
pub(crate) fn system_collections() -> &'static Vec<Value> {
    static COLLECTIONS: OnceLock<Vec<Value>> = OnceLock::new();
    COLLECTIONS.get_or_init(|| serde_json::from_str(include_str!("system_collections.json")).unwrap_or_default())
}

fn system_collection(name: &str) -> Option<&'static Value> {
    system_collections().iter().find(|c| c["name"] == name)
}

/// A system collection as `collections:get|list` show it; its fields are the stored ones (no
/// `context` fields), in `sort` order, without `__sort`.
fn system_collection_json(entry: &Value, with_fields: bool) -> Value {
    let mut out = entry["record"].clone();
    if with_fields {
        let mut fields: Vec<Value> = entry["fields"].as_array().cloned().unwrap_or_default();
        fields.retain(|f| f.get("key").is_some());
        fields.sort_by_key(|f| f["__sort"].as_i64().unwrap_or(i64::MAX));
        for field in &mut fields {
            if let Some(map) = field.as_object_mut() {
                map.remove("__sort");
            }
        }
        out["fields"] = Value::Array(fields);
    }
    out
}

/// `GET /api/collections:get?filterByTk=<name>&appends[]=fields`.
pub(crate) fn collections_get(ctx: &Ctx<'_>) -> ApiResult<Reply> {
    let name = asked_name(ctx).unwrap_or_default();
    let with_fields = ctx.params.list("appends").is_some_and(|a| a.iter().any(|x| x == "fields"));
    if let Some(entry) = system_collection(&name) {
        return Ok(Reply::Data(system_collection_json(entry, with_fields)));
    }
    let found = ctx.state.store().read(|conn, _| collection_json(conn, &name, with_fields))?;
    Ok(Reply::Data(found.unwrap_or(Value::Null)))
}

/// `GET /api/collections:list`: the collections of the collection manager — users, roles and
/// those made with `collections:create` — filtered and sorted as NocoBase does it on its
/// `collections` table (any filter operator, `$like`'s and `$startsWith`'s SQLite quirks
/// included: probes 101-105), in `key` order unless `sort` says otherwise (NocoBase's keys are
/// random, so is its order), and paginated like any list. `fields` keeps those keys (plus
/// `filterTargetKey` and `unavailableActions`, which are added after).
pub(crate) fn collections_list(ctx: &Ctx<'_>) -> ApiResult<Reply> {
    let with_fields = ctx.params.list("appends").is_some_and(|a| a.iter().any(|x| x == "fields"));
    let only = ctx.params.list("fields");
    let filter = super::records::action_filter(ctx);
    let sort = ctx.params.list("sort").unwrap_or_default();
    let page = crate::db::paging::Page::from_params(&ctx.params)?;
    ctx.state.store().read(|conn, catalog| {
        let mut all: Vec<(Value, Option<i64>)> = system_collections()
            .iter()
            .map(|entry| (system_collection_json(entry, with_fields), entry["sort"].as_i64()))
            .collect();
        for collection in catalog.user_defined() {
            let sort: Option<i64> = conn
                .query_row("SELECT sort FROM collections WHERE name = ?", [&collection.name], |r| r.get(0))
                .optional()?
                .flatten();
            if let Some(json) = collection_json(conn, &collection.name, with_fields)? {
                all.push((json, sort));
            }
        }
        let order = select(conn, catalog, &all, filter.as_ref(), &sort)?;
        let mut rows: Vec<Value> = order.into_iter().filter_map(|i| all.get(i).map(|(json, _)| json.clone())).collect();
        if let Some(only) = &only {
            for row in &mut rows {
                if let Some(map) = row.as_object_mut() {
                    map.retain(|k, _| only.contains(k) || k == "filterTargetKey" || k == "unavailableActions");
                }
            }
        }
        if ctx.params.unpaginated() {
            return Ok(Reply::Data(Value::Array(rows)));
        }
        let count = rows.len() as i64;
        let skip = usize::try_from(page.offset).unwrap_or(0);
        let take = usize::try_from(page.limit).unwrap_or(usize::MAX);
        let shown = rows.into_iter().skip(skip).take(take).collect();
        Ok(Reply::Page { rows: shown, meta: page.meta(count) })
    })
}

/// Runs `filter` and `sort` over the collections in SQLite, with the SQL the records' filters
/// compile to; answers the indexes of the matching rows in order (`key` breaks ties).
fn select(
    conn: &rusqlite::Connection,
    catalog: &crate::db::store::CatalogView,
    rows: &[(Value, Option<i64>)],
    filter: Option<&crate::js::Js>,
    sort: &[String],
) -> ApiResult<Vec<usize>> {
    use rusqlite::types::Value as Sql;
    let table = collections_collection();
    let condition = compile(filter, None, &table, catalog)?;
    let columns = ["key", "name", "title", "inherit", "hidden", "description"];
    let mut params: Vec<Sql> = Vec::new();
    let mut tuples = Vec::new();
    for (i, (json, sort)) in rows.iter().enumerate() {
        params.push(Sql::Integer(i as i64));
        for column in columns {
            params.push(match &json[column] {
                Value::String(s) => Sql::Text(s.clone()),
                Value::Bool(b) => Sql::Integer(i64::from(*b)),
                _ => Sql::Null,
            });
        }
        params.push(sort.map_or(Sql::Null, Sql::Integer));
        tuples.push(format!("({})", vec!["?"; columns.len() + 2].join(", ")));
    }
    let mut order = Vec::new();
    for key in sort {
        let (name, direction) = key.strip_prefix('-').map_or((key.as_str(), "ASC"), |n| (n, "DESC"));
        if table.attribute(name).is_none() {
            return Err(ApiError::bad_request("Invalid SQL column or table reference"));
        }
        order.push(format!("\"collections\".{} {direction} NULLS LAST", quote(name)));
    }
    order.push("\"collections\".\"key\" ASC".to_owned());
    let sql = format!(
        "WITH \"collections\"(\"i\", {}, \"sort\") AS (VALUES {}) SELECT \"i\" FROM \"collections\"{} ORDER BY {}",
        columns.iter().map(|c| quote(c)).collect::<Vec<_>>().join(", "),
        tuples.join(", "),
        if condition.sql.is_empty() { String::new() } else { format!(" WHERE {}", condition.sql) },
        order.join(", ")
    );
    params.extend(condition.params);
    // A client's filter is in the text: prepared afresh, and SQLite's refusal worded as
    // NocoBase words it (an unknown column is `Invalid SQL column or table reference`).
    let answer = crate::db::sql_errors::answer;
    let mut stmt = conn.prepare(&sql).map_err(answer)?;
    let found = stmt
        .query_map(rusqlite::params_from_iter(params.iter()), |r| r.get::<_, i64>(0))
        .map_err(answer)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(answer)?;
    Ok(found.into_iter().filter_map(|i| usize::try_from(i).ok()).collect())
}

/// `POST /api/collections:destroy?filterByTk=<name>`: drops the table and its field records.
/// users and roles are never destroyed; naming them in `filterByTk` is a 403, for root too
/// (the fixed params of plugin-users and plugin-acl, probe 147). The table of a collection named
/// like an internal table (which only a database written before such names were refused can
/// hold) is never dropped: the collection's records go, the internal table stays.
pub(crate) fn collections_destroy(ctx: &Ctx<'_>) -> ApiResult<Reply> {
    let name = asked_name(ctx).unwrap_or_default();
    let keys: Vec<Value> = match ctx.params.filter_by_tk() {
        Some(Value::Array(items)) => items,
        Some(one) => vec![one],
        None => Vec::new(),
    };
    if keys.iter().any(|k| k.as_str().is_some_and(|n| system_collection(n).is_some())) {
        return Err(ApiError::forbidden());
    }
    let store = ctx.state.store();
    let count = store.write(|tx| {
        let Some(collection) = tx.catalog.get(&name).filter(|c| c.user_defined && !PROTECTED.contains(&c.name.as_str())) else {
            return Ok(0);
        };
        if !is_internal_table(&collection.name) {
            tx.sql.execute(&format!("DROP TABLE IF EXISTS {}", quote(&collection.name)), [])?;
        }
        tx.sql.execute("DELETE FROM fields WHERE collectionName = ?", [&name])?;
        tx.sql.execute(
            "DELETE FROM dataSourcesRolesResourcesActions WHERE rolesResourceId IN (SELECT id FROM dataSourcesRolesResources WHERE name = ? AND dataSourceKey = 'main')",
            [&name],
        )?;
        tx.sql.execute("DELETE FROM dataSourcesRolesResources WHERE name = ? AND dataSourceKey = 'main'", [&name])?;
        Ok(tx.sql.execute("DELETE FROM collections WHERE name = ?", [&name])?)
    })?;
    store.reload_catalog()?;
    store.set_initial_fields(&name, None);
    if count > 0 {
        store.collection_replaced(&name, true);
    }
    Ok(Reply::Data(json!(count)))
}
