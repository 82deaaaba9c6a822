//! The reference server: NocoBase 2.2's HTTP API for the "Using API Keys" tutorial,
//! reimplemented on axum and SQLite. [`app`] builds the router; [`serve`] runs it on a listener.
//!
//! The crate reads top-down: [`pipeline`] takes a request under `/api` through NocoBase's
//! middleware in NocoBase's order; `resources` holds the one route table (which resource has
//! which action, and its handler) and the handlers, named `resource_action`; `auth` decides who
//! is calling and what their role may do; `db` is the SQLite storage that stands in for
//! Sequelize; `http` is the plumbing every layer shares (URL grammar, query strings, bodies,
//! replies, NocoBase's error format). Outside `/api` it answers a small HTML page, as NocoBase's
//! gateway serves its web app there.

mod auth;
pub mod cli;
mod db;
mod http;
mod js;
mod node;
mod pipeline;
mod resources;
mod state;

use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use db::install::RootAccount;
pub use resources::NOCOBASE_VERSION;
pub use state::{AppState, ServerConfig, StartError};

use self::http::reply::Reply;

/// The reference server's router. NocoBase's gateway answers `/api/__health_check` itself and
/// serves the web app outside `/api/` (also for `/api` without a slash, probe 504); only the
/// Koa application under `/api/` has the CORS middleware (probes 503, 529). Node's HTTP server
/// stands in front of all of them when the router is served ([`serve`]).
pub fn app(state: AppState) -> Router {
    let koa = Router::new()
        .route("/api/", axum::routing::any(pipeline::api))
        .route("/api/{*path}", axum::routing::any(pipeline::api))
        .layer(DefaultBodyLimit::disable());
    koa.route("/api/__health_check", axum::routing::any(health_check))
        .route("/api", axum::routing::any(web_app))
        .fallback(web_app)
        .with_state(state)
}

/// Serves the router on `listener`, behind Node's HTTP behaviour ([`node`]), until the task is
/// dropped.
pub async fn serve(listener: TcpListener, state: AppState) -> Result<(), StartError> {
    node::serve(listener, app(state)).await?;
    Ok(())
}

/// Serves on a free port of 127.0.0.1 in a task of the current runtime, until that task is
/// aborted: the address it listens on, and the task. How the harness embeds the server, and how
/// tests start one.
pub async fn spawn(state: AppState) -> Result<(SocketAddr, JoinHandle<()>), StartError> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let task = tokio::spawn(async move {
        if let Err(e) = serve(listener, state).await {
            tracing::error!("reference server stopped: {e}");
        }
    });
    Ok((address, task))
}

/// The gateway's `/api/__health_check` (exactly that URL: with a query string it is an API
/// path like any other, recording 2.2.15-offpath/136): `ok`, its length computed by Node.
async fn health_check(State(state): State<AppState>, request: axum::extract::Request) -> Response {
    if request.uri().query().is_some() {
        return pipeline::api(State(state), request).await;
    }
    let mut response = Reply::Text("ok").into_response();
    response.extensions_mut().insert(node::NodeLength);
    response
}

/// What NocoBase's gateway answers outside `/api/`: its web app's `index.html`, served as a static
/// file (`web_app.html`: the page NocoBase 2.2.15 served, probes 501, 504; its scripts are not
/// part of the reference server).
async fn web_app() -> Response {
    static STARTED: std::sync::LazyLock<String> = std::sync::LazyLock::new(node_date);
    let page = include_str!("web_app.html");
    let mut response = Response::new(Body::from(page));
    // koa-send's headers, in its order (recording 2.2.15-offpath/637); `Last-Modified` is the
    // file's time, here the server's start.
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(page.len()));
    headers.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("inline; filename=\"index.html\""));
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if let Ok(date) = HeaderValue::from_str(&STARTED) {
        headers.insert(header::LAST_MODIFIED, date);
    }
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    response
}

/// An HTTP date, now.
fn node_date() -> String {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    time::OffsetDateTime::now_utc().format(&format).unwrap_or_default()
}
