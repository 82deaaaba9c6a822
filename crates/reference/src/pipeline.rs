//! One request under `/api`, through NocoBase's middleware in NocoBase's order
//! (`packages/core/server/src/helper.ts` `registerMiddlewares` and the data source's chain):
//! `X-Request-Id`; the body (koa-bodyparser: its refusals carry no CORS header); plugin-idp-oauth's
//! resource authentication (a token with no usable host is `Invalid URL`); CORS; the resourcer —
//! an unknown resource or action is the plain 404, a `filter` that is not JSON skips the action
//! and answers `{}`; then the action's chain: `validate-filter-params`, authentication, the
//! request's role, the ACL, the action; the answer, or an error in NocoBase's format with its
//! message in the request's locale. A request nesting JSON deeply is handled on a thread with a
//! stack large enough for it (NocoBase's V8 walks such values recursively too).

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::auth::acl::{self, Access, Grant};
use crate::auth::sessions::{Renewed, SessionRules};
use crate::auth::{self, Caller};
use crate::db::filter::is_valid_filter;
use crate::http::body::{self, Parsed};
use crate::http::error::{ApiError, ApiResult};
use crate::http::locale::Locale;
use crate::http::reply::Reply;
use crate::http::request::{self, BadQuery, Params};
use crate::http::{cookies, cors, json_body, origin, qs};
use crate::js::stringify;
use crate::resources::{self, Ctx};
use crate::state::AppState;

/// Requests nesting JSON deeper than this are handled on [`DEEP_STACK`].
const SHALLOW: usize = 100;
/// The stack of the thread deep requests are handled on (virtual memory; what is touched is
/// what the request needs).
const DEEP_STACK: usize = 256 << 20;

pub(crate) async fn api(State(state): State<AppState>, request: Request) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    let (parts, body) = request.into_parts();
    let response = with_content_length(respond(&state, parts, body).await);
    if response.extensions().get::<crate::http::error::KoaPlain>().is_some() {
        // Koa's own error handling clears every header set before it.
        return response;
    }
    with_first_header(response, "x-request-id", &request_id)
}

/// Koa sets `Content-Length` with the body, right after `Content-Type` (none for a 204).
fn with_content_length(response: Response) -> Response {
    use http_body::Body as _;
    let (mut parts, body) = response.into_parts();
    let length = body.size_hint().exact();
    if parts.status == StatusCode::NO_CONTENT || parts.headers.contains_key(axum::http::header::CONTENT_LENGTH) {
        return Response::from_parts(parts, body);
    }
    let Some(length) = length else { return Response::from_parts(parts, body) };
    let mut headers = HeaderMap::new();
    let mut previous: Option<HeaderName> = None;
    let mut placed = false;
    for (name, value) in parts.headers.drain() {
        let Some(name) = name.or_else(|| previous.clone()) else { continue };
        let after_type =
            previous.as_ref() == Some(&axum::http::header::CONTENT_TYPE) && name != axum::http::header::CONTENT_TYPE;
        if after_type && !placed {
            headers.insert(axum::http::header::CONTENT_LENGTH, HeaderValue::from(length));
            placed = true;
        }
        previous = Some(name.clone());
        headers.append(name, value);
    }
    if !placed {
        headers.insert(axum::http::header::CONTENT_LENGTH, HeaderValue::from(length));
    }
    parts.headers = headers;
    Response::from_parts(parts, body)
}

async fn respond(state: &AppState, parts: axum::http::request::Parts, body: Body) -> Response {
    let headers = parts.headers;
    let method = parts.method;
    let path = parts.uri.path().strip_prefix("/api").unwrap_or("").to_owned();
    let query = parts.uri.query().map(str::to_owned);
    let parsed = match body::read(&headers, body).await {
        Ok(parsed) => parsed,
        Err(error) => return error.into_response(),
    };
    let query_token = koa_query_token(query.as_deref());
    if auth::bearer_token(&headers, query_token.as_deref()).is_some() && !origin::idp_origin_is_valid(&headers) {
        let error = ApiError::Client {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: "Invalid URL".to_owned(),
            code: Some("ERR_INVALID_URL"),
        };
        return error.into_response();
    }
    if let Some(preflight) = cors::preflight(&method, &headers) {
        return preflight;
    }
    let cors_headers = cors::headers(&method, &headers);
    let request = Inputs { method: &method, path: &path, query: query.as_deref(), headers: &headers, body: parsed };
    let response = if request.deep() {
        std::thread::scope(|scope| {
            std::thread::Builder::new()
                .name("deep-request".into())
                .stack_size(DEEP_STACK)
                .spawn_scoped(scope, || request.answer(state))
                .map(|handle| {
                    handle
                        .join()
                        .unwrap_or_else(|_| ApiError::Internal("a deep request panicked".into()).into_response())
                })
                .unwrap_or_else(|e| ApiError::Internal(format!("no thread for a deep request: {e}")).into_response())
        })
    } else {
        request.answer(state)
    };
    prepend_headers(response, cors_headers)
}

