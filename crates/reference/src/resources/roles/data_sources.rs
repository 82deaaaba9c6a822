//! A role's permissions per collection (`plugin-data-source-manager`):
//! `roles/<role>/dataSourceResources:create|update|get` and the permission table
//! `roles/<role>/dataSourcesCollections:list`.

use rusqlite::{OptionalExtension, params};
use serde_json::{Map, Value, json};

use super::locator::{Locator, locate};
use super::{as_set, delete_grants, role_name};
use crate::db::clock;
use crate::db::paging;
use crate::http::error::{ApiError, ApiResult};
use crate::http::reply::Reply;
use crate::resources::Ctx;

/// `POST /api/roles/<role>/dataSourceResources:create` (and `:update`): the role's per-collection
/// permissions, one action entry per allowed action with its field list.
pub(crate) fn roles_data_source_resources_save(ctx: &Ctx<'_>) -> ApiResult<Reply> {
    let role = role_name(ctx)?;
    let values = ctx.values();
    let updating = ctx.route.action == "update";
    let (data_source, name) = if updating {
        let found = ctx.state.store().read(|conn, _| locate(ctx, conn, &role))?;
        (found.data_source, found.name)
    } else {
        // `guardRolesDataSourceResourcesCreate`: `values.dataSourceKey`, else the query's.
        let from_values = values.get("dataSourceKey").filter(|v| !matches!(v, Value::Null | Value::Bool(false)));
        let given = match from_values {
            Some(Value::String(s)) if s.is_empty() => ctx.params.query.get("dataSourceKey"),
            Some(v) => Some(v),
            None => ctx.params.query.get("dataSourceKey"),
        };
        let Some(data_source) = given.and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()) else {
            return Err(ApiError::bad_request("dataSourceKey is required for roles.dataSourceResources:create"));
        };
        let name = values.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
        (data_source.to_owned(), name)
    };
    let using = values.get("usingActionsConfig").and_then(Value::as_bool).unwrap_or(false);
    let actions: Vec<Map<String, Value>> = values
        .get("actions")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|v| v.as_object().cloned()).collect())
        .unwrap_or_default();
    let saved = ctx.state.store().write(|tx| {
        let now = clock::now();
        let stamp = clock::stored(now);
        delete_grants(tx.sql, &role, Some(&name))?;
        let id = tx.snowflakes.next();
        tx.sql.execute(
            "INSERT INTO dataSourcesRolesResources (id, createdAt, updatedAt, dataSourceKey, roleName, name, usingActionsConfig) VALUES (?, ?, ?, ?, ?, ?, ?)",
            params![id, stamp, stamp, data_source, role, name, using],
        )?;
        let mut shown_actions = Vec::new();
        for action in &actions {
            let action_id = tx.snowflakes.next();
            let action_name = action.get("name").and_then(Value::as_str).unwrap_or_default();
            let fields = as_set(action.get("fields").unwrap_or(&json!([])));
            let at = clock::now();
            tx.sql.execute(
                "INSERT INTO dataSourcesRolesResourcesActions (id, createdAt, updatedAt, name, fields, scopeId, rolesResourceId) VALUES (?, ?, ?, ?, ?, NULL, ?)",
                params![action_id, clock::stored(at), clock::stored(at), action_name, fields.to_string(), id],
            )?;
            let mut shown = Map::new();
            shown.insert("id".into(), json!(action_id));
            shown.insert("name".into(), json!(action_name));
            shown.insert("fields".into(), fields);
            if action.contains_key("scope") {
                shown.insert("scopeId".into(), Value::Null);
            }
            shown.insert("rolesResourceId".into(), json!(id));
            shown.insert("updatedAt".into(), json!(clock::iso(at)));
            shown.insert("createdAt".into(), json!(clock::iso(at)));
            if action.contains_key("scope") {
                shown.insert("scope".into(), Value::Null);
            }
            shown_actions.push(Value::Object(shown));
        }
        Ok(json!({
            "id": id,
            "roleName": role,
            "usingActionsConfig": using,
            "name": name,
            "dataSourceKey": data_source,
            "updatedAt": clock::iso(now),
            "createdAt": clock::iso(now),
            "actions": shown_actions,
        }))
    })?;
    Ok(Reply::Data(if updating { Value::Array(vec![saved]) } else { saved }))
}

