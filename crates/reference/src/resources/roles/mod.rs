//! Roles and permissions (`plugin-acl`, `plugin-data-source-manager`): `roles:create|update|
//! destroy|check`, assignment (`roles/<role>/users:add|remove`), snippets (`roles/<role>/
//! snippets:add|remove`), per-collection grants (`roles/<role>/dataSourceResources:create|update|
//! get`), the permission table (`roles/<role>/dataSourcesCollections:list`) and `availableActions`.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Map, Value, json};

pub(super) mod data_sources;
mod locator;
pub(super) mod snippets;
pub(super) mod users;

use super::records;
use crate::auth::acl::{self, grant_from_fields};
use crate::db::repository::{self, Actor, Paging, Projection};
use crate::db::store::CatalogView;
use crate::http::error::{ApiError, ApiResult};
use crate::http::reply::Reply;
use crate::resources::Ctx;

fn available_actions() -> &'static Vec<Value> {
    static ACTIONS: OnceLock<Vec<Value>> = OnceLock::new();
    ACTIONS.get_or_init(|| serde_json::from_str(include_str!("available_actions.json")).unwrap_or_default())
}

/// `GET /api/availableActions:list`.
pub(crate) fn available_actions_list(_ctx: &Ctx<'_>) -> ApiResult<Reply> {
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
pub(crate) fn roles_create(ctx: &Ctx<'_>) -> ApiResult<Reply> {
    let mut values = role_values(ctx);
    // `roles.name` is a uid field: the charset is checked, the length is not (probes 124-128).
    let name = crate::db::identifiers::uid_value("roles", "name", "r_", values.get("name"))?;
    values.insert("name".into(), json!(name));
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
pub(crate) fn roles_update(ctx: &Ctx<'_>) -> ApiResult<Reply> {
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
pub(crate) fn roles_destroy(ctx: &Ctx<'_>) -> ApiResult<Reply> {
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

/// `GET /api/roles:check`: the current role's permissions as the admin client reads them.
pub(crate) fn roles_check(ctx: &Ctx<'_>) -> ApiResult<Reply> {
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