/// Puts `first` before the answer's own headers.
fn prepend_headers(response: Response, first: Vec<(HeaderName, HeaderValue)>) -> Response {
    let (mut parts, body) = response.into_parts();
    let mut headers = HeaderMap::new();
    for (name, value) in first {
        headers.append(name, value);
    }
    let mut previous: Option<HeaderName> = None;
    for (name, value) in parts.headers.drain() {
        if let Some(name) = name.or_else(|| previous.clone()) {
            previous = Some(name.clone());
            headers.append(name, value);
        }
    }
    parts.headers = headers;
    Response::from_parts(parts, body)
}

/// Puts `name: value` first among the answer's headers (NocoBase's `X-Request-Id` comes before
/// everything Koa sets).
fn with_first_header(response: Response, name: &'static str, value: &str) -> Response {
    match HeaderValue::from_str(value) {
        Ok(value) => prepend_headers(response, vec![(HeaderName::from_static(name), value)]),
        Err(_) => response,
    }
}

/// Koa's `ctx.query.token` (Node's `querystring`: the first `token=`, any value but empty).
fn koa_query_token(query: Option<&str>) -> Option<String> {
    let query = query?;
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (qs::decode_component(k) == "token").then(|| qs::decode_component(v))
    })
}

/// One request's inputs past the body parser.
struct Inputs<'a> {
    method: &'a Method,
    path: &'a str,
    query: Option<&'a str>,
    headers: &'a HeaderMap,
    body: Parsed,
}

impl Inputs<'_> {
    /// Whether the body or the filter nests deeper than [`SHALLOW`].
    fn deep(&self) -> bool {
        let filter_depth = self
            .query
            .map(qs::parse)
            .and_then(|q| q.get("filter").and_then(Value::as_str).map(json_body::nesting))
            .unwrap_or(0);
        self.body.depth > SHALLOW || filter_depth > SHALLOW
    }

    fn answer(&self, state: &AppState) -> Response {
        let mut renewed = None;
        let response = match handle(state, self, &mut renewed) {
            Ok(reply) => reply.into_response(),
            Err(error) => {
                // Only an error's message is translated: the locale is worked out for errors alone.
                let query_locale =
                    self.query.map(qs::parse).and_then(|q| q.get("locale").and_then(Value::as_str).map(str::to_owned));
                error.localized(Locale::of_request(self.headers, query_locale.as_deref())).into_response()
            }
        };
        // A renewal stays on the answer when a later step fails (the error handler keeps the
        // headers set before it), but not on Koa's own plain error, which clears them.
        match renewed {
            Some(renewed) if response.extensions().get::<crate::http::error::KoaPlain>().is_none() => {
                with_renewed_session(response, &renewed, self.headers)
            }
            _ => response,
        }
    }
}

/// Whether the request's `Accept` is exactly `text/event-stream` (Node joins repeated headers).
fn is_event_stream(headers: &HeaderMap) -> bool {
    let mut accepts = headers.get_all(axum::http::header::ACCEPT).iter();
    accepts.next().is_some_and(|accept| accept == "text/event-stream") && accepts.next().is_none()
}

/// A renewed session's answer (`BaseAuth.check`): `x-new-token` before the answer's own headers,
/// the auth token and authenticator cookies refreshed after them.
fn with_renewed_session(response: Response, renewed: &Renewed, headers: &HeaderMap) -> Response {
    let Ok(token) = HeaderValue::from_str(&renewed.token) else { return response };
    let mut response = prepend_headers(response, vec![(HeaderName::from_static("x-new-token"), token)]);
    let jar = cookies::Jar::for_request(headers);
    let expires = renewed.cookie_expires.as_deref();
    let refreshed = [
        jar.set(cookies::AUTH_TOKEN, &renewed.token, expires, true),
        jar.set(cookies::AUTHENTICATOR, "basic", expires, true),
    ];
    for cookie in refreshed {
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(axum::http::header::SET_COOKIE, value);
        }
    }
    response
}

