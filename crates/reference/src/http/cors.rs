//! CORS exactly as NocoBase answers it (`@koa/cors` with NocoBase's options,
//! `packages/core/server/src/helper.ts`: `origin: resolveCorsOrigin`, `credentials:
//! isWhitelistedCorsOrigin`): `Vary: Origin` on every answer behind it; with an `Origin`, that
//! origin (`null` included) is reflected and the answer exposes `content-disposition,x-new-token`;
//! the request's own origin is trusted (`Access-Control-Allow-Credentials: true`); a preflight
//! (`OPTIONS` with `Access-Control-Request-Method`) is answered 204 here with the method list
//! and the requested headers echoed. Recordings 2.2.15-ui/54–59, 2.2.15-offpath/449–452.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::Response;

use super::origin;

const ALLOW_METHODS: &str = "GET,HEAD,PUT,POST,DELETE,PATCH";
const EXPOSE_HEADERS: &str = "content-disposition,x-new-token";

/// The `Origin` header, when it has a value (`resolveCorsOrigin` returns it).
fn request_origin(headers: &HeaderMap) -> Option<HeaderValue> {
    headers.get(header::ORIGIN).filter(|v| !v.is_empty()).cloned()
}

fn trusted(headers: &HeaderMap, origin: &HeaderValue) -> bool {
    origin::is_same_origin(headers, &String::from_utf8_lossy(origin.as_bytes()))
}

/// The preflight's answer, when the request is one.
pub(crate) fn preflight(method: &Method, headers: &HeaderMap) -> Option<Response> {
    if method != Method::OPTIONS {
        return None;
    }
    let origin = request_origin(headers)?;
    headers.get(header::ACCESS_CONTROL_REQUEST_METHOD).filter(|v| !v.is_empty())?;
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::NO_CONTENT;
    let out = response.headers_mut();
    out.insert(header::VARY, HeaderValue::from_static("Origin"));
    let credentials = trusted(headers, &origin);
    out.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    if credentials {
        out.insert(header::ACCESS_CONTROL_ALLOW_CREDENTIALS, HeaderValue::from_static("true"));
    }
    out.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static(ALLOW_METHODS));
    if let Some(requested) = headers.get(header::ACCESS_CONTROL_REQUEST_HEADERS) {
        out.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, requested.clone());
    }
    Some(response)
}

/// The headers CORS sets on an answer that goes on to the application, in its order.
pub(crate) fn headers(method: &Method, headers: &HeaderMap) -> Vec<(HeaderName, HeaderValue)> {
    let mut out = vec![(header::VARY, HeaderValue::from_static("Origin"))];
    let Some(origin) = request_origin(headers) else { return out };
    if method == Method::OPTIONS {
        // Not a preflight (no Access-Control-Request-Method): passed on with `Vary` alone.
        return out;
    }
    let credentials = trusted(headers, &origin);
    out.push((header::ACCESS_CONTROL_ALLOW_ORIGIN, origin));
    if credentials {
        out.push((header::ACCESS_CONTROL_ALLOW_CREDENTIALS, HeaderValue::from_static("true")));
    }
    out.push((header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static(EXPOSE_HEADERS)));
    out
}
