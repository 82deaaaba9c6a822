//! CORS exactly as NocoBase answers it (`@koa/cors` with NocoBase's options; recordings
//! 2.2.15-ui/54–59): `Vary: Origin` on every response; with an `Origin`, that origin (`null`
//! included) is reflected; a preflight (`OPTIONS` with `Access-Control-Request-Method`) gets 204,
//! the method list and the requested headers echoed; other responses expose
//! `content-disposition,x-new-token`. tower-http's `CorsLayer` is not used because it answers every
//! `OPTIONS` as a preflight with 200 and exposes headers without an `Origin`, which NocoBase does not.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

const ALLOW_METHODS: &str = "GET,HEAD,PUT,POST,DELETE,PATCH";
const EXPOSE_HEADERS: &str = "content-disposition,x-new-token";

/// The CORS middleware.
pub(crate) async fn layer(request: Request, next: Next) -> Response {
    let origin = request.headers().get(header::ORIGIN).cloned();
    let preflight =
        request.method() == Method::OPTIONS && request.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let requested_headers = request.headers().get(header::ACCESS_CONTROL_REQUEST_HEADERS).cloned();

    let Some(origin) = origin else {
        let mut response = next.run(request).await;
        response.headers_mut().append(header::VARY, HeaderValue::from_static("Origin"));
        return response;
    };

    if request.method() == Method::OPTIONS && !preflight {
        // @koa/cors passes an OPTIONS request without Access-Control-Request-Method straight on,
        // setting nothing but `Vary` (probe 520: 401 without access-control-* headers).
        let mut response = next.run(request).await;
        response.headers_mut().append(header::VARY, HeaderValue::from_static("Origin"));
        return response;
    }

    if preflight {
        let mut response = Response::new(Body::empty());
        *response.status_mut() = StatusCode::NO_CONTENT;
        let headers = response.headers_mut();
        headers.insert(header::VARY, HeaderValue::from_static("Origin"));
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static(ALLOW_METHODS));
        if let Some(requested) = requested_headers {
            headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, requested);
        }
        return response;
    }

    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    headers.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static(EXPOSE_HEADERS));
    response
}
