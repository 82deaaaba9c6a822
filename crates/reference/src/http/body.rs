//! The request body as NocoBase's koa-bodyparser leaves it (`enableTypes: ['json', 'form']`,
//! co-body 6, raw-body, inflation): JSON and form bodies are read — inflated first for
//! `Content-Encoding: gzip` / `deflate` (either wrapping, as `zlib.createUnzip` reads both), at
//! most 10 MiB after inflation, a declared larger `Content-Length` refused before reading —
//! decoded as UTF-8 (BOM dropped, bad bytes as U+FFFD) and parsed; every other type, and no
//! body, is `{}` and never read. Nothing here holds more than the limit plus one read.

use std::io::Read;

use axum::body::Body;
use axum::http::{HeaderMap, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;

use super::error::{ApiError, ApiResult};
use super::{json_body, qs};

/// NocoBase's request body limit (`REQUEST_BODY_LIMIT`, `10mb` = 10 × 1024 × 1024 bytes).
pub(crate) const BODY_LIMIT: usize = 10 * 1024 * 1024;

/// The body types koa-bodyparser reads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum BodyType {
    /// `application/json`, `+json` types, `application/csp-report`.
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// Anything else: left unread.
    Other,
}

/// What koa-bodyparser made of the body.
#[derive(Debug)]
pub(crate) struct Parsed {
    pub(crate) value: Value,
    /// How deeply a JSON body nests.
    pub(crate) depth: usize,
}

/// `type-is` for koa-bodyparser's JSON and form types.
pub(crate) fn body_type(headers: &HeaderMap) -> BodyType {
    let Some(ct) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return BodyType::Other;
    };
    let ct = ct.to_ascii_lowercase();
    let essence = ct.split(';').next().unwrap_or("").trim();
    let json = [
        "application/json",
        "application/json-patch+json",
        "application/vnd.api+json",
        "application/csp-report",
        "application/scim+json",
    ];
    if json.contains(&essence) {
        BodyType::Json
    } else if essence == "application/x-www-form-urlencoded" {
        BodyType::Form
    } else {
        BodyType::Other
    }
}

fn too_large() -> ApiError {
    ApiError::Client {
        status: StatusCode::PAYLOAD_TOO_LARGE,
        message: "request entity too large".to_owned(),
        code: None,
    }
}

/// Reads and parses the body of a request, or answers as koa-bodyparser does.
pub(crate) async fn read(headers: &HeaderMap, body: Body) -> ApiResult<Parsed> {
    let kind = body_type(headers);
    if kind == BodyType::Other {
        return Ok(Parsed { value: Value::Object(Default::default()), depth: 0 });
    }
    let encoding = match headers.get(header::CONTENT_ENCODING) {
        None => Encoding::Identity,
        Some(value) => match value.as_bytes() {
            b"identity" => Encoding::Identity,
            b"gzip" | b"deflate" => Encoding::Zlib,
            b"br" => Encoding::Brotli,
            other => {
                return Err(ApiError::Client {
                    status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    message: format!("Unsupported Content-Encoding: {}", String::from_utf8_lossy(other)),
                    code: None,
                });
            }
        },
    };
    if encoding == Encoding::Identity {
        let declared =
            headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > BODY_LIMIT as u64) {
            return Err(too_large());
        }
    }
    let raw = collect(body, encoding).await?;
    let text = decode_utf8(raw);
    match kind {
        BodyType::Json => json_body::parse(&text).map(|(value, depth)| Parsed { value, depth }),
        _ => Ok(Parsed { value: Value::Object(qs::parse(&text)), depth: 0 }),
    }
}

/// How the body is encoded (the `inflation` package: `gzip`/`deflate` through `zlib.Unzip`,
/// `br` through `createBrotliDecompress`, the names case-sensitive).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Encoding {
    Identity,
    Zlib,
    Brotli,
}

/// The body's bytes after inflation, refused past [`BODY_LIMIT`] as raw-body does.
async fn collect(mut body: Body, encoding: Encoding) -> ApiResult<Vec<u8>> {
    let mut raw: Vec<u8> = Vec::new();
    let mut inflater = (encoding != Encoding::Identity).then(|| Inflater { input: Vec::new(), encoding });
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| ApiError::Internal(format!("reading the body: {e}")))?;
        let Ok(chunk) = frame.into_data() else { continue };
        match &mut inflater {
            None => {
                if raw.len() + chunk.len() > BODY_LIMIT {
                    return Err(too_large());
                }
                raw.extend_from_slice(&chunk);
            }
            Some(inflater) => inflater.feed(&chunk, &mut raw)?,
        }
    }
    if let Some(inflater) = inflater {
        inflater.finish(&mut raw)?;
    }
    Ok(raw)
}

/// `zlib.createUnzip()` (gzip or zlib-wrapped deflate, detected from the first bytes) or
/// `zlib.createBrotliDecompress()`.
struct Inflater {
    input: Vec<u8>,
    encoding: Encoding,
}

impl Inflater {
    /// Keeps the compressed bytes (at most the limit: a body whose compressed form is larger
    /// cannot inflate to less).
    fn feed(&mut self, chunk: &[u8], _out: &mut Vec<u8>) -> ApiResult<()> {
        if self.input.len() + chunk.len() > BODY_LIMIT {
            return Err(too_large());
        }
        self.input.extend_from_slice(chunk);
        Ok(())
    }

