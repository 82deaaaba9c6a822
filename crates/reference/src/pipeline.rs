//! One request under `/api`, through NocoBase's middleware in NocoBase's order: the body
//! (koa-bodyparser), the URL grammar (an unknown resource or action is the plain 404, before any
//! authentication), the query, the filter-parameter check of update and destroy, the bearer
//! token and the request's role, the ACL, the action, and the answer — an error in NocoBase's
//! format, its message in the request's locale.

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::auth::acl::{self, Access, Grant};
use crate::auth::{self, Caller};
use crate::http::body::request_body;
use crate::http::error::{ApiError, ApiResult};
use crate::http::locale::Locale;
use crate::http::qs;
use crate::http::reply::Reply;
use crate::http::request::{self, Params, Route};
use crate::resources::{self, Ctx};
use crate::state::AppState;

/// NocoBase's request body limit (`REQUEST_BODY_LIMIT`, 10 MB).
const BODY_LIMIT: usize = 10 * 1024 * 1024;

pub(crate) async fn api(State(state): State<AppState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().strip_prefix("/api").unwrap_or("").to_owned();
    let query = parts.uri.query().map(str::to_owned);
    let method = parts.method.clone();
    let headers = parts.headers;
    let bytes = match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return ApiError::Client {
                status: StatusCode::PAYLOAD_TOO_LARGE,
                message: "request entity too large".to_owned(),
                code: None,
            }
            .into_response();
        }
    };
    // Each action is a few SQLite statements on one connection: microseconds, run inline.
    match handle(&state, &method, &path, query.as_deref(), &headers, &bytes) {
        Ok((reply, renewed)) => {
            let mut response = reply.into_response();
            if let Some(token) = renewed.and_then(|t| HeaderValue::from_str(&t).ok()) {
                response.headers_mut().insert("x-new-token", token);
            }
            response
        }
        Err(error) => {
            // Only an error's message is translated: the locale is worked out for errors alone.
            let query_locale = query
                .as_deref()
                .map(qs::parse)
                .and_then(|q| q.get("locale").and_then(Value::as_str).map(str::to_owned));
            error.localized(Locale::of_request(&headers, query_locale.as_deref())).into_response()
        }
    }
}

fn handle(
    state: &AppState,
    method: &Method,
    path: &str,
    query: Option<&str>,
    headers: &HeaderMap,
    bytes: &Bytes,
) -> ApiResult<(Reply, Option<String>)> {
    // koa-bodyparser is application middleware: a malformed body is a 400 even for unknown routes.
    let body = request_body(headers, bytes)?;
    // The resourcer's `decodeURI` throws on a bad escape: a URIError, answered as a 500.
    if request::decode_uri(path).is_none() {
        return Err(ApiError::server("URI malformed"));
    }
    let route = request::route(method, path).ok_or(ApiError::NotFound)?;
    let catalog = state.store().catalog();
    let handler = resources::find(state.store(), &catalog, &route).ok_or(ApiError::NotFound)?;
    if catalog.get(&route.resource).is_some_and(|c| c.user_defined) {
        state.store().touch_resource(&route.resource);
    }
    // A `filter` that is not JSON: the resourcer skips the action, authentication included, and
    // the request ends as a bare `{}` (probes 311, 526-528: nothing is created).
    let Some(params) = Params::parse(query, &route) else {
        return Ok((Reply::empty(), None));
    };
    check_filter_params(&route, &params)?;

    let access = acl::access(&route.resource, &route.action);
    let mut caller = None;
    let mut grant = Grant::default();
    if access != Access::Public {
        let token = auth::bearer_token(headers, params.str("token"));
        let authenticator = headers.get("x-authenticator").and_then(|v| v.to_str().ok()).unwrap_or("basic");
        let x_role = headers.get("x-role").and_then(|v| v.to_str().ok());
        let found = if authenticator == "basic" { Some(authenticate(state, token, x_role)?) } else { None };
        if access == Access::Acl || found.is_none() {
            let decision = match &found {
                Some(c) => decide(state, &c.role, &route.resource, &route.action)?,
                None => None,
            };
            grant = decision.ok_or_else(ApiError::forbidden)?;
        }
        caller = found;
    }
    let renewed = caller.as_ref().and_then(|c| c.renewed.clone());
    let ctx = Ctx { state, route, params, body, headers, caller, grant };
    let reply = resources::dispatch(&ctx, handler)?;
    Ok((reply, renewed))
}

/// Authenticates, through the memo when an API key was seen in this store generation.
fn authenticate(state: &AppState, token: Option<String>, x_role: Option<&str>) -> ApiResult<Caller> {
    let generation = state.store().generation();
    if let Some(caller) = token.as_deref().and_then(|t| state.memo().caller(t, x_role, generation)) {
        return Ok(caller);
    }
    let caller =
        state.store().read(|conn, catalog| auth::authenticate(conn, catalog, state.signer(), token, x_role))?;
    state.memo().remember_caller(x_role, generation, &caller);
    Ok(caller)
}

/// The ACL's decision, through the memo.
fn decide(state: &AppState, role: &str, resource: &str, action: &str) -> ApiResult<Option<Grant>> {
    let generation = state.store().generation();
    if let Some(decision) = state.memo().decision(role, resource, action, generation) {
        return Ok(decision);
    }
    let decision = state.store().read(|conn, catalog| acl::decide(conn, catalog, role, resource, action))?;
    state.memo().remember_decision(role, resource, action, generation, &decision);
    Ok(decision)
}

/// `validate-filter-params`: update and destroy need a filter or a key — checked before auth.
fn check_filter_params(route: &Route, params: &Params) -> ApiResult<()> {
    let action = route.action.as_str();
    if !matches!(action, "update" | "destroy") || route.resource.contains('.') {
        return Ok(());
    }
    let forced = |key: &str| matches!(params.query.get(key), Some(Value::String(s)) if s == "true");
    if (action == "update" && forced("forceUpdate")) || (action == "destroy" && forced("truncate")) {
        return Ok(());
    }
    if params.filter_by_tk().is_some() || params.filter().is_some() {
        return Ok(());
    }
    Err(ApiError::server(format!("to do {action} action, filter or filterByTk is required")))
}
