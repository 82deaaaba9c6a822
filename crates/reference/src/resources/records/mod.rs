//! The default actions of a collection resource (`packages/core/actions`): list (paginated or
//! not), get, create, update (answers an array), destroy (answers a count), with the role's
//! grant applied: `view` field lists and appends, `create`/`update` whitelists, `:own` scopes.
//! The reading actions are in [`reading`].

mod reading;

pub(super) use self::reading::projection;
use self::reading::{get, list};

use serde_json::{Map, Value, json};

use crate::auth::acl;
use crate::db::filter::variables::parse_variables;
use crate::db::repository::{self, Actor, Selection};
use crate::db::schema::Collection;
use crate::db::store::Tx;
use crate::http::error::{ApiError, ApiResult};
use crate::http::reply::{Reply, RowsJson};
use crate::js::Js;
use crate::resources::Ctx;

/// The route's collection, for the record actions below.
fn collection(ctx: &Ctx<'_>) -> ApiResult<Collection> {
    ctx.state.store().catalog().get(&ctx.route.resource).cloned().ok_or(ApiError::NotFound)
}

/// `GET /api/<collection>:list`.
pub(super) fn records_list(ctx: &Ctx<'_>) -> ApiResult<Reply> {
    list(ctx, &collection(ctx)?)
}

/// `GET /api/<collection>:get?filterByTk=<id>`.
pub(super) fn records_get(ctx: &Ctx<'_>) -> ApiResult<Reply> {
    get(ctx, &collection(ctx)?)
}

/// `POST /api/<collection>:create`.
pub(super) fn records_create(ctx: &Ctx<'_>) -> ApiResult<Reply> {
    create(ctx, &collection(ctx)?)
}

/// `POST /api/<collection>:update?filterByTk=<id>`: answers an array.
pub(super) fn records_update(ctx: &Ctx<'_>) -> ApiResult<Reply> {
    update(ctx, &collection(ctx)?)
}

/// `POST /api/<collection>:destroy?filterByTk=<id>`: answers the count.
pub(super) fn records_destroy(ctx: &Ctx<'_>) -> ApiResult<Reply> {
    destroy(ctx, &collection(ctx)?)
}

/// The request's filter as the action receives it: a truthy filter has been through
/// `parseVariables` (`packages/core/server/src/middlewares/parse-variables.ts`).
pub(super) fn action_filter(ctx: &Ctx<'_>) -> Option<Js> {
    ctx.params.filter_js().map(|f| if f.truthy() { parse_variables(f) } else { f.clone() })
}

/// The rows the caller asked for and may see.
pub(super) fn selection(ctx: &Ctx<'_>) -> Selection {
    let mut selection =
        Selection { filter: action_filter(ctx), filter_by_tk: ctx.params.filter_by_tk(), equals: Vec::new() };
    if ctx.grant.own
        && let Some(caller) = &ctx.caller
    {
        selection = selection.and_equals("createdById", caller.user_id);
    }
    selection
}

/// The body's values as `UpdateGuard` leaves them (`packages/core/database/src/update-guard.ts`):
/// the request's `whitelist` (`a,b` or repeated; the resourcer's `intersect` drops empty
/// items) merged by the ACL with the role's `create`/`update` field list (`intersect`: either
/// alone when the other is empty), and the request's `blacklist`. An empty list is still a
/// list: it keeps nothing (NocoBase 2.2.15, recordings 259-269).
pub(super) fn whitelisted(ctx: &Ctx<'_>, values: Map<String, Value>) -> Map<String, Value> {
    let asked = request_list(ctx.params.query.get("whitelist"));
    let whitelist = match (&ctx.grant.whitelist, asked) {
        (Some(role), asked) => Some(intersect(asked, Some(role.clone()))),
        (None, asked) => asked,
    };
    let blacklist = request_list(ctx.params.query.get("blacklist"));
    values
        .into_iter()
        .filter(|(k, _)| {
            whitelist.as_ref().is_none_or(|w| w.iter().any(|item| item.split('.').next() == Some(k.as_str())))
        })
        .filter(|(k, _)| blacklist.as_ref().is_none_or(|b| !b.contains(k)))
        .collect()
}

/// A list parameter as the resourcer's `intersect` strategy leaves it (`None` when absent).
pub(super) fn request_list(value: Option<&Value>) -> Option<Vec<String>> {
    let items: Vec<String> = match value? {
        Value::String(s) => s.split(',').map(str::to_owned).collect(),
        Value::Array(items) => items.iter().map(crate::db::sql_values::js_string).collect(),
        Value::Object(map) => map.values().map(crate::db::sql_values::js_string).collect(),
        Value::Null => Vec::new(),
        other => vec![other.to_string()],
    };
    Some(items.into_iter().filter(|s| !s.is_empty()).collect())
}

/// `mergeStrategies.intersect`: the one list when the other is empty, else the common items.
fn intersect(x: Option<Vec<String>>, y: Option<Vec<String>>) -> Vec<String> {
    let out = match (x, y) {
        (None, y) => y.unwrap_or_default(),
        (Some(x), y) if x.is_empty() => y.unwrap_or_default(),
        (Some(x), None) => x,
        (Some(x), Some(y)) if y.is_empty() => x,
        (Some(x), Some(y)) => x.into_iter().filter(|v| y.contains(v)).collect(),
    };
    out.into_iter().filter(|s| !s.is_empty()).collect()
}

fn actor(ctx: &Ctx<'_>) -> Actor {
    Actor(ctx.caller.as_ref().map(|c| c.user_id))
}

