//! A role's snippets (`roles/<role>/snippets:add|remove`, body `["pm.*", …]`): the
//! permissions on plugin settings, such as the API-keys configuration.

use std::collections::BTreeSet;

use rusqlite::{OptionalExtension, params};
use serde_json::Value;

use super::role_name;
use crate::db::clock;
use crate::http::error::ApiResult;
use crate::http::reply::Reply;
use crate::resources::Ctx;

/// `POST /api/roles/<role>/snippets:add` / `:remove` with body `["pm.*", …]`: answers `{}`.
pub(crate) fn roles_snippets_change(ctx: &Ctx<'_>, add: bool) -> ApiResult<Reply> {
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
