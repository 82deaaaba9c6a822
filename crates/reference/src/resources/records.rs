//! The default actions of a collection resource (`packages/core/actions`): list (paginated or
//! not), get, create, update (answers an array), destroy (answers a count), with the role's
//! grant applied: `view` field lists and appends, `create`/`update` whitelists, `:own` scopes.

use serde_json::{Map, Value, json};

use crate::auth::acl;
use crate::db::paging::Page;
use crate::db::repository::{self, Actor, Paging, Projection, Selection};
use crate::db::schema::Collection;
use crate::db::store::Tx;
use crate::http::error::{ApiError, ApiResult};
use crate::http::reply::Reply;
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

/// The rows the caller asked for and may see.
pub(super) fn selection(ctx: &Ctx<'_>) -> Selection {
    let mut selection =
        Selection { filter: ctx.params.filter(), filter_by_tk: ctx.params.filter_by_tk(), equals: Vec::new() };
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
    let requested_fields = ctx.params.list("fields");
    let fields = match (&ctx.grant.fields, requested_fields) {
        (Some(allowed), Some(asked)) => {
            let kept: Vec<String> = asked.into_iter().filter(|f| allowed.contains(f)).collect();
            if kept.is_empty() {
                return Err(ApiError::server(format!(
                    "Attempted a SELECT query for model '{name}' as `{name}` without selecting any columns",
                    name = collection.name
                )));
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

fn list(ctx: &Ctx<'_>, collection: &Collection) -> ApiResult<Reply> {
    // The list action reads `filter` only; a `filterByTk` is ignored (checked on NocoBase 2.2.15).
    let selection = Selection { filter_by_tk: None, ..selection(ctx) };
    let projection = projection(ctx, collection)?;
    let sort = ctx.params.list("sort").unwrap_or_default();
    ctx.state.store().read(|conn, catalog| {
        if ctx.params.unpaginated() {
            let rows = repository::find(conn, catalog, collection, &selection, &Paging { sort, ..Paging::default() })?;
            let shown = repository::project(conn, catalog, collection, rows, &projection)?;
            return Ok(Reply::Data(Value::Array(shown)));
        }
        let page = Page::from_params(&ctx.params)?;
        let paging = Paging { sort, limit: Some(page.limit), offset: page.offset };
        let count = repository::count(conn, catalog, collection, &selection)?;
        let rows = repository::find(conn, catalog, collection, &selection, &paging)?;
        let shown = repository::project(conn, catalog, collection, rows, &projection)?;
        Ok(Reply::Page { rows: shown, meta: page.meta(count) })
    })
}

fn get(ctx: &Ctx<'_>, collection: &Collection) -> ApiResult<Reply> {
    let selection = selection(ctx);
    let projection = projection(ctx, collection)?;
    ctx.state.store().read(|conn, catalog| {
        let rows =
            repository::find(conn, catalog, collection, &selection, &Paging { limit: Some(1), ..Paging::default() })?;
        let shown = repository::project(conn, catalog, collection, rows, &projection)?;
        Ok(Reply::Data(shown.into_iter().next().unwrap_or(Value::Null)))
    })
}

/// The body's values, narrowed to the role's `create`/`update` whitelist.
pub(super) fn whitelisted(ctx: &Ctx<'_>, values: Map<String, Value>) -> Map<String, Value> {
    match &ctx.grant.whitelist {
        Some(allowed) => values.into_iter().filter(|(k, _)| allowed.contains(k)).collect(),
        None => values,
    }
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
    let created = ctx.state.store().write(|tx| {
        let mut out = Vec::new();
        for values in bodies {
            let instance = repository::insert(tx, collection, &whitelisted(ctx, values), actor(ctx))?;
            out.push(Value::Object(hide(collection, instance)));
        }
        Ok(out)
    })?;
    Ok(Reply::Data(if many { Value::Array(created) } else { created.into_iter().next().unwrap_or(Value::Null) }))
}

/// Drops hidden attributes (passwords, tokens) from an echoed instance.
pub(super) fn hide(collection: &Collection, mut row: Map<String, Value>) -> Map<String, Value> {
    let hidden = collection.hidden_attributes();
    row.retain(|k, _| !hidden.contains(k));
    row
}

fn update(ctx: &Ctx<'_>, collection: &Collection) -> ApiResult<Reply> {
    let selection = selection(ctx);
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

fn destroy(ctx: &Ctx<'_>, collection: &Collection) -> ApiResult<Reply> {
    let count = ctx.state.store().write(|tx| {
        let selection = destroy_selection(ctx, tx, collection)?;
        repository::delete(tx, collection, &selection)
    })?;
    Ok(Reply::Data(json!(count)))
}

/// What a destroy deletes: the request's selection narrowed by the role's `:own` scope and the
/// resource's fixed filter ([`acl::fixed_destroy_filter`]). plugin-acl's destroy check
/// (`plugin-acl/src/server/server.ts`): when `filterByTk` names rows that the narrowed selection
/// leaves out, the request is a 403, for root too (`users:destroy?filterByTk=1`).
pub(super) fn destroy_selection(ctx: &Ctx<'_>, tx: &Tx<'_>, collection: &Collection) -> ApiResult<Selection> {
    let raw = Selection { filter: ctx.params.filter(), filter_by_tk: ctx.params.filter_by_tk(), equals: Vec::new() };
    let mut narrowed = selection(ctx);
    if let Some(fixed) = acl::fixed_destroy_filter(&collection.name) {
        narrowed.filter = Some(match narrowed.filter.take() {
            Some(asked) => json!({"$and": [asked, fixed]}),
            None => fixed,
        });
    }
    if raw.filter_by_tk.is_some() {
        let asked = repository::count(tx.sql, &tx.catalog, collection, &raw)?;
        let allowed = repository::count(tx.sql, &tx.catalog, collection, &narrowed)?;
        if asked > allowed {
            return Err(ApiError::forbidden());
        }
    }
    Ok(narrowed)
}