/// `GET /api/roles/<role>/dataSourceResources:get?filter[dataSourceKey]=main&filter[name]=todos&appends[]=actions`:
/// the row [`locate`] finds, `null` when the role has none.
pub(crate) fn roles_data_source_resources_get(ctx: &Ctx<'_>) -> ApiResult<Reply> {
    let role = role_name(ctx)?;
    let appends = ctx.params.list("appends").unwrap_or_default();
    ctx.state.store().read(|conn, _| {
        let Locator { data_source, name } = locate(ctx, conn, &role)?;
        let row = conn
            .query_row(
                "SELECT id, createdAt, updatedAt, dataSourceKey, roleName, name, usingActionsConfig FROM dataSourcesRolesResources WHERE roleName = ? AND name = ? AND dataSourceKey = ?",
                params![role, name, data_source],
                |r| {
                    Ok(json!({
                        "id": r.get::<_, i64>(0)?,
                        "createdAt": clock::stored_to_iso(&r.get::<_, String>(1)?),
                        "updatedAt": clock::stored_to_iso(&r.get::<_, String>(2)?),
                        "dataSourceKey": r.get::<_, String>(3)?,
                        "roleName": r.get::<_, String>(4)?,
                        "name": r.get::<_, String>(5)?,
                        "usingActionsConfig": r.get::<_, bool>(6)?,
                    }))
                },
            )
            .optional()?;
        let Some(mut row) = row else { return Ok(Reply::Data(Value::Null)) };
        if appends.iter().any(|a| a == "actions") {
            let id = row["id"].as_i64().unwrap_or_default();
            let with_scope = appends.iter().any(|a| a == "actions.scope");
            let mut stmt = conn.prepare_cached(
                "SELECT id, createdAt, updatedAt, name, fields, scopeId, rolesResourceId FROM dataSourcesRolesResourcesActions WHERE rolesResourceId = ? ORDER BY id",
            )?;
            let actions = stmt
                .query_map([id], |r| {
                    let mut action = json!({
                        "id": r.get::<_, i64>(0)?,
                        "createdAt": clock::stored_to_iso(&r.get::<_, String>(1)?),
                        "updatedAt": clock::stored_to_iso(&r.get::<_, String>(2)?),
                        "name": r.get::<_, String>(3)?,
                        "fields": serde_json::from_str::<Value>(&r.get::<_, String>(4)?).unwrap_or(json!([])),
                        "scopeId": r.get::<_, Option<i64>>(5)?,
                        "rolesResourceId": r.get::<_, i64>(6)?,
                    });
                    if with_scope {
                        action["scope"] = Value::Null;
                    }
                    Ok(action)
                })?
                .collect::<Result<Vec<_>, _>>()?;
            row["actions"] = Value::Array(actions);
        }
        Ok(Reply::Data(row))
    })
}

/// `GET /api/roles/<role>/dataSourcesCollections:list?filter[dataSourceKey]=main`
/// (`plugin-data-source-manager`, `resourcers/roles-data-sources-collections.ts`): every
/// collection of the data source — users, roles and the user collections — sorted by name, each
/// with how the role is permitted on it and all its fields' options. `filter.$and` may narrow by
/// `title`/`name` `$includes`; `page`/`pageSize` are only echoed (`Number(…)`), never applied.
pub(crate) fn roles_data_sources_collections_list(ctx: &Ctx<'_>) -> ApiResult<Reply> {
    let role = role_name(ctx)?;
    let filter = ctx.params.filter().unwrap_or(Value::Null);
    let Some(data_source) = filter.get("dataSourceKey").and_then(Value::as_str).map(str::to_owned) else {
        return Err(ApiError::bad_request("dataSourceKey is required: pass --data-source-key or filter.dataSourceKey"));
    };
    if data_source != "main" {
        return Err(ApiError::server("Cannot read properties of undefined (reading 'collectionManager')"));
    }
    let includes = |key: &str| -> Option<String> {
        filter
            .get("$and")?
            .as_array()?
            .iter()
            .find_map(|item| item.get(key)?.get("$includes")?.as_str().map(str::to_lowercase))
    };
    let (by_title, by_name) = (includes("title"), includes("name"));
    let number = |key: &str, default: f64| {
        let n = ctx.params.query.get(key).map_or(default, |v| crate::js::number::to_number(&crate::js::from_serde(v)));
        (!n.is_nan()).then_some(n)
    };
    let page = number("page", 1.0);
    let page_size = number("pageSize", 20.0);
    let store = ctx.state.store();
    store.read(|conn, catalog| {
        let mut collections: Vec<(String, Value, Vec<Value>)> = Vec::new();
        for system in crate::resources::collections::system_collections() {
            let name = system["name"].as_str().unwrap_or_default().to_owned();
            let fields = system["fields"].as_array().cloned().unwrap_or_default();
            collections.push((name, system["title"].clone(), fields));
        }
        for collection in catalog.user_defined() {
            let title: Option<String> = conn
                .query_row("SELECT title FROM collections WHERE name = ?", [&collection.name], |r| r.get(0))
                .optional()?
                .flatten();
            let fields = crate::resources::collections::fields::loaded_field_options(conn, store.initial_fields(&collection.name), &collection.name)?;
            collections.push((collection.name.clone(), json!(title), fields));
        }
        collections.retain(|(name, title, _)| {
            by_title.as_ref().is_none_or(|t| title.as_str().is_some_and(|x| x.to_lowercase().contains(t)))
                && by_name.as_ref().is_none_or(|n| name.to_lowercase().contains(n))
        });
        collections.sort_by(|a, b| a.0.cmp(&b.0));
        let mut rows = Vec::new();
        for (name, title, fields) in collections {
            let using: Option<bool> = conn
                .query_row(
                    "SELECT usingActionsConfig FROM dataSourcesRolesResources WHERE roleName = ? AND name = ? AND dataSourceKey = ?",
                    params![role, name, data_source],
                    |r| r.get(0),
                )
                .optional()?;
            rows.push(json!({
                "type": "collection",
                "name": name,
                "collectionName": name,
                "title": title,
                "roleName": role,
                "usingConfig": if using == Some(true) { "resourceAction" } else { "strategy" },
                "exists": using.is_some(),
                "fields": fields,
            }));
        }
        let count = rows.len();
        let total_page = page_size.map(|s| (count as f64 / s).ceil());
        Ok(Reply::Page {
            rows,
            meta: json!({
                "count": count,
                "page": paging::json_number(page),
                "pageSize": paging::json_number(page_size),
                "totalPage": paging::json_number(total_page),
            }),
        })
    })
}