/// Runs the request; a session renewed on the way is left in `renewed`, whatever the outcome.
fn handle(state: &AppState, input: &Inputs<'_>, renewed: &mut Option<Renewed>) -> ApiResult<Reply> {
    // The resourcer's `decodeURI` throws on a bad escape: a URIError, answered as a 500.
    if request::decode_uri(input.path).is_none() {
        return Err(ApiError::server("URI malformed"));
    }
    let route = request::route(input.method, input.path).ok_or(ApiError::NotFound)?;
    let catalog = state.store().catalog();
    let handler = resources::find(state.store(), &catalog, &route).ok_or(ApiError::NotFound)?;
    if catalog.get(&route.resource).is_some_and(|c| c.user_defined) {
        state.store().touch_resource(&route.resource);
    }
    let params = match Params::parse(input.query, &route) {
        Ok(params) => params,
        // `parseQuery` threw: the resourcer logs it and skips the action's handlers, so
        // dataWrapping answers `{}` (recordings 087-092, 448: nothing runs, no authentication).
        Err(BadQuery::Unparsable) => return Ok(Reply::empty()),
        Err(BadQuery::TooDeep) => return Err(ApiError::server("Maximum call stack size exceeded")),
    };
    validate_filter_params(&route.action, &params)?;

    let access = acl::access(&route.resource, &route.action);
    let mut caller = None;
    let mut grant = Grant::default();
    if access != Access::Public {
        let token = auth::bearer_token(input.headers, params.str("token"));
        let x_role = input.headers.get("x-role").and_then(|v| v.to_str().ok());
        let found = authenticate(state, input.headers, token, x_role)?;
        renewed.clone_from(&found.renewed);
        if access == Access::Acl {
            grant = decide(state, &found.role, &route.resource, &route.action)?.ok_or_else(ApiError::forbidden)?;
        }
        caller = Some(found);
    }
    let body = input.body.value.clone();
    let ctx = Ctx { state, route, params, body, headers: input.headers, caller, grant };
    resources::dispatch(&ctx, handler)
}

/// Authenticates, through the memo when an API key was seen in this store generation; session
/// tokens under the token policy in force.
fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    token: Option<String>,
    x_role: Option<&str>,
) -> ApiResult<Caller> {
    let generation = state.store().generation();
    if let Some(caller) = token.as_deref().and_then(|t| state.memo().caller(t, x_role, generation)) {
        return Ok(caller);
    }
    let sessions = SessionRules {
        signer: state.signer(),
        policy: state.token_policy()?,
        renewals: state.renewals(),
        stream: is_event_stream(headers),
    };
    let caller = state.store().read(|conn, catalog| auth::authenticate(conn, catalog, &sessions, token, x_role))?;
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

/// `validate-filter-params` (`packages/core/server/src/middlewares/validate-filter-params.ts`),
/// before authentication: `update` and `destroy` need a valid filter (`isValidFilter`) or a
/// `filterByTk`, unless `forceUpdate` / `truncate` is given (any truthy text); a filter that is
/// truthy but not valid is refused even with a key.
fn validate_filter_params(action: &str, params: &Params) -> ApiResult<()> {
    let skip_flag = match action {
        "update" => "forceUpdate",
        "destroy" => "truncate",
        _ => return Ok(()),
    };
    if params.query.get(skip_flag).is_some_and(truthy) {
        return Ok(());
    }
    let filter = params.filter_js().filter(|f| f.truthy());
    let valid = filter.is_some_and(is_valid_filter);
    let by_key =
        params.query.get("filterByTk").is_some_and(truthy) || params.filter_by_tk().is_some_and(|k| truthy(&k));
    if !valid && !by_key {
        return Err(ApiError::server(format!("to do {action} action, filter or filterByTk is required")));
    }
    if let Some(filter) = filter
        && !valid
    {
        let text = stringify::stringify(filter).unwrap_or_default();
        return Err(ApiError::server(format!("Invalid filter: {text}")));
    }
    Ok(())
}

/// JavaScript truthiness of a query value.
fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}
