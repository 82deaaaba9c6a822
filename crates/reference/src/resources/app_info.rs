//! `app:getInfo`: what the reference server stands in for, NocoBase 2.2.15 on SQLite.

use serde_json::json;

use crate::http::error::ApiResult;
use crate::http::reply::Reply;
use crate::resources::Ctx;

/// The NocoBase version whose behaviour the reference server reproduces.
pub const NOCOBASE_VERSION: &str = "2.2.15";

/// `GET /api/app:getInfo`.
pub(super) fn app_get_info(_ctx: &Ctx<'_>) -> ApiResult<Reply> {
    Ok(Reply::Data(json!({
        "database": {"dialect": "sqlite"},
        "version": NOCOBASE_VERSION,
        "lang": "en-US",
        "name": "main",
        "theme": "default",
    })))
}
