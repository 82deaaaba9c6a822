//! NocoBase filters compiled to SQLite the way NocoBase compiles them: `parseVariables`
//! ([`variables`]), then `FilterParser` ([`parser`], with NocoBase's function operators in
//! [`operators`] and [`dates`]) builds Sequelize's `where` and the associations it joins, and
//! Sequelize's `whereItemsQuery` ([`sequelize`], values escaped as [`escape`] says) writes the
//! SQL. The SQL runs on SQLite as NocoBase's does, so SQLite decides what it decides for NocoBase
//! — an unknown column (400 `Invalid SQL column or table reference`), too many joined tables —
//! and the errors of the JavaScript on the way keep their words. A filter naming associations
//! selects the rows whose joined rows match, as NocoBase's `SELECT id … GROUP BY id` does.

mod dates;
mod escape;
mod model;
mod operators;
mod parser;
mod sequelize;
pub(crate) mod variables;

pub(crate) use sequelize::quote_identifier;

use rusqlite::types::Value as Sql;

use self::model::Model;
use self::parser::Includes;
use self::sequelize::Renderer;
use crate::db::schema::{Collection, FieldKind};
use crate::http::error::{ApiError, ApiResult};
use crate::js::{Js, Key, Obj, Op, text};

/// A compiled `WHERE` condition and its parameters.
#[derive(Debug, Default)]
pub(crate) struct Condition {
    /// SQL text, or empty for "no condition".
    pub(crate) sql: String,
    /// Positional parameters for the `?` in `sql`.
    pub(crate) params: Vec<Sql>,
}

impl Condition {
    /// Joins conditions with `AND`.
    pub(crate) fn and(parts: Vec<Condition>) -> Condition {
        let parts: Vec<Condition> = parts.into_iter().filter(|c| !c.sql.is_empty()).collect();
        match parts.len() {
            0 => Condition::default(),
            1 => parts.into_iter().next().unwrap_or_default(),
            _ => {
                let mut params = Vec::new();
                let mut texts = Vec::new();
                for part in parts {
                    texts.push(format!("({})", part.sql));
                    params.extend(part.params);
                }
                Condition { sql: texts.join(" AND "), params }
            }
        }
    }
}

/// Looks up other collections (association targets).
pub(crate) trait Catalog {
    /// The collection called `name`, if it exists.
    fn collection(&self, name: &str) -> Option<Collection>;
}

/// An error the JavaScript between a filter and its SQL throws: NocoBase answers it as a 500
/// with its message.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub(crate) enum FilterError {
    #[error("{0}")]
    Js(String),
}

impl From<FilterError> for ApiError {
    fn from(error: FilterError) -> Self {
        match error {
            FilterError::Js(message) => ApiError::server(message),
        }
    }
}

/// SQLite's limit on the terms of one FROM clause: a filter joining more associations than
/// that is refused by SQLite with this message (NocoBase 2.2.15, asked live: `createdBy.` ×200);
/// the reference server stops building such a query rather than writing it out.
const MAX_FROM_TERMS: usize = 200;

/// `FilterParser.toSequelizeParams()` alone: the errors NocoBase's options parser throws before
/// anything else of a find is looked at (`… neither …'s association nor …'s attribute`, the
/// function operators' own).
pub(crate) fn check_parse(filter: Option<&Js>, collection: &Collection, catalog: &dyn Catalog) -> ApiResult<()> {
    if let Some(filter) = filter {
        parser::parse(filter, &Model::new(collection.clone(), catalog))?;
    }
    Ok(())
}

/// Compiles a filter and a `filterByTk` for rows of `collection` as `Repository.find` does
/// (`OptionsParser`: `{[Op.and]: [where, {<key>: filterByTk}]}`).
pub(crate) fn compile(
    filter: Option<&Js>,
    filter_by_tk: Option<&Js>,
    collection: &Collection,
    catalog: &dyn Catalog,
) -> ApiResult<Condition> {
    let model = Model::new(collection.clone(), catalog);
    let parsed = match filter {
        Some(filter) => parser::parse(filter, &model)?,
        None => parser::Parsed { where_: Js::Obj(Obj::new()), includes: Includes::default() },
    };
    let mut where_ = parsed.where_;
    if let Some(key) = filter_by_tk.filter(|k| k.truthy() && !matches!(k, Js::Arr(items) if items.is_empty())) {
        let by_key = match key {
            Js::Obj(_) => key.clone(),
            other => Js::Obj(Obj::with(Key::str(collection.primary_key.as_str()), other.clone())),
        };
        where_ = Js::Obj(Obj::with(Key::Sym(Op::And), Js::Arr(vec![where_, by_key])));
    }
    if parsed.includes.nodes.len() + 1 > MAX_FROM_TERMS {
        return Err(ApiError::server(format!("SQLITE_ERROR: too many FROM clause terms, max: {MAX_FROM_TERMS}")));
    }
    let renderer = Renderer { model: &model, prefix: &collection.name };
    let sql = renderer.items(&where_, " AND ")?;
    if sql.is_empty() {
        return Ok(Condition::default());
    }
    let sql = if parsed.includes.nodes.is_empty() {
        sql
    } else {
        let table = quote_identifier(&collection.name);
        let key = quote_identifier(&collection.primary_key);
        format!(
            "{table}.{key} IN (SELECT {table}.{key} FROM {table} AS {table}{} WHERE {sql})",
            joins(&model, &parsed.includes)?
        )
    };
    Ok(Condition { sql: text::for_sqlite(&sql).into_owned(), params: Vec::new() })
}

