//! `sort` as NocoBase reads it: the resourcer's `overwrite` strategy (`a,b` splits), then
//! `OptionsParser.parseSort` (`packages/core/database/src/options-parser.ts`): `-` asks for
//! descending order, a dotted key walks associations (an unknown one is the TypeError `Cannot
//! read properties of undefined (reading 'target')`, a known one Sequelize's `Unable to find a
//! valid association for model, '<target>'`, as nothing includes it), any other key is quoted as
//! a column — SQLite then refuses what the table lacks. The primary key ends the order.

use serde_json::Value;

use crate::db::filter::quote_identifier;
use crate::db::schema::{Collection, FieldKind};
use crate::db::store::CatalogView;
use crate::http::error::{ApiError, ApiResult};

/// The sort keys the action passes on: `None` for no (or an empty) `sort` parameter.
pub(crate) fn keys(raw: Option<&Value>) -> ApiResult<Vec<String>> {
    match raw {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) if s.is_empty() => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(s.split(',').map(str::to_owned).collect()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::String(s) => Ok(s.clone()),
                _ => Err(ApiError::server("sortKey.startsWith is not a function")),
            })
            .collect(),
        Some(Value::Object(_)) => Err(ApiError::server("sort.includes is not a function")),
        Some(other) => Ok(vec![other.to_string()]),
    }
}

/// The `ORDER BY` terms for `keys` (the primary key appended), or NocoBase's error.
pub(crate) fn order_by(keys: &[String], collection: &Collection, catalog: &CatalogView) -> ApiResult<String> {
    let mut keys = keys.to_vec();
    let pk = &collection.primary_key;
    if !keys.iter().any(|k| k == pk || k == &format!("-{pk}")) {
        keys.push(pk.clone());
    }
    let mut terms = Vec::with_capacity(keys.len());
    for key in &keys {
        let (name, direction) = match key.strip_prefix('-') {
            Some(rest) => (rest, "DESC"),
            None => (key.as_str(), "ASC"),
        };
        let parts: Vec<&str> = name.split('.').collect();
        if parts.len() > 1 {
            let mut model = collection.clone();
            let mut first_target = None;
            for part in &parts[..parts.len() - 1] {
                let target = match model.association(part).map(|f| &f.kind) {
                    Some(
                        FieldKind::BelongsTo { target, .. }
                        | FieldKind::HasMany { target, .. }
                        | FieldKind::BelongsToMany { target, .. },
                    ) => target.clone(),
                    _ => return Err(ApiError::server("Cannot read properties of undefined (reading 'target')")),
                };
                first_target.get_or_insert_with(|| target.clone());
                model = catalog
                    .get(&target)
                    .cloned()
                    .ok_or_else(|| ApiError::Internal(format!("no collection {target}")))?;
            }
            return Err(ApiError::server(format!(
                "Unable to find a valid association for model, '{}'",
                first_target.unwrap_or_default()
            )));
        }
        // Sequelize's quoting: backticks, any backtick inside removed.
        terms.push(format!("{}.{} {direction} NULLS LAST", quote_identifier(&collection.name), quote_identifier(name)));
    }
    Ok(terms.join(", "))
}
