//! Generic record operations on any collection, mirroring NocoBase's `Repository` on SQLite:
//! find with filter / filterByTk / sort (`NULLS LAST`, primary key as tiebreak) / limit, count,
//! projection (`fields`, `except`, `appends`, hidden fields), create (echoing what the model
//! instance holds), update (only when something changed) and destroy (returning the count).
//! Password fields are hashed on create and update alike, as NocoBase's PasswordField does.
//! The writes are in [`write`].

mod projection;
pub(crate) mod sort;
mod write;

use rusqlite::Connection;
use rusqlite::types::Value as Sql;
use serde_json::{Map, Value};

use crate::db::filter::{Condition, compile};
use crate::db::schema::{Collection, Field, FieldKind, quote};
use crate::db::sql_values::from_sql;
use crate::db::store::CatalogView;
use crate::http::error::{ApiError, ApiResult};
use crate::js::Js;

pub(crate) use self::projection::project;
pub(crate) use self::write::{Actor, delete, insert, update};

/// Which rows an operation applies to.
#[derive(Debug, Default, Clone)]
pub(crate) struct Selection {
    /// A NocoBase filter, as JavaScript holds it.
    pub(crate) filter: Option<Js>,
    /// `filterByTk`: one key or a list.
    pub(crate) filter_by_tk: Option<Value>,
    /// Extra `column = value` conditions (owner scopes, association parents).
    pub(crate) equals: Vec<(String, Value)>,
}

impl Selection {
    /// Rows whose primary key is `key`.
    pub(crate) fn by_key(key: impl Into<Value>) -> Self {
        Self { filter_by_tk: Some(key.into()), ..Self::default() }
    }

    /// Adds a `column = value` condition.
    pub(crate) fn and_equals(mut self, column: &str, value: impl Into<Value>) -> Self {
        self.equals.push((column.to_owned(), value.into()));
        self
    }
}

/// Ordering and paging of a find.
#[derive(Debug, Default, Clone)]
pub(crate) struct Paging {
    /// Sort keys as NocoBase reads them ([`sort::keys`]), `-` prefix for descending.
    pub(crate) sort: Vec<String>,
    /// `LIMIT`; `None` for all rows.
    pub(crate) limit: Option<i64>,
    /// `OFFSET`.
    pub(crate) offset: i64,
}

/// What to show of each row.
#[derive(Debug, Default, Clone)]
pub(crate) struct Projection {
    /// Only these attributes (association names and paths become appends).
    pub(crate) fields: Option<Vec<String>>,
    /// Attributes to leave out.
    pub(crate) except: Vec<String>,
    /// Associations to include.
    pub(crate) appends: Vec<String>,
}

/// A stored row: every attribute, hidden ones included.
pub(crate) type Row = Map<String, Value>;

fn condition(catalog: &CatalogView, collection: &Collection, selection: &Selection) -> ApiResult<Condition> {
    let key = selection.filter_by_tk.as_ref().map(crate::js::from_serde);
    let mut parts = vec![compile(selection.filter.as_ref(), key.as_ref(), collection, catalog)?];
    for (column, value) in &selection.equals {
        parts.push(Condition {
            sql: format!("{}.{} = ?", quote(&collection.name), quote(column)),
            params: vec![key_param(&FieldKind::Other, value)],
        });
    }
    Ok(Condition::and(parts))
}

/// The selection's `where` as SQL text (rendering it gives its JavaScript errors, before any
/// SQL runs).
pub(crate) fn where_text(catalog: &CatalogView, collection: &Collection, selection: &Selection) -> ApiResult<String> {
    Ok(condition(catalog, collection, selection)?.sql)
}

fn key_param(kind: &FieldKind, value: &Value) -> Sql {
    match value {
        Value::Number(n) => n.as_i64().map(Sql::Integer).unwrap_or_else(|| Sql::Real(n.as_f64().unwrap_or(0.0))),
        Value::String(s) if matches!(kind, FieldKind::Integer | FieldKind::SnowflakeId) => {
            s.parse::<i64>().map(Sql::Integer).unwrap_or_else(|_| Sql::Text(s.clone()))
        }
        Value::String(s) => Sql::Text(s.clone()),
        Value::Bool(b) => Sql::Integer(i64::from(*b)),
        other => Sql::Text(other.to_string()),
    }
}

fn where_sql(c: &Condition) -> String {
    if c.sql.is_empty() { String::new() } else { format!(" WHERE {}", c.sql) }
}

/// Counts the selected rows.
pub(crate) fn count(
    conn: &Connection,
    catalog: &CatalogView,
    collection: &Collection,
    selection: &Selection,
) -> ApiResult<i64> {
    let c = condition(catalog, collection, selection)?;
    let sql = format!("SELECT COUNT(*) FROM {}{}", quote(&collection.name), where_sql(&c));
    with_statement(conn, &sql, !c.sql.is_empty(), |stmt| {
        run_sql(stmt.query_row(rusqlite::params_from_iter(c.params.iter()), |r| r.get(0)))
    })
}

/// Finds the selected rows, ordered NocoBase's way.
pub(crate) fn find(
    conn: &Connection,
    catalog: &CatalogView,
    collection: &Collection,
    selection: &Selection,
    paging: &Paging,
) -> ApiResult<Vec<Row>> {
    let mut all = Vec::new();
    find_batches(conn, catalog, collection, selection, paging, usize::MAX, |batch| {
        all.extend(batch);
        Ok(())
    })?;
    Ok(all)
}

