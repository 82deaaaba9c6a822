//! Roles and permissions (`plugin-acl`, `plugin-data-source-manager`): `roles:create|update|
//! destroy|check`, assignment (`roles/<role>/users:add|remove`), snippets (`roles/<role>/
//! snippets:add|remove`), per-collection grants (`roles/<role>/dataSourceResources:create|update|
//! get`), the permission table (`roles/<role>/dataSourcesCollections:list`) and `availableActions`.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Map, Value, json};

use super::records;
use crate::reference::Ctx;
use crate::reference::acl::{self, grant_from_fields};
use crate::reference::clock;
use crate::reference::error::{ApiError, ApiResult};
use crate::reference::paging;
use crate::reference::reply::Reply;
use crate::reference::repository::{self, Actor, Paging, Projection, Selection};
use crate::reference::store::CatalogView;
use crate::reference::values::js_string;

fn available_actions() -> &'static Vec<Value> {
    static ACTIONS: OnceLock<Vec<Value>> = OnceLock::new();
    ACTIONS.get_or_init(|| serde_json::from_str(include_str!("available_actions.json")).unwrap_or_default())
}

/// `GET /api/availableActions:list`.
pub(super) fn available_actions_list(_ctx: &Ctx<'_>) -> ApiResult<Reply> {
    Ok(Reply::Data(Value::Array(available_actions().clone())))
}

/// A `set` field: unique values, sorted.
fn as_set(value: &Value) -> Value {
    let items: BTreeSet<String> = match value {
        Value::Array(items) => {
            items.iter().map(|v| v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string())).collect()
        }
        Value::String(s) => std::iter::once(s.clone()).collect(),
        _ => BTreeSet::new(),
    };
    Value::Array(items.into_iter().map(Value::String).collect())
}

fn role_values(ctx: &Ctx<'_>) -> Map<String, Value> {
    let mut values = ctx.values();
    if let Some(snippets) = values.get("snippets").cloned() {
        values.insert("snippets".into(), as_set(&snippets));
    }
    values
}

