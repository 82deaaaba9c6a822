//! Serves one filled [`TodoPage`] at `/` from its own origin, `http://127.0.0.1:<port>` with a port
//! of its own (never the target's), as the page that embeds the tutorial's Iframe block would be.
//! The page is held in memory and sent with `Cache-Control: no-store`, so that not even the
//! browser's cache keeps the key. Stopped by [`PageServer::stop`] or when dropped.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use url::Url;

use super::TodoPage;
use crate::error::{HarnessError, Result};

/// The page's own little web server.
#[derive(Debug)]
pub struct PageServer {
    url: Url,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// How long open connections get to finish once the server is asked to stop.
const STOP_GRACE: Duration = Duration::from_secs(5);

impl PageServer {
    /// Starts serving `page` on 127.0.0.1 at a free port.
    pub async fn start(page: TodoPage) -> Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| HarnessError::Environment(format!("cannot bind 127.0.0.1:0 for the To-Dos page: {e}")))?;
        let port = listener.local_addr().map_err(|e| HarnessError::Environment(e.to_string()))?.port();
        let url =
            Url::parse(&format!("http://127.0.0.1:{port}/")).map_err(|e| HarnessError::Environment(e.to_string()))?;
        let (shutdown, stopped) = oneshot::channel::<()>();
        let app = router(page);
        let task = tokio::spawn(async move {
            let serving = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(e) = serving.await {
                tracing::error!("the To-Dos page server stopped: {e}");
            }
        });
        Ok(Self { url, shutdown: Some(shutdown), task: Some(task) })
    }

    /// Where the page is: `http://127.0.0.1:<port>/`.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// Stops serving and waits (a few seconds at most) until the port is closed.
    pub async fn stop(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(mut task) = self.task.take()
            && tokio::time::timeout(STOP_GRACE, &mut task).await.is_err()
        {
            task.abort();
            let _ = task.await;
        }
    }
}

impl Drop for PageServer {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

/// `GET /` answers the page; anything else (the browser's `/favicon.ico`) is a 404.
fn router(page: TodoPage) -> Router {
    Router::new().route("/", get(page_get)).with_state(Arc::new(page))
}

async fn page_get(State(page): State<Arc<TodoPage>>) -> Response {
    let mut response = (StatusCode::OK, page.html().to_owned()).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    async fn get(url: &str) -> reqwest::Response {
        crate::client::http().build().expect("a client").get(url).send().await.expect("the page server answers")
    }

    #[tokio::test]
    async fn serves_the_filled_page_uncached_on_its_own_port_until_stopped() {
        // Arrange
        let base = Url::parse("http://127.0.0.1:13000/api").expect("url");
        let page = TodoPage::fill(&base, "todos_x", &Secret::new("page-server-test-key")).expect("page");
        let server = PageServer::start(page).await.expect("started");
        let url = server.url().to_string();

        // Act
        let response = get(&url).await;
        let missing = get(&format!("{url}favicon.ico")).await;

        // Assert
        assert!(url.starts_with("http://127.0.0.1:") && !url.contains(":13000"));
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["cache-control"], "no-store");
        assert_eq!(response.headers()["content-type"], "text/html; charset=utf-8");
        assert!(response.text().await.expect("body").contains(r#"const API_KEY = "page-server-test-key";"#));
        assert_eq!(missing.status(), 404);
        server.stop().await;
        let client = crate::client::http().build().expect("a client");
        assert!(client.get(&url).send().await.is_err(), "the port is closed once stopped");
    }
}
