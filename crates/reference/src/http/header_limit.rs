//! Node's limit on the size of a request head (`--max-http-header-size`, 16 KiB): NocoBase never
//! sees a larger request; Node answers `431` with an empty body and `Connection: close`
//! (probe 525: a 17 kB query string). The request line and every header line are counted.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

/// Node's default `maxHeaderSize`.
pub(crate) const MAX_HEAD_BYTES: usize = 16 * 1024;

/// The bytes of the request head as they came over the wire (HTTP/1.1 framing).
fn head_size(request: &Request) -> usize {
    let target = request.uri().path_and_query().map_or(1, |p| p.as_str().len());
    let request_line = request.method().as_str().len() + 1 + target + " HTTP/1.1\r\n".len();
    let headers: usize = request.headers().iter().map(|(name, value)| name.as_str().len() + 2 + value.len() + 2).sum();
    request_line + headers + 2
}

/// The middleware: refuses an oversized head before routing.
pub(crate) async fn layer(request: Request, next: Next) -> Response {
    if head_size(&request) <= MAX_HEAD_BYTES {
        return next.run(request).await;
    }
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE;
    response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}