fn title_taken(conn: &Connection, title: &Value, except: Option<&str>) -> ApiResult<bool> {
    let Some(title) = title.as_str() else { return Ok(false) };
    let found: Option<String> = conn
        .query_row("SELECT name FROM roles WHERE title = ? AND name != ?", params![title, except.unwrap_or("")], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(found.is_some())
}

/// `POST /api/roles:create`.
pub(super) fn roles_create(ctx: &Ctx<'_>) -> ApiResult<Reply> {
    let mut values = role_values(ctx);
    if values.get("name").is_none_or(|n| n.as_str().is_none_or(|s| s.is_empty())) {
        values.insert("name".into(), json!(format!("r_{}", crate::reference::ids::uid())));
    }
    let created = ctx.state.store().write(|tx| {
        let roles = tx.catalog.get("roles").cloned().ok_or_else(|| ApiError::Internal("no roles".into()))?;
        let name = values.get("name").and_then(Value::as_str).unwrap_or_default();
        let exists: Option<String> =
            tx.sql.query_row("SELECT name FROM roles WHERE name = ?", [name], |r| r.get(0)).optional()?;
        if exists.is_some() || values.get("title").is_some_and(|t| title_taken(tx.sql, t, None).unwrap_or(false)) {
            return Err(ApiError::bad_request("Role name already exists"));
        }
        let mut instance = repository::insert(tx, &roles, &values, Actor(None))?;
        if let Some(snippets) = instance.get("snippets").cloned() {
            instance.insert("snippets".into(), as_set(&snippets));
            tx.sql.execute(
                "UPDATE roles SET snippets = ? WHERE name = ?",
                params![as_set(&snippets).to_string(), name],
            )?;
        }
        Ok(instance)
    })?;
    Ok(Reply::Data(Value::Object(created)))
}

/// `POST /api/roles:update?filterByTk=<role>`: answers the updated roles as an array.
pub(super) fn roles_update(ctx: &Ctx<'_>) -> ApiResult<Reply> {
    let values = role_values(ctx);
    let selection = records::selection(ctx);
    let rows = ctx.state.store().write(|tx| {
        let roles = tx.catalog.get("roles").cloned().ok_or_else(|| ApiError::Internal("no roles".into()))?;
        let key = selection.filter_by_tk.as_ref().and_then(Value::as_str);
        if values.get("title").is_some_and(|t| title_taken(tx.sql, t, key).unwrap_or(false)) {
            return Err(ApiError::bad_request("Role name already exists"));
        }
        let rows = repository::update(tx, &roles, &selection, &values, Actor(None))?;
        repository::project(tx.sql, &tx.catalog, &roles, rows, &Projection::default())
    })?;
    Ok(Reply::Data(Value::Array(rows)))
}

/// `POST /api/roles:destroy?filterByTk=<role>`: built-in roles are never removed; the role's
/// assignments and grants go with it.
pub(super) fn roles_destroy(ctx: &Ctx<'_>) -> ApiResult<Reply> {
    let count = ctx.state.store().write(|tx| {
        let roles = tx.catalog.get("roles").cloned().ok_or_else(|| ApiError::Internal("no roles".into()))?;
        let selection = records::destroy_selection(ctx, tx, &roles)?;
        let doomed: Vec<String> = repository::find(tx.sql, &tx.catalog, &roles, &selection, &Paging::default())?
            .into_iter()
            .filter_map(|r| r.get("name").and_then(Value::as_str).map(str::to_owned))
            .collect();
        for name in &doomed {
            tx.sql.execute("DELETE FROM rolesUsers WHERE roleName = ?", [name])?;
            delete_grants(tx.sql, name, None)?;
            tx.sql.execute("DELETE FROM roles WHERE name = ?", [name])?;
        }
        Ok(doomed.len())
    })?;
    Ok(Reply::Data(json!(count)))
}

fn delete_grants(conn: &Connection, role: &str, collection: Option<&str>) -> ApiResult<()> {
    let sql_ids = "SELECT id FROM dataSourcesRolesResources WHERE roleName = ?1 AND (?2 IS NULL OR name = ?2)";
    conn.execute(
        &format!("DELETE FROM dataSourcesRolesResourcesActions WHERE rolesResourceId IN ({sql_ids})"),
        params![role, collection],
    )?;
    conn.execute(
        "DELETE FROM dataSourcesRolesResources WHERE roleName = ?1 AND (?2 IS NULL OR name = ?2)",
        params![role, collection],
    )?;
    Ok(())
}

fn role_name(ctx: &Ctx<'_>) -> ApiResult<String> {
    ctx.route.associated_index.clone().ok_or(ApiError::NotFound)
}

/// The user ids an association action names: the body array, or `filterByTk`.
fn target_keys(ctx: &Ctx<'_>) -> Vec<Value> {
    match (&ctx.body, ctx.params.filter_by_tk()) {
        (Value::Array(items), _) if !items.is_empty() => items.clone(),
        (_, Some(Value::Array(items))) => items,
        (_, Some(one)) => vec![one],
        (Value::Object(m), None) => m.get("filterByTk").map(|v| vec![v.clone()]).unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// `POST /api/roles/<role>/users:add` (or `:remove`) with body `[<userId>, …]`: answers `{}`.
pub(super) fn roles_users_add(ctx: &Ctx<'_>, add: bool) -> ApiResult<Reply> {
    let role = role_name(ctx)?;
    let ids: Vec<i64> = target_keys(ctx)
        .iter()
        .filter_map(|v| v.as_i64().or_else(|| v.as_str().and_then(|s| s.parse().ok())))
        .collect();
    ctx.state.store().write(|tx| {
        let exists: Option<String> = tx.sql.query_row("SELECT name FROM roles WHERE name = ?", [&role], |r| r.get(0)).optional()?;
        if exists.is_none() {
            return Ok(());
        }
        let now = clock::stored(clock::now());
        for id in &ids {
            if add {
                if role == "root" && *id != 1 {
                    return Err(ApiError::forbidden());
                }
                let user: Option<i64> = tx.sql.query_row("SELECT id FROM users WHERE id = ?", [id], |r| r.get(0)).optional()?;
                if user.is_some() {
                    tx.sql.execute(
                        "INSERT OR IGNORE INTO rolesUsers (userId, roleName, \"default\", createdAt, updatedAt) VALUES (?, ?, NULL, ?, ?)",
                        params![id, role, now, now],
                    )?;
                }
            } else {
                tx.sql.execute("DELETE FROM rolesUsers WHERE userId = ? AND roleName = ?", params![id, role])?;
            }
        }
        Ok(())
    })?;
    Ok(Reply::empty())
}

/// `GET /api/roles/<role>/users:list`: the role's users, paginated.
pub(super) fn roles_users_list(ctx: &Ctx<'_>) -> ApiResult<Reply> {
    let role = role_name(ctx)?;
    ctx.state.store().read(|conn, catalog| {
        let users = catalog.get("users").ok_or_else(|| ApiError::Internal("no users".into()))?;
        let mut stmt = conn.prepare_cached("SELECT userId FROM rolesUsers WHERE roleName = ?")?;
        let ids: Vec<Value> =
            stmt.query_map([&role], |r| r.get::<_, i64>(0))?.filter_map(Result::ok).map(Value::from).collect();
        let selection = Selection { filter_by_tk: Some(Value::Array(ids)), ..records::selection(ctx) };
        let count = repository::count(conn, catalog, users, &selection)?;
        let rows =
            repository::find(conn, catalog, users, &selection, &Paging { limit: Some(20), ..Paging::default() })?;
        let shown = repository::project(conn, catalog, users, rows, &records::projection(ctx, users)?)?;
        Ok(Reply::Page {
            rows: shown,
            meta: json!({"count": count, "page": 1, "pageSize": 20, "totalPage": (count + 19) / 20}),
        })
    })
}

/// `POST /api/roles/<role>/snippets:add` / `:remove` with body `["pm.*", …]`: answers `{}`.
pub(super) fn roles_snippets_change(ctx: &Ctx<'_>, add: bool) -> ApiResult<Reply> {
    let role = role_name(ctx)?;
    let given: Vec<String> = match &ctx.body {
        Value::Array(items) => items.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect(),
        _ => Vec::new(),
    };
    ctx.state.store().write(|tx| {
        let stored: Option<Option<String>> =
            tx.sql.query_row("SELECT snippets FROM roles WHERE name = ?", [&role], |r| r.get(0)).optional()?;
        let Some(stored) = stored else { return Ok(()) };
        let mut set: BTreeSet<String> = stored.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default();
        for snippet in &given {
            if add {
                set.insert(snippet.clone());
            } else {
                set.remove(snippet);
            }
        }
        let now = clock::stored(clock::now());
        tx.sql.execute(
            "UPDATE roles SET snippets = ?, updatedAt = ? WHERE name = ?",
            params![serde_json::to_string(&set).unwrap_or_default(), now, role],
        )?;
        Ok(())
    })?;
    Ok(Reply::empty())
}

/// `POST /api/roles/<role>/dataSourceResources:create` (and `:update`): the role's per-collection
/// permissions, one action entry per allowed action with its field list.
pub(super) fn roles_data_source_resources_save(ctx: &Ctx<'_>) -> ApiResult<Reply> {
    let role = role_name(ctx)?;
    let values = ctx.values();
    let filter = ctx.params.filter().unwrap_or(Value::Null);
    let data_source =
        values.get("dataSourceKey").or_else(|| filter.get("dataSourceKey")).and_then(Value::as_str).map(str::to_owned);
    let Some(data_source) = data_source else {
        return Err(ApiError::bad_request(format!(
            "dataSourceKey is required for roles.dataSourceResources:{}",
            ctx.route.action
        )));
    };
    let name = values
        .get("name")
        .or_else(|| filter.get("name"))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| ctx.params.filter_by_tk().and_then(|v| v.as_str().map(str::to_owned)))
        .unwrap_or_default();
    let using = values.get("usingActionsConfig").and_then(Value::as_bool).unwrap_or(false);
    let actions: Vec<Map<String, Value>> = values
        .get("actions")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|v| v.as_object().cloned()).collect())
        .unwrap_or_default();
    let updating = ctx.route.action == "update";
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

/// `GET /api/roles/<role>/dataSourceResources:get?filter[dataSourceKey]=main&filter[name]=todos&appends[]=actions`.
pub(super) fn roles_data_source_resources_get(ctx: &Ctx<'_>) -> ApiResult<Reply> {
    let role = role_name(ctx)?;
    let filter = ctx.params.filter().unwrap_or(Value::Null);
    let name = filter
        .get("name")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| ctx.params.filter_by_tk().and_then(|v| v.as_str().map(str::to_owned)))
        .unwrap_or_default();
    let data_source = filter.get("dataSourceKey").and_then(Value::as_str).unwrap_or("main").to_owned();
    let appends = ctx.params.list("appends").unwrap_or_default();
    ctx.state.store().read(|conn, _| {
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
pub(super) fn roles_data_sources_collections_list(ctx: &Ctx<'_>) -> ApiResult<Reply> {
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
    let number =
        |key: &str, default: f64| ctx.params.query.get(key).map_or(Some(default), |v| paging::number(&js_string(v)));
    let page = number("page", 1.0);
    let page_size = number("pageSize", 20.0);
    let store = ctx.state.store();
    store.read(|conn, catalog| {
        let mut collections: Vec<(String, Value, Vec<Value>)> = Vec::new();
        for system in super::collections::system_collections() {
            let name = system["name"].as_str().unwrap_or_default().to_owned();
            let fields = system["fields"].as_array().cloned().unwrap_or_default();
            collections.push((name, system["title"].clone(), fields));
        }
        for collection in catalog.user_defined() {
            let title: Option<String> = conn
                .query_row("SELECT title FROM collections WHERE name = ?", [&collection.name], |r| r.get(0))
                .optional()?
                .flatten();
            let fields = super::collections::loaded_field_options(conn, store.initial_fields(&collection.name), &collection.name)?;
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

/// `GET /api/roles:check`: the current role's permissions as the admin client reads them.
pub(super) fn roles_check(ctx: &Ctx<'_>) -> ApiResult<Reply> {
    let caller = ctx.caller()?;
    let role = caller.role.clone();
    ctx.state.store().read(|conn, catalog| {
        let rules = acl::role_rules(conn, &role)?;
        let (snippets, strategy, allow_configure) = match &rules {
            Some(r) => {
                let stored: Option<(Option<String>, Option<bool>)> = conn
                    .query_row("SELECT strategy, allowConfigure FROM roles WHERE name = ?", [&role], |row| {
                        Ok((row.get(0)?, row.get(1)?))
                    })
                    .optional()?;
                let (strategy, allow) = stored.unwrap_or((None, None));
                (
                    r.snippets.clone(),
                    strategy.and_then(|s| serde_json::from_str::<Value>(&s).ok()).unwrap_or(json!({})),
                    allow.unwrap_or(false),
                )
            }
            None => (Vec::new(), json!({}), false),
        };
        let (actions, resources) = role_actions(conn, catalog, &role)?;
        let names: Vec<String> =
            available_actions().iter().filter_map(|a| a["name"].as_str().map(str::to_owned)).collect();
        Ok(Reply::WithMeta(
            json!({
            "roles": [role],
            "strategy": strategy,
            "actions": actions,
            "snippets": merge_role_snippets(&[snippets]),
            "resources": resources,
            "role": role,
            "roleMode": "default",
            "availableActions": names,
            "actionAlias": {
                "create": "create", "get": "view", "list": "view", "query": "view", "update": "update",
                "move": "update", "destroy": "destroy", "export": "export", "exportAttachments": "export"
            },
            "allowAll": role == "root",
            "allowConfigure": allow_configure,
            "allowMenuItemIds": [],
            "allowAnonymous": false,
            "uiButtonSchemasBlacklist": [],
            }),
            json!({"dataSources": {}}),
        ))
    })
}

/// `"<collection>:<action>" → params` for every per-collection grant of the role.
fn role_actions(conn: &Connection, catalog: &CatalogView, role: &str) -> ApiResult<(Map<String, Value>, Vec<String>)> {
    let mut stmt = conn.prepare_cached(
        "SELECT name FROM dataSourcesRolesResources WHERE roleName = ? AND dataSourceKey = 'main' AND usingActionsConfig = 1 ORDER BY id",
    )?;
    let collections: Vec<String> = stmt.query_map([role], |r| r.get(0))?.collect::<Result<_, _>>()?;
    let mut actions = Map::new();
    for collection in &collections {
        let Some(entries) = acl::resource_actions(conn, role, collection)? else { continue };
        for (name, fields) in entries {
            let params = match name.as_str() {
                "view" => {
                    let grant = grant_from_fields(catalog, collection, "view", &fields);
                    let shown: Vec<String> = view_fields(catalog, collection, &fields);
                    json!({"appends": grant.appends.unwrap_or_default(), "fields": shown})
                }
                "export" => {
                    let grant = grant_from_fields(catalog, collection, "view", &fields);
                    let plain: Vec<&String> =
                        fields.iter().filter(|f| !grant.appends.as_ref().is_some_and(|a| a.contains(f))).collect();
                    json!({"fields": plain, "appends": grant.appends.unwrap_or_default()})
                }
                "create" | "update" => json!({"whitelist": fields}),
                _ => json!({"fields": fields}),
            };
            actions.insert(format!("{collection}:{name}"), params);
        }
    }
    Ok((actions, collections))
}

/// The `view` field list `roles:check` shows: the granted non-association fields, then the
/// primary key and timestamps NocoBase appends when granting (only when the collection has
/// timestamps; NocoBase 2.2.15 was seen not to append to a collection without them).
fn view_fields(catalog: &CatalogView, collection: &str, fields: &[String]) -> Vec<String> {
    let Some(c) = catalog.get(collection) else { return fields.to_vec() };
    let mut out: Vec<String> = fields.iter().filter(|f| c.association(f).is_none()).cloned().collect();
    if c.attribute("createdAt").is_some() {
        for extra in [c.primary_key.as_str(), "createdAt", "updatedAt"] {
            if c.attribute(extra).is_some() {
                out.push(extra.to_owned());
            }
        }
    }
    out
}

/// NocoBase's `mergeRoleSnippets` (`core/acl/src/utils/acl-role.ts`): the snippets `roles:check`
/// reports — inclusions first, then the exclusions that survive: `!x.*` is dropped where `x.*` is
/// included, and with any inclusion, `!x.y` is kept only under an included `x.*`.
fn merge_role_snippets(roles: &[Vec<String>]) -> Vec<String> {
    if roles.is_empty() {
        return Vec::new();
    }
    let all: Vec<&String> = roles.iter().flatten().collect();
    let mut includes: Vec<String> = Vec::new();
    let mut excludes: Vec<String> = Vec::new();
    for snippet in all {
        let list = if snippet.starts_with('!') { &mut excludes } else { &mut includes };
        if !list.contains(snippet) {
            list.push(snippet.clone());
        }
    }
    let mut kept: Vec<String> = excludes.into_iter().filter(|x| roles.iter().all(|r| r.contains(x))).collect();
    for include in includes.iter().filter(|i| i.ends_with(".*")) {
        let negated = format!("!{include}");
        kept.retain(|x| *x != negated);
    }
    if !includes.is_empty() {
        kept.retain(|x| {
            let segments: Vec<&str> = x[1..].split('.').collect();
            segments.len() < 2 || segments[1] == "*" || includes.contains(&format!("{}.*", segments[0]))
        });
    }
    includes.extend(kept);
    includes
}

#[cfg(test)]
mod tests {
    use super::merge_role_snippets;

    fn list(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn inclusions_come_first_as_roles_check_shows_them() {
        // A role allowed to configure plugins with only API keys ticked (recordings ui/28-31).
        let stored = list(&["!app", "!pm", "!pm.users", "!ui.*", "pm.*"]);
        assert_eq!(merge_role_snippets(&[stored]), list(&["pm.*", "!app", "!pm", "!pm.users", "!ui.*"]));
        let fresh = list(&["!pm", "!pm.*", "!ui.*"]);
        assert_eq!(merge_role_snippets(std::slice::from_ref(&fresh)), fresh);
    }
}