/// Sequelize's `LEFT OUTER JOIN`s for the include tree (aliases `a`, `a->b`, through tables
/// `a->b-><through>`).
fn joins(model: &Model<'_>, includes: &Includes) -> ApiResult<String> {
    let mut aliases: Vec<String> = Vec::with_capacity(includes.nodes.len());
    let mut models: Vec<Collection> = Vec::with_capacity(includes.nodes.len());
    let mut out = String::new();
    for (parent, name) in &includes.nodes {
        let (parent_alias, parent_collection) = match parent {
            Some(p) => (aliases[*p].clone(), models[*p].clone()),
            None => (model.name().to_owned(), model.collection().clone()),
        };
        let parent_model = Model::new(parent_collection, catalog_of(model));
        let association = parent_model
            .association(name)
            .ok_or_else(|| ApiError::Internal(format!("no association {name} on {parent_alias}")))?;
        let target = parent_model
            .target(&association)
            .ok_or_else(|| ApiError::Internal(format!("no collection {}", association.target)))?;
        let alias = if parent.is_some() { format!("{parent_alias}->{name}") } else { name.clone() };
        let (q_alias, q_parent) = (quote_identifier(&alias), quote_identifier(&parent_alias));
        let q_target = quote_identifier(target.name());
        match &association.kind {
            FieldKind::BelongsTo { foreign_key, target_key, .. } => out.push_str(&format!(
                " LEFT OUTER JOIN {q_target} AS {q_alias} ON {q_parent}.{} = {q_alias}.{}",
                quote_identifier(foreign_key),
                quote_identifier(target_key)
            )),
            FieldKind::HasMany { foreign_key, source_key, .. } => out.push_str(&format!(
                " LEFT OUTER JOIN {q_target} AS {q_alias} ON {q_parent}.{} = {q_alias}.{}",
                quote_identifier(source_key),
                quote_identifier(foreign_key)
            )),
            FieldKind::BelongsToMany { through, foreign_key, other_key, source_key, target_key, .. } => {
                let q_through = quote_identifier(&format!("{alias}->{through}"));
                out.push_str(&format!(
                    " LEFT OUTER JOIN ( {} AS {q_through} INNER JOIN {q_target} AS {q_alias} ON {q_alias}.{} = {q_through}.{}) ON {q_parent}.{} = {q_through}.{}",
                    quote_identifier(through),
                    quote_identifier(target_key),
                    quote_identifier(other_key),
                    quote_identifier(source_key),
                    quote_identifier(foreign_key)
                ));
            }
            _ => return Err(ApiError::Internal(format!("{name} is not an association"))),
        }
        aliases.push(alias);
        models.push(target.collection().clone());
    }
    Ok(out)
}

fn catalog_of<'a>(model: &Model<'a>) -> &'a dyn Catalog {
    model.catalog()
}

/// `isValidFilter` (`packages/core/utils/src/isValidFilter.ts`).
pub(crate) fn is_valid_filter(condition: &Js) -> bool {
    if !condition.truthy() {
        return false;
    }
    let groups: Vec<&Js> = ["$and", "$or"].iter().filter_map(|k| condition.get(k)).filter(|g| g.truthy()).collect();
    if groups.is_empty() {
        return !condition.own_keys().is_empty();
    }
    groups.into_iter().any(|item| {
        if let Js::Arr(items) = item {
            return items.iter().any(is_valid_filter);
        }
        if item.get("$and").is_some_and(Js::truthy) || item.get("$or").is_some_and(Js::truthy) {
            return is_valid_filter(item);
        }
        let Some(name) = item.own_keys().into_iter().next() else { return false };
        let Some(inner) = item.get(&name).filter(|v| v.truthy()) else { return false };
        let Some(op) = inner.own_keys().into_iter().next() else { return false };
        inner.get(&op).is_some() || matches!(inner, Js::Str(_))
    })
}
