//! The plugin manager (`pm:list`, `pm:get`, `pm:enable`, `pm:disable`) for the two plugins the
//! tutorial uses, *Auth: API keys* (`api-keys`) and *API documentation* (`api-doc`). Their state
//! matters: a disabled plugin's resources (`apiKeys:*`, `swagger:*`) answer 404. Their metadata is
//! what NocoBase 2.2.15 reports (`plugins.json`, from recordings 2.2.15-api/06 and 08). Unlike
//! NocoBase, enabling or disabling takes effect at once, without a restart.

use std::sync::OnceLock;

use serde_json::{Value, json};

use crate::http::error::{ApiError, ApiResult};
use crate::http::reply::Reply;
use crate::resources::Ctx;

fn catalogue() -> &'static Vec<Value> {
    static PLUGINS: OnceLock<Vec<Value>> = OnceLock::new();
    PLUGINS.get_or_init(|| serde_json::from_str(include_str!("plugins.json")).unwrap_or_default())
}

/// Accepts `api-keys`, `@nocobase/plugin-api-keys`; `None` for an unknown plugin.
fn short_name(name: &str) -> Option<&'static str> {
    let short = name.strip_prefix("@nocobase/plugin-").unwrap_or(name);
    ["api-keys", "api-doc"].into_iter().find(|n| *n == short)
}

fn describe(ctx: &Ctx<'_>, plugin: &Value) -> ApiResult<Value> {
    let name = plugin["name"].as_str().unwrap_or_default();
    let mut described = plugin.clone();
    described["enabled"] = json!(ctx.state.store().plugin_enabled(name));
    Ok(described)
}

/// `GET /api/pm:list`.
pub(super) fn pm_list(ctx: &Ctx<'_>) -> ApiResult<Reply> {
    let mut out = Vec::new();
    for plugin in catalogue() {
        out.push(describe(ctx, plugin)?);
    }
    Ok(Reply::Data(Value::Array(out)))
}

/// `GET /api/pm:get?filterByTk=<name>`.
pub(super) fn pm_get(ctx: &Ctx<'_>) -> ApiResult<Reply> {
    let asked = ctx.params.filter_by_tk().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
    let found = short_name(&asked).and_then(|n| catalogue().iter().find(|p| p["name"] == n));
    match found {
        Some(plugin) => Ok(Reply::Data(describe(ctx, plugin)?)),
        None => Ok(Reply::Data(Value::Null)),
    }
}

/// `POST /api/pm:enable?filterByTk=<names>` and `pm:disable`: answers the names as given.
pub(super) fn pm_set_enabled(ctx: &Ctx<'_>, enabled: bool) -> ApiResult<Reply> {
    let given = ctx.params.filter_by_tk().unwrap_or(Value::Null);
    let names: Vec<String> = match &given {
        Value::String(s) => s.split(',').map(|n| n.trim().to_owned()).collect(),
        Value::Array(items) => items.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect(),
        _ => Vec::new(),
    };
    let valid = |n: &str| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || "-_@/.".contains(c));
    if names.is_empty() || !names.iter().all(|n| valid(n)) {
        return Err(ApiError::bad_request("plugin name invalid"));
    }
    for short in names.iter().filter_map(|n| short_name(n)) {
        ctx.state.store().set_plugin_enabled(short, enabled)?;
    }
    Ok(Reply::Data(given))
}
