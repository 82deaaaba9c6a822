//! The Iframe block's HTML store (`plugin-block-iframe`): `iframeHtml:create` keeps a page,
//! `iframeHtml:getHtml/<id>` serves it as `text/html` (the tutorial's last step embeds its to-do
//! page this way).

use serde_json::{Value, json};

use super::records::hide;
use crate::db::ids::uid;
use crate::db::repository::{self, Actor};
use crate::http::error::{ApiError, ApiResult};
use crate::http::reply::Reply;
use crate::resources::Ctx;

/// `POST /api/iframeHtml:create` with `{"html": …}`.
pub(super) fn iframe_html_create(ctx: &Ctx<'_>) -> ApiResult<Reply> {
    let mut values = ctx.values();
    values.insert("id".into(), json!(uid()));
    let actor = Actor(ctx.caller.as_ref().map(|c| c.user_id));
    let created = ctx.state.store().write(|tx| {
        let pages = tx.catalog.get("iframeHtml").cloned().ok_or_else(|| ApiError::Internal("no iframeHtml".into()))?;
        Ok(hide(&pages, repository::insert(tx, &pages, &values, actor)?))
    })?;
    Ok(Reply::Data(Value::Object(created)))
}

/// `GET /api/iframeHtml:getHtml/<id>`: the stored page, or an empty page.
pub(super) fn iframe_html_get_html(ctx: &Ctx<'_>) -> ApiResult<Reply> {
    let key = ctx.params.filter_by_tk().unwrap_or(Value::Null);
    let html = ctx.state.store().read(|conn, catalog| {
        let pages = catalog.get("iframeHtml").ok_or_else(|| ApiError::Internal("no iframeHtml".into()))?;
        Ok(repository::get(conn, catalog, pages, &key)?
            .and_then(|row| row.get("html").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_default())
    })?;
    Ok(Reply::Html(html))
}