fn create(ctx: &Ctx<'_>, collection: &Collection) -> ApiResult<Reply> {
    let bodies: Vec<Map<String, Value>> = match &ctx.body {
        Value::Array(items) => items.iter().map(|i| i.as_object().cloned().unwrap_or_default()).collect(),
        other => vec![other.as_object().cloned().unwrap_or_default()],
    };
    let many = ctx.body.is_array();
    // Each instance's echo is written as it is created: a body of many records is answered
    // without holding every instance.
    let created = ctx.state.store().write(|tx| {
        let mut json = RowsJson::new();
        let mut one = Value::Null;
        for values in bodies {
            let instance = Value::Object(hide(
                collection,
                repository::insert(tx, collection, &whitelisted(ctx, values), actor(ctx))?,
            ));
            if !many {
                one = instance;
                continue;
            }
            json.push(&instance);
        }
        Ok(if many { Reply::Rows { rows: json, meta: None } } else { Reply::Data(one) })
    })?;
    Ok(created)
}

/// Drops hidden attributes (passwords, tokens) from an echoed instance.
pub(super) fn hide(collection: &Collection, mut row: Map<String, Value>) -> Map<String, Value> {
    let hidden = collection.hidden_attributes();
    row.retain(|k, _| !hidden.contains(k));
    row
}

/// `Repository.update` (`@mustHaveFilter`: after `parseVariables`, a valid filter, a key or
/// `forceUpdate` is needed), then every selected row gets the guarded values.
fn update(ctx: &Ctx<'_>, collection: &Collection) -> ApiResult<Reply> {
    let selection = selection(ctx);
    let valid = selection.filter.as_ref().is_some_and(crate::db::filter::is_valid_filter);
    let by_key = selection.filter_by_tk.as_ref().is_some_and(|k| crate::js::from_serde(k).truthy());
    if !valid && !by_key && !flag(ctx, "forceUpdate") {
        return Err(ApiError::server("must provide filter or filterByTk for update call, or set forceUpdate to true"));
    }
    let values = whitelisted(ctx, ctx.values());
    let rows = ctx.state.store().write(|tx| repository::update(tx, collection, &selection, &values, actor(ctx)))?;
    if collection.name == "users" {
        // plugin-auth's `users.afterSave` hook re-caches every saved user.
        for row in &rows {
            if let Some(id) = row.get("id").and_then(Value::as_i64) {
                ctx.state.store().cache_user(id, row.clone());
            }
        }
    }
    Ok(Reply::Data(Value::Array(rows.into_iter().map(|r| Value::Object(hide(collection, r))).collect())))
}

/// A truthy query flag (`?truncate=…`, `?forceUpdate=…`: any non-empty text).
fn flag(ctx: &Ctx<'_>, name: &str) -> bool {
    ctx.params.query.get(name).is_some_and(|v| crate::js::from_serde(v).truthy())
}

/// `Repository.destroy`: by key when the filter (after `parseVariables`) is not valid, through
/// the filter's rows (narrowed to the keys) when it is; with neither nothing is deleted and the
/// answer is 204 without a body — `truncate` only gets a request past `validate-filter-params`,
/// the destroy action does not hand it on (recordings 2.2.15-offpath/516, 517).
fn destroy(ctx: &Ctx<'_>, collection: &Collection) -> ApiResult<Reply> {
    let outcome = ctx.state.store().write(|tx| {
        let mut selection = destroy_selection(ctx, tx, collection)?;
        let valid = selection.filter.as_ref().is_some_and(crate::db::filter::is_valid_filter);
        let by_key = selection.filter_by_tk.as_ref().is_some_and(|k| crate::js::from_serde(k).truthy());
        if !valid {
            if !by_key {
                return Ok(None);
            }
            selection.filter = None;
        }
        repository::delete(tx, collection, &selection).map(Some)
    })?;
    Ok(match outcome {
        Some(count) => Reply::Data(json!(count)),
        None => Reply::NoContent,
    })
}

/// What a destroy deletes: the request's selection narrowed by the role's `:own` scope and the
/// resource's fixed filter ([`acl::fixed_destroy_filter`]). plugin-acl's destroy check
/// (`plugin-acl/src/server/server.ts`): when `filterByTk` names rows that the narrowed selection
/// leaves out, the request is a 403, for root too (`users:destroy?filterByTk=1`).
pub(super) fn destroy_selection(ctx: &Ctx<'_>, tx: &Tx<'_>, collection: &Collection) -> ApiResult<Selection> {
    let with_fixed = |mut selection: Selection| {
        if let Some(fixed) = acl::fixed_destroy_filter(&collection.name) {
            let fixed = crate::js::from_serde(&fixed);
            selection.filter = Some(match selection.filter.take() {
                Some(asked) => Js::Obj(crate::js::Obj::with(crate::js::Key::str("$and"), Js::Arr(vec![asked, fixed]))),
                None => fixed,
            });
        }
        selection
    };
    if ctx.params.query.contains_key("filterByTk") || ctx.route.index.is_some() {
        // The ACL's check counts with the parameters as they are: before `parseVariables`.
        let raw = Selection {
            filter: ctx.params.filter_js().cloned(),
            filter_by_tk: ctx.params.filter_by_tk(),
            equals: Vec::new(),
        };
        let mut merged = raw.clone();
        if ctx.grant.own
            && let Some(caller) = &ctx.caller
        {
            merged = merged.and_equals("createdById", caller.user_id);
        }
        let allowed = repository::count(tx.sql, &tx.catalog, collection, &with_fixed(merged))?;
        let asked = repository::count(tx.sql, &tx.catalog, collection, &raw)?;
        if asked > allowed {
            return Err(ApiError::forbidden());
        }
    }
    Ok(with_fixed(selection(ctx)))
}