/// [`find`], the rows handed to `each` in batches of `size` as the query yields them: a list
/// of any length is shown without holding all its rows at once.
pub(crate) fn find_batches(
    conn: &Connection,
    catalog: &CatalogView,
    collection: &Collection,
    selection: &Selection,
    paging: &Paging,
    size: usize,
    mut each: impl FnMut(Vec<Row>) -> ApiResult<()>,
) -> ApiResult<()> {
    let c = condition(catalog, collection, selection)?;
    let attributes = collection.attributes();
    let columns: Vec<String> =
        attributes.iter().map(|f| format!("{}.{}", quote(&collection.name), quote(&f.name))).collect();
    let order = sort::order_by(&paging.sort, collection, catalog)?;
    let mut sql =
        format!("SELECT {} FROM {}{} ORDER BY {}", columns.join(", "), quote(&collection.name), where_sql(&c), order);
    if let Some(limit) = paging.limit {
        sql.push_str(&format!(" LIMIT {limit} OFFSET {}", paging.offset));
    }
    with_statement(conn, &sql, !c.sql.is_empty(), |stmt| {
        let rows = stmt.query_map(rusqlite::params_from_iter(c.params.iter()), |r| {
            let mut row = Map::new();
            for (i, field) in attributes.iter().enumerate() {
                row.insert(field.name.clone(), from_sql(&field.kind, r.get_ref(i)?));
            }
            Ok(row)
        });
        let mut batch = Vec::new();
        for row in run_sql(rows)? {
            batch.push(run_sql(row)?);
            if batch.len() >= size {
                each(std::mem::take(&mut batch))?;
            }
        }
        if !batch.is_empty() {
            each(batch)?;
        }
        Ok(())
    })
}

/// Maps SQLite failures to what NocoBase's error handler would say.
fn run_sql<T>(result: rusqlite::Result<T>) -> ApiResult<T> {
    result.map_err(crate::db::sql_errors::answer)
}

/// Runs `f` on a statement for `sql`: from the statement cache for the server's own queries,
/// prepared afresh when it holds a client's filter (each is its own text; caching them would
/// only crowd the server's queries out).
fn with_statement<T>(
    conn: &Connection,
    sql: &str,
    filtered: bool,
    f: impl FnOnce(&mut rusqlite::Statement<'_>) -> ApiResult<T>,
) -> ApiResult<T> {
    if filtered {
        let mut stmt = run_sql(conn.prepare(sql))?;
        f(&mut stmt)
    } else {
        let mut stmt = run_sql(conn.prepare_cached(sql))?;
        f(&mut stmt)
    }
}

/// Finds one row by primary key.
pub(crate) fn get(
    conn: &Connection,
    catalog: &CatalogView,
    collection: &Collection,
    key: &Value,
) -> ApiResult<Option<Row>> {
    let rows = find(
        conn,
        catalog,
        collection,
        &Selection::by_key(key.clone()),
        &Paging { limit: Some(1), ..Paging::default() },
    )?;
    Ok(rows.into_iter().next())
}

/// The associated record(s) of `row` through `association`, projected.
pub(crate) fn associated(
    conn: &Connection,
    catalog: &CatalogView,
    association: &Field,
    row: &Row,
    projection: &Projection,
) -> ApiResult<Value> {
    let target_of =
        |name: &str| catalog.get(name).cloned().ok_or_else(|| ApiError::Internal(format!("no collection {name}")));
    match &association.kind {
        FieldKind::BelongsTo { target, foreign_key, target_key } => {
            let target = target_of(target)?;
            let Some(fk) = row.get(foreign_key).filter(|v| !v.is_null()) else {
                return Ok(Value::Null);
            };
            let selection = Selection::default().and_equals(target_key, fk.clone());
            let rows = find(conn, catalog, &target, &selection, &Paging { limit: Some(1), ..Paging::default() })?;
            Ok(project(conn, catalog, &target, rows, projection)?.into_iter().next().unwrap_or(Value::Null))
        }
        FieldKind::HasMany { target, foreign_key, source_key } => {
            let target = target_of(target)?;
            let key = row.get(source_key).cloned().unwrap_or(Value::Null);
            let rows =
                find(conn, catalog, &target, &Selection::default().and_equals(foreign_key, key), &Paging::default())?;
            Ok(Value::Array(project(conn, catalog, &target, rows, projection)?))
        }
        FieldKind::BelongsToMany { target, through, foreign_key, other_key, source_key, target_key } => {
            let target = target_of(target)?;
            let key = row.get(source_key).cloned().unwrap_or(Value::Null);
            let sql = format!(
                "SELECT {ok} FROM {t} WHERE {fk} = ?",
                ok = quote(other_key),
                t = quote(through),
                fk = quote(foreign_key)
            );
            let mut stmt = conn.prepare_cached(&sql)?;
            let keys: Vec<Value> = stmt
                .query_map([key_param(&FieldKind::Other, &key)], |r| {
                    Ok(crate::db::sql_values::raw_from_sql(r.get_ref(0)?))
                })?
                .collect::<Result<_, _>>()?;
            let rows = find(conn, catalog, &target, &Selection::default(), &Paging::default())?
                .into_iter()
                .filter(|r| r.get(target_key).is_some_and(|v| keys.contains(v)))
                .collect();
            Ok(Value::Array(project(conn, catalog, &target, rows, projection)?))
        }
        _ => Ok(Value::Null),
    }
}
