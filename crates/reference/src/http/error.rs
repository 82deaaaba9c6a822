//! The reference server's one error type, rendered the way NocoBase's error-handler plugin renders
//! errors: `{"errors":[{"message":…,"code":…}]}` with the error's status, or Koa's plain-text
//! `Not Found` for unknown resources and actions. Internal failures are logged, never echoed.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Messages NocoBase gives for authentication failures (en-US).
pub(crate) mod messages {
    /// No token at all.
    pub(crate) const EMPTY_TOKEN: &str = "Unauthenticated. Please sign in to continue.";
    /// Bad, expired or blocked token.
    pub(crate) const EXPIRED: &str = "Your session has expired. Please sign in again.";
    /// A verified token whose user is gone.
    pub(crate) const NO_USER: &str = "User not found. Please sign in again to continue.";
    /// The requested (or key's) role is not one of the user's roles.
    pub(crate) const ROLE_NOT_OWNED: &str = "The role does not belong to the user";
    /// The user has no roles at all.
    pub(crate) const NO_ROLES: &str = "The current user has no roles. Please try another account.";
    /// The ACL denied the action.
    pub(crate) const NO_PERMISSIONS: &str = "No permissions";
}

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ApiError {
    /// Unknown resource or action (or a route the URL grammar does not give): Koa's 404.
    #[error("Not Found")]
    NotFound,
    /// An error NocoBase reports to the client, with its status and optional code.
    #[error("{message}")]
    Client {
        /// HTTP status.
        status: StatusCode,
        /// The `message` NocoBase gives.
        message: String,
        /// The `code` NocoBase gives, when it gives one.
        code: Option<&'static str>,
    },
    /// A bug or storage failure in the reference server: logged, answered as a bare 500.
    #[error("internal error: {0}")]
    Internal(String),
    /// Koa's own plain-text answer, for when NocoBase's error handler fails itself.
    #[error("{1}")]
    Plain(StatusCode, &'static str),
}

impl ApiError {
    /// A 400 with NocoBase's message.
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::Client { status: StatusCode::BAD_REQUEST, message: message.into(), code: None }
    }

    /// A 401 with NocoBase's message and code.
    pub(crate) fn unauthorized(message: &str, code: &'static str) -> Self {
        Self::Client { status: StatusCode::UNAUTHORIZED, message: message.to_owned(), code: Some(code) }
    }

    /// The ACL's 403 `No permissions`.
    pub(crate) fn forbidden() -> Self {
        Self::Client { status: StatusCode::FORBIDDEN, message: messages::NO_PERMISSIONS.into(), code: None }
    }

    /// A 500 whose message NocoBase shows to the client (thrown `Error`s, Sequelize failures).
    pub(crate) fn server(message: impl Into<String>) -> Self {
        Self::Client { status: StatusCode::INTERNAL_SERVER_ERROR, message: message.into(), code: None }
    }
}

impl ApiError {
    /// The error with its message in `locale`, where NocoBase translates it.
    pub(crate) fn localized(self, locale: crate::http::locale::Locale) -> Self {
        match self {
            ApiError::Client { status, message, code } => {
                let message = locale.translate(&message).map(str::to_owned).unwrap_or(message);
                ApiError::Client { status, message, code }
            }
            other => other,
        }
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(error: rusqlite::Error) -> Self {
        Self::Internal(format!("sqlite: {error}"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::NotFound => {
                let mut response = (StatusCode::NOT_FOUND, "Not Found").into_response();
                response
                    .headers_mut()
                    .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
                response
            }
            ApiError::Client { status, message, code } => {
                let mut error = json!({ "message": message });
                if let Some(code) = code {
                    error["code"] = json!(code);
                }
                crate::http::reply::json_response(status, &json!({ "errors": [error] }))
            }
            ApiError::Plain(status, text) => {
                let mut response = (status, text).into_response();
                response
                    .headers_mut()
                    .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
                response.extensions_mut().insert(KoaPlain);
                response
            }
            ApiError::Internal(detail) => {
                tracing::error!(%detail, "reference server internal error");
                crate::http::reply::json_response(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    &json!({ "errors": [{ "message": "Internal Server Error" }] }),
                )
            }
        }
    }
}

/// Marks Koa's plain-text answer (it removes every header set earlier, `X-Request-Id` too).
#[derive(Debug, Clone, Copy)]
pub(crate) struct KoaPlain;

/// Result of a reference-server operation.
pub(crate) type ApiResult<T> = Result<T, ApiError>;