    fn finish(self, out: &mut Vec<u8>) -> ApiResult<()> {
        if self.input.is_empty() {
            return Err(unexpected_end());
        }
        if self.encoding == Encoding::Brotli {
            return brotli(&self.input, out);
        }
        let gzip = self.input.starts_with(&[0x1f, 0x8b]);
        let reader: Box<dyn Read> = if gzip {
            Box::new(flate2::read::MultiGzDecoder::new(self.input.as_slice()))
        } else {
            Box::new(flate2::read::ZlibDecoder::new(self.input.as_slice()))
        };
        let mut limited = reader.take(BODY_LIMIT as u64 + 1);
        match limited.read_to_end(out) {
            Ok(_) if out.len() > BODY_LIMIT => Err(too_large()),
            Ok(_) => Ok(()),
            Err(e) => Err(zlib_error(&e, gzip)),
        }
    }
}

/// Node's error for a stream that ends before its end.
fn unexpected_end() -> ApiError {
    ApiError::Client {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        message: "unexpected end of file".to_owned(),
        code: Some("Z_BUF_ERROR"),
    }
}

/// Brotli-decodes `input` into `out`, refused past [`BODY_LIMIT`]; a malformed stream is Node's
/// `Decompression failed` with the decoder's error name as code (`ERR_` + `_ERROR_FORMAT_…`).
fn brotli(input: &[u8], out: &mut Vec<u8>) -> ApiResult<()> {
    use brotli_decompressor::{BrotliDecompressStream, BrotliResult, BrotliState, StandardAlloc};
    let mut state = BrotliState::new(StandardAlloc::default(), StandardAlloc::default(), StandardAlloc::default());
    let (mut available_in, mut input_offset, mut total) = (input.len(), 0, 0);
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let (mut available_out, mut output_offset) = (buffer.len(), 0);
        let result = BrotliDecompressStream(
            &mut available_in,
            &mut input_offset,
            input,
            &mut available_out,
            &mut output_offset,
            &mut buffer,
            &mut total,
            &mut state,
        );
        out.extend_from_slice(&buffer[..output_offset]);
        if out.len() > BODY_LIMIT {
            return Err(too_large());
        }
        match result {
            BrotliResult::ResultSuccess => return Ok(()),
            BrotliResult::NeedsMoreOutput => {}
            BrotliResult::NeedsMoreInput => return Err(unexpected_end()),
            BrotliResult::ResultFailure => {
                let name = format!("{:?}", state.error_code);
                let name = name.strip_prefix("BROTLI_DECODER").unwrap_or(&name);
                return Err(ApiError::Client {
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    message: "Decompression failed".to_owned(),
                    code: Some(static_code(format!("ERR_{name}"))),
                });
            }
        }
    }
}

/// The error code as a `&'static str`: one of the decoder's few dozen names, each kept once.
fn static_code(code: String) -> &'static str {
    static KNOWN: std::sync::Mutex<Vec<&'static str>> = std::sync::Mutex::new(Vec::new());
    let mut known = KNOWN.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(found) = known.iter().find(|k| **k == code) {
        return found;
    }
    let kept: &'static str = Box::leak(code.into_boxed_str());
    known.push(kept);
    kept
}

/// Node's zlib error for a body that does not inflate: `incorrect header check` (`Z_DATA_ERROR`)
/// for data in neither wrapping, `unexpected end of file` (`Z_BUF_ERROR`) for a cut stream.
fn zlib_error(error: &std::io::Error, gzip: bool) -> ApiError {
    let (message, code) = if error.kind() == std::io::ErrorKind::UnexpectedEof {
        ("unexpected end of file", "Z_BUF_ERROR")
    } else if gzip {
        ("invalid block type", "Z_DATA_ERROR")
    } else {
        let text = error.to_string();
        if text.contains("header") || text.contains("corrupt deflate stream") || text.is_empty() {
            ("incorrect header check", "Z_DATA_ERROR")
        } else {
            ("invalid block type", "Z_DATA_ERROR")
        }
    };
    ApiError::Client { status: StatusCode::INTERNAL_SERVER_ERROR, message: message.to_owned(), code: Some(code) }
}

/// co-body's `iconv-lite` UTF-8 decoding: a leading BOM dropped, invalid bytes as U+FFFD.
/// The bytes are reused when they are valid UTF-8 (no copy of a 10 MiB body).
fn decode_utf8(mut raw: Vec<u8>) -> String {
    if raw.starts_with(&[0xEF, 0xBB, 0xBF]) {
        raw.drain(..3);
    }
    let text = String::from_utf8(raw).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    crate::js::text::from_outside(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(result: ApiResult<()>) -> Option<(String, Option<&'static str>)> {
        match result {
            Err(ApiError::Client { message, code, .. }) => Some((message, code)),
            _ => None,
        }
    }

    #[test]
    fn brotli_decodes_and_fails_as_node_does() {
        // `zlib.brotliCompressSync('{"a":1}')` in Node 20.
        let mut out = Vec::new();
        assert!(brotli(&[11, 3, 128, 123, 34, 97, 34, 58, 49, 125, 3], &mut out).is_ok());
        assert_eq!(out, br#"{"a":1}"#);
        let plain = code(brotli(br#"{"title":"enc","completed":true}"#, &mut Vec::new()));
        assert_eq!(plain, Some(("Decompression failed".to_owned(), Some("ERR__ERROR_FORMAT_PADDING_2"))));
        let cut = code(brotli(&[11, 3, 128, 123, 34, 97], &mut Vec::new()));
        assert_eq!(cut, Some(("unexpected end of file".to_owned(), Some("Z_BUF_ERROR"))));
    }
}
