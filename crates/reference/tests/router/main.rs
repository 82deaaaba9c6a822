//! In-process tests of the reference server's router (`tower::ServiceExt::oneshot`, no sockets):
//! unknown or malformed input gets the status and error shape real NocoBase 2.2.15 gives it (the
//! recordings and the probes in the comments), and the server keeps answering afterwards.

mod absurd_pages;
mod bad_filters;
mod bad_tokens;
mod huge_requests;
mod internal_tables;
mod key_lifetimes;
mod malformed_bodies;
mod missing_filters;
mod passwords;
mod query_order;
mod resilience;
mod token_policy;
mod unknown_routes;
mod wrong_types;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use nocobase_reference::{AppState, RootAccount, ServerConfig, app};
use serde_json::{Value, json};
use tower::ServiceExt;

const APP_KEY: &str = "lab-test-app-key-0123456789abcdef";
const JSON_TYPE: &str = "application/json; charset=utf-8";

/// A response, reduced to what the tests look at.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    text: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    fn content_type(&self) -> Option<&str> {
        self.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok())
    }

    /// Asserts NocoBase's error envelope with one message (and a code, when it has one).
    fn assert_error(&self, status: StatusCode, message: &str, code: Option<&str>) {
        assert_eq!(self.status, status, "{}", self.text);
        assert_eq!(self.content_type(), Some(JSON_TYPE));
        let mut error = json!({"message": message});
        if let Some(code) = code {
            error["code"] = json!(code);
        }
        assert_eq!(self.json(), json!({"errors": [error]}));
    }

    /// Asserts Koa's plain-text 404.
    fn assert_not_found(&self) {
        assert_eq!(self.status, StatusCode::NOT_FOUND);
        assert_eq!(self.content_type(), Some("text/plain; charset=utf-8"));
        assert_eq!(self.text, "Not Found");
    }
}

/// A fresh reference server (in-memory database) and the requests the tests send to it.
struct Server {
    router: Router,
}

impl Server {
    fn new() -> Self {
        Self::open(None)
    }

    /// A reference server keeping its data in `database` (`None`: in memory).
    fn open(database: Option<&std::path::Path>) -> Self {
        let config = ServerConfig {
            app_key: APP_KEY.to_owned(),
            root: RootAccount::default(),
            database: database.map(std::path::Path::to_path_buf),
        };
        Self { router: app(AppState::new(config).expect("the reference server starts")) }
    }

    /// Sends `request` as an HTTP/1.1 client would: with a `Host` header (NocoBase refuses a
    /// token on a request without one, as `Invalid URL`).
    async fn send(&self, mut request: Request<Body>) -> Answer {
        if !request.headers().contains_key(header::HOST) {
            request.headers_mut().insert(header::HOST, axum::http::HeaderValue::from_static("127.0.0.1:13000"));
        }
        let response = self.router.clone().oneshot(request).await.expect("the router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("a body");
        Answer { status, headers, text: String::from_utf8_lossy(&bytes).into_owned() }
    }

    async fn call(&self, method: Method, uri: &str, token: Option<&str>, body: Option<&str>) -> Answer {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let body = match body {
            Some(text) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                Body::from(text.to_owned())
            }
            None => Body::empty(),
        };
        self.send(request.body(body).expect("a valid request")).await
    }

    async fn get(&self, uri: &str, token: Option<&str>) -> Answer {
        self.call(Method::GET, uri, token, None).await
    }

    async fn post(&self, uri: &str, token: Option<&str>, body: &Value) -> Answer {
        self.call(Method::POST, uri, token, Some(&body.to_string())).await
    }

    /// Signs the root account in and returns its session token.
    async fn admin(&self) -> String {
        let answer = self
            .post("/api/auth:signIn", None, &json!({"account": "admin@nocobase.com", "password": "admin123"}))
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        answer.json()["data"]["token"].as_str().expect("a token").to_owned()
    }

    /// The tutorial's hand-made `todos` collection (recording 2.2.15-api/13) with three rows.
    async fn todos(&self, admin: &str) {
        let collection = json!({
            "name": "todos", "title": "To Dos", "autoGenId": false, "createdAt": false, "updatedAt": false, "sortable": false,
            "fields": [
                {"name": "id", "type": "bigInt", "interface": "integer", "autoIncrement": true, "primaryKey": true, "allowNull": false,
                 "uiSchema": {"type": "number", "title": "ID", "x-component": "InputNumber", "x-read-pretty": true}},
                {"name": "title", "type": "string", "interface": "input", "uiSchema": {"type": "string", "title": "Title", "x-component": "Input"}},
                {"name": "completed", "type": "boolean", "interface": "checkbox", "uiSchema": {"type": "boolean", "title": "Completed", "x-component": "Checkbox"}}
            ]
        });
        assert_eq!(self.post("/api/collections:create", Some(admin), &collection).await.status, StatusCode::OK);
        for (title, completed) in [("Buy milk", false), ("Write API docs", true), ("Walk the dog", false)] {
            let row =
                self.post("/api/todos:create", Some(admin), &json!({"title": title, "completed": completed})).await;
            assert_eq!(row.status, StatusCode::OK, "{}", row.text);
        }
    }

    /// An API key of the admin for a role that may do everything on todos but see only `title`.
    async fn title_only_key(&self, admin: &str) -> String {
        self.post("/api/roles:create", Some(admin), &json!({"name": "todos_reader", "title": "To Dos Reader"})).await;
        let grant = json!({"usingActionsConfig": true, "name": "todos", "dataSourceKey": "main",
            "actions": [{"name": "view", "fields": ["title"]}, {"name": "create", "fields": ["title"]}]});
        self.post("/api/roles/todos_reader/dataSourceResources:create", Some(admin), &grant).await;
        self.post("/api/roles/todos_reader/users:add", Some(admin), &json!([1])).await;
        let key = self
            .post(
                "/api/apiKeys:create",
                Some(admin),
                &json!({"name": "reader", "role": {"name": "todos_reader"}, "expiresIn": "1d"}),
            )
            .await;
        key.json()["data"]["token"].as_str().expect("a key").to_owned()
    }
}

/// Percent-encodes a query parameter value, sparingly (dots stay dots: a long filter must fit
/// in Node's 16 KiB request head).
fn urlencode(text: &str) -> String {
    use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
    const QUERY_VALUE: &AsciiSet =
        &CONTROLS.add(b' ').add(b'"').add(b'#').add(b'%').add(b'&').add(b'+').add(b'{').add(b'}');
    utf8_percent_encode(text, QUERY_VALUE).to_string()
}

/// An API key's JWT, `{userId, roleName, iat, exp}` signed HS256 with `secret`, expiring in
/// `seconds` (negative: already expired).
fn mint(secret: &str, user_id: i64, role: &str, seconds: i64) -> Result<String, jsonwebtoken::errors::Error> {
    use jsonwebtoken::{Algorithm, EncodingKey, Header};
    let iat = time::OffsetDateTime::now_utc().unix_timestamp();
    let claims = json!({"userId": user_id, "roleName": role, "iat": iat, "exp": iat.saturating_add(seconds)});
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &EncodingKey::from_secret(secret.as_bytes()))
}
