//! The reading actions of a collection resource: `list` and `get`, and what a find shows —
//! `fields` / `appends` / `except` under the role's grant — checked in the order NocoBase's
//! `Repository.find`, `OptionsParser` and Sequelize check them.

use serde_json::Value;

use super::{request_list, selection};
use crate::db::filter::quote_identifier;
use crate::db::paging::Page;
use crate::db::repository::{self, Paging, Projection, Selection};
use crate::db::schema::Collection;
use crate::http::error::{ApiError, ApiResult};
use crate::http::reply::{Reply, RowsJson};
use crate::resources::Ctx;

/// `fields` / `appends` / `except` from the query, narrowed by the role's `view` grant. With a
/// grant's field list, NocoBase's ACL replaces `fields` by its intersection with the list, and
/// `except` no longer applies (probe 322); an empty intersection makes Sequelize refuse the
/// query (probe 318). Unknown `appends` are ignored (probe 320).
pub(crate) fn projection(ctx: &Ctx<'_>, collection: &Collection) -> ApiResult<Projection> {
    match projection_parts(ctx, collection)? {
        (_, Some(unknown)) => Err(unknown),
        (projection, None) => Ok(projection),
    }
}

/// [`projection`], with the error of an unknown field apart: SQLite gives it when the query
/// runs, after every error of the JavaScript that builds the query.
fn projection_parts(ctx: &Ctx<'_>, collection: &Collection) -> ApiResult<(Projection, Option<ApiError>)> {
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
    let mut unknown_field = None;
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
            // Sequelize's `escapeAttributes` writes a name holding a backtick or a double quote
            // as a string literal: a constant column that no attribute shows.
            let unknown = |f: &String| {
                let head = f.split('.').next().unwrap_or(f);
                collection.attribute(head).is_none() && collection.association(head).is_none() && !is_literal(f)
            };
            if asked.as_ref().is_some_and(|a| a.iter().any(unknown)) {
                unknown_field = Some(ApiError::bad_request("Invalid SQL column or table reference"));
            }
            asked
        }
    };
    let mut appends = ctx.params.list("appends").unwrap_or_default();
    if let Some(allowed) = &ctx.grant.appends {
        appends.retain(|a| allowed.iter().any(|x| x == a.split('.').next().unwrap_or(a)));
    }
    let except = if ctx.grant.fields.is_some() { Vec::new() } else { ctx.params.list("except").unwrap_or_default() };
    Ok((Projection { fields, except, appends }, unknown_field))
}

/// A requested field Sequelize selects as a string literal, not a column (`escapeAttributes`).
fn is_literal(field: &str) -> bool {
    field.contains(['`', '"'])
}

/// `list` (`packages/core/actions/src/actions/list.ts`): paginated, `findAndCount` counts first
/// (the filter's errors come from there) and reads the rows only when there are any — so a bad
/// `sort`, `fields` or page size is an error only when the filter matches something — with
/// `meta` from `Number(page)` and `Number(pageSize)`; `paginate=false` reads at once.
pub(super) fn list(ctx: &Ctx<'_>, collection: &Collection) -> ApiResult<Reply> {
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
    let (paging, projection) = prepare(ctx, conn, catalog, collection, selection, paging, page)?;
    let mut json = RowsJson::new();
    repository::find_batches(conn, catalog, collection, selection, &paging, BATCH, |rows| {
        for row in repository::project(conn, catalog, collection, rows, &projection)? {
            json.push(&row);
        }
        Ok(())
    })?;
    Ok(json)
}

/// `Repository.find`'s checks in NocoBase's order: `OptionsParser` (the filter's parse, then
/// `parseSort`), Sequelize's `selectQuery` (no columns selected, the `where`, then an order
/// through an association it cannot find), and last what SQLite refuses when the query runs
/// (an unknown field, a page size that is not a number).
fn prepare(
    ctx: &Ctx<'_>,
    conn: &rusqlite::Connection,
    catalog: &crate::db::store::CatalogView,
    collection: &Collection,
    selection: &Selection,
    mut paging: Paging,
    page: Option<&crate::http::request::Params>,
) -> ApiResult<(Paging, Projection)> {
    crate::db::filter::check_parse(selection.filter.as_ref(), collection, catalog)?;
    let in_sequelize = |e: &ApiError| matches!(e, ApiError::Client { message, .. } if message.starts_with("Unable to find a valid association"));
    let order = match repository::sort::order_by(&paging.sort, collection, catalog) {
        Err(error) if !in_sequelize(&error) => return Err(error),
        other => other,
    };
    let (projection, unknown_field) = projection_parts(ctx, collection)?;
    let where_sql = repository::where_text(catalog, collection, selection)?;
    let order = order?;
    let mut deferred = unknown_field;
    if let Some(params) = page {
        match Page::from_params(params) {
            Ok(page) => {
                paging.limit = Some(page.limit);
                paging.offset = page.offset;
            }
            Err(error) => {
                deferred.get_or_insert(error);
            }
        }
    }
    if let Some(error) = deferred {
        // The SELECT NocoBase sends, given to SQLite to refuse as it refuses it: a token it
        // cannot read or a syntax error anywhere in it comes before a column it does not know,
        // and both before a page it cannot compute.
        let table = quote_identifier(&collection.name);
        let columns: Vec<String> = (projection.fields.iter().flatten())
            .filter(|f| collection.association(f.split('.').next().unwrap_or_default()).is_none())
            .map(|f| if is_literal(f) { format!("'{}'", f.replace('\'', "''")) } else { quote_identifier(f) })
            .collect();
        let columns = if columns.is_empty() { "*".to_owned() } else { columns.join(", ") };
        let filter = if where_sql.is_empty() { String::new() } else { format!(" WHERE {where_sql}") };
        let sql = format!("SELECT {columns} FROM {table} AS {table}{filter} ORDER BY {order}");
        return Err(conn.prepare(&sql).err().map_or(error, crate::db::sql_errors::answer));
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
    let (paging, projection) = prepare(ctx, conn, catalog, collection, selection, paging, page)?;
    let rows = repository::find(conn, catalog, collection, selection, &paging)?;
    Ok((rows, projection))
}

/// `get` (`packages/core/actions/src/actions/get.ts`): `findOne` with `filterByTk`, `fields`,
/// `appends`, `except` and `filter` — a `sort` is not passed on.
pub(super) fn get(ctx: &Ctx<'_>, collection: &Collection) -> ApiResult<Reply> {
    let selection = selection(ctx);
    ctx.state.store().read(|conn, catalog| {
        let paging = Paging { limit: Some(1), ..Paging::default() };
        let (rows, projection) = find(ctx, conn, catalog, collection, &selection, paging, None)?;
        let shown = repository::project(conn, catalog, collection, rows, &projection)?;
        Ok(Reply::Data(shown.into_iter().next().unwrap_or(Value::Null)))
    })
}
