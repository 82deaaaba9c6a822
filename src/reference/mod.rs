//! The bundled reference server: NocoBase 2.2's HTTP API for the "Using API Keys" tutorial,
//! reimplemented on axum and SQLite. [`app`] builds the router; [`serve`] runs it on a listener.
//!
//! Requests under `/api` go through NocoBase's pipeline in NocoBase's order: the URL grammar
//! (unknown resources and actions are a plain-text 404 before any authentication), query and body
//! parsing, the filter-parameter check of update/destroy, the bearer token, the request's role, the
//! ACL, the action, and data-wrapping. Everything else answers a small HTML page, as NocoBase's
//! gateway serves its web app outside `/api`.

mod acl;
mod auth;
mod clock;
mod cors;
mod error;
mod filter;
mod header_limit;
mod ids;
mod inspect;
mod json_body;
mod locale;
mod memo;
mod paging;
mod qs;
mod reply;
mod repository;
mod request;
mod resources;
mod schema;
mod store;
mod swagger;
mod tokens;
mod values;

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use tokio::net::TcpListener;

pub use store::RootAccount;

use self::acl::{Access, Grant};
use self::auth::Caller;
use self::error::{ApiError, ApiResult};
use self::locale::Locale;
use self::reply::Reply;
use self::request::{Params, Route};
use self::store::Store;
use self::tokens::Signer;

/// NocoBase's request body limit (`REQUEST_BODY_LIMIT`, 10 MB).
const BODY_LIMIT: usize = 10 * 1024 * 1024;

/// How the reference server is set up.
#[derive(Clone)]
pub struct ServerConfig {
    /// The JWT secret (NocoBase's `APP_KEY`).
    pub app_key: String,
    /// The root account created on first start.
    pub root: RootAccount,
    /// A SQLite file to keep data in; `None` for a fresh in-memory database.
    pub database: Option<PathBuf>,
}

impl std::fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerConfig")
            .field("app_key", &"[redacted]")
            .field("root", &self.root)
            .field("database", &self.database)
            .finish()
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self { app_key: "reference-server-app-key".to_owned(), root: RootAccount::default(), database: None }
    }
}

/// Why the reference server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The database could not be opened or initialised.
    #[error("could not open the reference server's database: {0}")]
    Database(String),
    /// The listener failed.
    #[error("the reference server stopped: {0}")]
    Io(#[from] std::io::Error),
}

/// Shared state of a running reference server.
#[derive(Clone, Debug)]
pub struct AppState(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    store: Store,
    signer: Signer,
    memo: memo::Memo,
}

impl AppState {
    /// Opens the database and prepares the signer.
    pub fn new(config: ServerConfig) -> Result<Self, StartError> {
        let store =
            Store::open(config.database.as_deref(), &config.root).map_err(|e| StartError::Database(e.to_string()))?;
        let signer = Signer::new(&config.app_key);
        Ok(Self(Arc::new(Inner { store, signer, memo: memo::Memo::default() })))
    }

    pub(crate) fn store(&self) -> &Store {
        &self.0.store
    }

    pub(crate) fn signer(&self) -> &Signer {
        &self.0.signer
    }

    pub(crate) fn memo(&self) -> &memo::Memo {
        &self.0.memo
    }
}

/// The reference server's router. NocoBase's gateway answers `/api/__health_check` itself and
/// serves the web app outside `/api/` (also for `/api` without a slash, probe 504); only the
/// Koa application under `/api/` has the CORS middleware (probes 503, 529). Node's HTTP parser
/// stands in front of all of them ([`header_limit`]).
pub fn app(state: AppState) -> Router {
    let koa = Router::new()
        .route("/api/", axum::routing::any(api))
        .route("/api/{*path}", axum::routing::any(api))
        .layer(DefaultBodyLimit::disable())
        .layer(axum::middleware::from_fn(cors::layer));
    koa.route("/api/__health_check", axum::routing::any(health_check))
        .route("/api", axum::routing::any(web_app))
        .fallback(web_app)
        .layer(axum::middleware::from_fn(header_limit::layer))
        .with_state(state)
}

/// Serves the router on `listener` until the task is dropped.
pub async fn serve(listener: TcpListener, state: AppState) -> Result<(), StartError> {
    axum::serve(listener, app(state)).await?;
    Ok(())
}

async fn health_check() -> Reply {
    Reply::Text("ok")
}

/// What NocoBase's gateway answers outside `/api/`: its web app's `index.html`, served as a static
/// file (`web_app.html`: the page NocoBase 2.2.15 served, probes 501, 504; its scripts are not
/// part of the reference server).
async fn web_app() -> Response {
    let mut response = Response::new(Body::from(include_str!("web_app.html")));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    headers.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("inline; filename=\"index.html\""));
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    response
}

/// One request's parsed inputs and who is making it.
pub(crate) struct Ctx<'a> {
    pub(crate) state: &'a AppState,
    pub(crate) route: Route,
    pub(crate) params: Params,
    pub(crate) body: Value,
    pub(crate) headers: &'a HeaderMap,
    pub(crate) caller: Option<Caller>,
    pub(crate) grant: Grant,
}

impl Ctx<'_> {
    /// The caller; only `None` for public actions.
    pub(crate) fn caller(&self) -> ApiResult<&Caller> {
        self.caller.as_ref().ok_or_else(|| ApiError::Internal("action needs a caller".into()))
    }

    /// The body as an object (`{}` for anything else).
    pub(crate) fn values(&self) -> serde_json::Map<String, Value> {
        self.body.as_object().cloned().unwrap_or_default()
    }
}

async fn api(State(state): State<AppState>, request: Request) -> Response {
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
    if !resources::exists(state.store(), &catalog, &route) {
        return Err(ApiError::NotFound);
    }
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
    let reply = resources::dispatch(&ctx)?;
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

/// The body as koa-bodyparser leaves it (`enableTypes: ['json', 'form']`): JSON (strict) or a
/// form (`title=x`, parsed like a query string); any other type, or no body, is `{}`
/// (probes 330-333).
fn request_body(headers: &HeaderMap, bytes: &Bytes) -> ApiResult<Value> {
    if bytes.is_empty() {
        return Ok(Value::Object(Default::default()));
    }
    match body_type(headers) {
        BodyType::Json => json_body::parse(bytes).map_err(ApiError::bad_request),
        BodyType::Form => Ok(Value::Object(qs::parse(&String::from_utf8_lossy(bytes)))),
        BodyType::Other => Ok(Value::Object(Default::default())),
    }
}

/// The body types koa-bodyparser reads.
enum BodyType {
    /// `application/json`, `+json` types, `application/csp-report`.
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// Anything else: left unread.
    Other,
}

fn body_type(headers: &HeaderMap) -> BodyType {
    let Some(ct) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return BodyType::Other;
    };
    let ct = ct.to_ascii_lowercase();
    let essence = ct.split(';').next().unwrap_or("").trim();
    if essence == "application/json" || essence.ends_with("+json") || essence == "application/csp-report" {
        BodyType::Json
    } else if essence == "application/x-www-form-urlencoded" {
        BodyType::Form
    } else {
        BodyType::Other
    }
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
