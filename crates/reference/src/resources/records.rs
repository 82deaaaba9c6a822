//! The default actions of a collection resource (`packages/core/actions`): list (paginated or
//! not), get, create, update (answers an array), destroy (answers a count), with the role's
//! grant applied: `view` field lists and appends, `create`/`update` whitelists, `:own` scopes.

use serde_json::{Map, Value, json};

use crate::auth::acl;
use crate::db::filter::variables::parse_variables;
use crate::db::paging::Page;
use crate::db::repository::{self, Actor, Paging, Projection, Selection};
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

/// `fields` / `appends` / `except` from the query, narrowed by the role's `view` grant. With a
/// grant's field list, NocoBase's ACL replaces `fields` by its intersection with the list, and
/// `except` no longer applies (probe 322); an empty intersection makes Sequelize refuse the
/// query (probe 318). Unknown `appends` are ignored (probe 320).
pub(super) fn projection(ctx: &Ctx<'_>, collection: &Collection) -> ApiResult<Projection> {
    let requested_fields = request_list(ctx.params.query.get("fields"));
    let none_selected = || {
        ApiError::server(format!(
            "Attempted a SELECT query for model '{name}' as `{name}` without selecting any columns",
            name = collection.name
        ))
    };
    if requested_fields.as_ref().is_some_and(Vec::is_empty) {
        // `fields=` and a bare `fields` leave an empty list: Sequelize selects no column.
        return Err(none_selected());
    }
    let fields = match (&ctx.grant.fields, requested_fields) {
        (Some(allowed), Some(asked)) => {
            let kept: Vec<String> = asked.into_iter().filter(|f| allowed.contains(f)).collect();
            if kept.is_empty() {
                return Err(none_selected());
            }
            Some(kept)
        }
        (Some(allowed), None) => Some(allowed.clone()),
        (None, asked) => {
            let unknown = |f: &String| {
                let head = f.split('.').next().unwrap_or(f);
                collection.attribute(head).is_none() && collection.association(head).is_none()
            };
            if asked.as_ref().is_some_and(|a| a.iter().any(unknown)) {
                return Err(ApiError::bad_request("Invalid SQL column or table reference"));
            }
            asked
        }
    };
    let mut appends = ctx.params.list("appends").unwrap_or_default();
    if let Some(allowed) = &ctx.grant.appends {
        appends.retain(|a| allowed.iter().any(|x| x == a.split('.').next().unwrap_or(a)));
    }
    let except = if ctx.grant.fields.is_some() { Vec::new() } else { ctx.params.list("except").unwrap_or_default() };
    Ok(Projection { fields, except, appends })
}

/// `list` (`packages/core/actions/src/actions/list.ts`): paginated, `findAndCount` counts first
/// (the filter's errors come from there) and reads the rows only when there are any — so a bad
/// `sort`, `fields` or page size is an error only when the filter matches something — with
/// `meta` from `Number(page)` and `Number(pageSize)`; `paginate=false` reads at once.
fn list(ctx: &Ctx<'_>, collection: &Collection) -> ApiResult<Reply> {
    // The list action reads `filter` only; a `filterByTk` is ignored (checked on NocoBase 2.2.15).
    let selection = Selection { filter_by_tk: None, ..selection(ctx) };
    let sort = repository::sort::keys(ctx.params.query.get("sort"))?;
    ctx.state.store().read(|conn, catalog| {
        let paging = Paging { sort, ..Paging::default() };
        if ctx.params.unpaginated() {
            let rows = shown_rows(ctx, conn, catalog, collection, &selection, paging, None)?;
            return Ok(Reply::Rows { rows, meta: None });
        }
        let count = repository::count(conn, catalog, collection, &selection)?;
        let meta = Page::meta_of(&ctx.params, count);
        if count == 0 {
            return Ok(Reply::Page { rows: Vec::new(), meta });
        }
        let rows = shown_rows(ctx, conn, catalog, collection, &selection, paging, Some(&ctx.params))?;
        Ok(Reply::Rows { rows, meta: Some(meta) })
    })
}

/// How many rows are shown at a time.
const BATCH: usize = 256;

/// The rows of a list written out batch by batch: what the list holds is the answer's text,
/// never the rows and their shown form all at once.
fn shown_rows(
    ctx: &Ctx<'_>,
    conn: &rusqlite::Connection,
    catalog: &crate::db::store::CatalogView,
    collection: &Collection,
    selection: &Selection,
    paging: Paging,
    page: Option<&crate::http::request::Params>,
) -> ApiResult<RowsJson> {
    let (paging, projection) = prepare(ctx, catalog, collection, paging, page)?;
    let mut json = RowsJson::new();
    repository::find_batches(conn, catalog, collection, selection, &paging, BATCH, |rows| {
        for row in repository::project(conn, catalog, collection, rows, &projection)? {
            json.push(&row);
        }
        Ok(())
    })?;
    Ok(json)
}

/// `Repository.find`'s checks in its order — the sort (`parseSort`), the selected columns
/// (Sequelize's `without selecting any columns`), then the page.
fn prepare(
    ctx: &Ctx<'_>,
    catalog: &crate::db::store::CatalogView,
    collection: &Collection,
    mut paging: Paging,
    page: Option<&crate::http::request::Params>,
) -> ApiResult<(Paging, Projection)> {
    repository::sort::order_by(&paging.sort, collection, catalog)?;
    let projection = projection(ctx, collection)?;
    if let Some(params) = page {
        let page = Page::from_params(params)?;
        paging.limit = Some(page.limit);
        paging.offset = page.offset;
    }
    Ok((paging, projection))
}

/// [`prepare`], then the rows.
fn find(
    ctx: &Ctx<'_>,
    conn: &rusqlite::Connection,
    catalog: &crate::db::store::CatalogView,
    collection: &Collection,
    selection: &Selection,
    paging: Paging,
    page: Option<&crate::http::request::Params>,
) -> ApiResult<(Vec<repository::Row>, Projection)> {
    let (paging, projection) = prepare(ctx, catalog, collection, paging, page)?;
    let rows = repository::find(conn, catalog, collection, selection, &paging)?;
    Ok((rows, projection))
}

/// `get` (`packages/core/actions/src/actions/get.ts`): `findOne` with `filterByTk`, `fields`,
/// `appends`, `except` and `filter` — a `sort` is not passed on.
fn get(ctx: &Ctx<'_>, collection: &Collection) -> ApiResult<Reply> {
    let selection = selection(ctx);
    ctx.state.store().read(|conn, catalog| {
        let paging = Paging { limit: Some(1), ..Paging::default() };
        let (rows, projection) = find(ctx, conn, catalog, collection, &selection, paging, None)?;
        let shown = repository::project(conn, catalog, collection, rows, &projection)?;
        Ok(Reply::Data(shown.into_iter().next().unwrap_or(Value::Null)))
    })
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
fn request_list(value: Option<&Value>) -> Option<Vec<String>> {
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
