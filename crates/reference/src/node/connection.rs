//! One connection, served as Node's `http` server serves it: heads read by [`super::head`],
//! Node's own checks (no `Host` on HTTP/1.1, `Expect`, an upgrade or `CONNECT` closed without a
//! byte), the request handed to the router with its body streamed as [`super::body`] delimits
//! it, the answer written by [`super::response`], the rest of an unread body read and dropped,
//! then the next request on the same connection — or the close, with Node's timers: 6 s without
//! a byte between requests closes silently, a head not complete 60 s (a body 300 s) after it
//! began gets the 408 at the next 30-second sweep.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderName, HeaderValue, Method, Request, Uri, Version};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::time::Instant;
use tower_service::Service;

use super::Sweeps;
use super::body::{Decoder, Step};
use super::head::{Head, HeadParser, MAX_HEADER_LINES, Progress, Refusal};
use super::response::{self, BAD_REQUEST, CONTINUE, TIMEOUT};

/// `keepAliveTimeout` (5 s) plus Node's 1 s buffer: how long a kept-alive connection may be silent.
const KEEP_ALIVE_IDLE: Duration = Duration::from_secs(6);
/// `headersTimeout`.
const HEADERS_TIMEOUT: Duration = Duration::from_secs(60);
/// `requestTimeout`.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(300);
/// How much of a body is read at a time.
const READ_SIZE: usize = 64 * 1024;
/// The most of an incomplete head kept in memory. Node's budget counts only the target and the
/// header names and values; llhttp streams the rest (blank lines before the request line,
/// spaces after the target, a value's leading whitespace) without keeping it, so Node takes a
/// head with a megabyte of such padding. This server keeps a head until it is complete, and
/// answers Node's 431 to one still incomplete after this many bytes — a deliberate deviation,
/// met only by padding no client sends, that keeps every connection's memory bounded.
const MAX_HEAD_BUFFER: usize = 1024 * 1024;

/// A request body fed from the connection, chunk by chunk.
struct Fed(tokio::sync::mpsc::Receiver<Result<Bytes, std::io::Error>>);

impl http_body::Body for Fed {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, std::io::Error>>> {
        self.0.poll_recv(cx).map(|next| next.map(|chunk| chunk.map(http_body::Frame::data)))
    }
}

/// What reading a head ended with.
enum HeadEnd {
    Head(Head),
    /// The peer left, or stayed silent past the keep-alive timer: close without a word.
    Quiet,
    Refused(Refusal),
    TimedOut,
}

/// The reading side: the socket, what was read and not yet used.
struct Input {
    reader: OwnedReadHalf,
    buf: Vec<u8>,
}

/// How feeding a body ended.
enum Fed_ {
    /// The body is complete.
    Done,
    /// The application dropped the body before its end.
    Dropped,
    /// Not a body llhttp accepts: Node's answer.
    Invalid(Refusal),
    /// The peer left.
    Closed,
}

/// What happened while the application ran.
enum Event<A> {
    Answer(A),
    Fed(Option<(Input, Decoder, Fed_)>),
    TimedOut,
}

/// The feeding task's end, or never when there is none.
async fn fed(feeding: &mut Option<tokio::task::JoinHandle<(Input, Decoder, Fed_)>>) -> Option<(Input, Decoder, Fed_)> {
    match feeding {
        Some(handle) => handle.await.ok(),
        None => std::future::pending().await,
    }
}

/// Serves one connection until it closes.
pub(crate) async fn serve(stream: TcpStream, router: Router, sweeps: Sweeps) {
    let _ = stream.set_nodelay(true);
    let (reader, mut writer) = stream.into_split();
    let mut input = Some(Input { reader, buf: Vec::new() });
    let mut since = Instant::now();
    let mut idle = false;
    loop {
        let Some(reading) = input.as_mut() else { return };
        let head = match read_head(reading, since, idle, &sweeps).await {
            HeadEnd::Head(head) => head,
            HeadEnd::Quiet => return,
            HeadEnd::Refused(refusal) => return end(&mut writer, refusal.answer()).await,
            HeadEnd::TimedOut => return end(&mut writer, TIMEOUT).await,
        };
        let request_start = Instant::now();
        if head.upgrade {
            // No `connect` listener, and NocoBase's `upgrade` handler destroys what is no WebSocket.
            return;
        }
        if head.version == (1, 1) && head.header("host").is_none() {
            return end(&mut writer, &response::node_own("400 Bad Request", true)).await;
        }
        if head.version == (1, 1)
            && let Some(expect) = head.header("expect")
        {
            if String::from_utf8_lossy(expect).to_ascii_lowercase().contains("100-continue") {
                if writer.write_all(CONTINUE).await.is_err() {
                    return;
                }
            } else {
                return end(&mut writer, &response::node_own("417 Expectation Failed", false)).await;
            }
        }
        let head_only = head.method == "HEAD";
        let http_version = head.version;
        let keep_alive = head.keep_alive;
        let mut decoder = Decoder::new(head.framing);
        let Some((request, tx)) = to_request(&head, !decoder.done()) else {
            return end(&mut writer, BAD_REQUEST).await;
        };
        let deadline = sweeps.deadline(request_start, REQUEST_TIMEOUT);

        // The application and the body's feeding run side by side: the body is read only as
        // fast as the application takes it.
        let broken = Arc::new(AtomicBool::new(false));
        let mut feeding = match (tx, input.take()) {
            (Some(tx), Some(lent)) => {
                let lent_decoder = std::mem::replace(&mut decoder, Decoder::Done);
                Some(tokio::spawn(feed(lent, lent_decoder, tx, broken.clone())))
            }
            (None, back) => {
                input = back;
                None
            }
            (Some(_), None) => return,
        };
        let mut outcome: Option<Fed_> = None;
        let mut service = router.clone();
        let app = service.call(request);
        tokio::pin!(app);
        let answer = loop {
            let event = tokio::select! {
                answer = &mut app => Event::Answer(answer),
                joined = fed(&mut feeding) => Event::Fed(joined),
                _ = tokio::time::sleep_until(deadline), if outcome.is_none() && feeding.is_some() => Event::TimedOut,
            };
            match event {
                Event::Answer(answer) => break answer,
                Event::TimedOut => return end(&mut writer, TIMEOUT).await,
                Event::Fed(None) => return,
                Event::Fed(Some((back, back_decoder, how))) => {
                    feeding = None;
                    input = Some(back);
                    decoder = back_decoder;
                    match how {
                        Fed_::Invalid(refusal) => return end(&mut writer, refusal.answer()).await,
                        Fed_::Closed => return,
                        other => outcome = Some(other),
                    }
                }
            }
        };
        let Ok(answer) = answer;
        if broken.load(Ordering::SeqCst)
            && let Some(running) = feeding.take()
        {
            // The application answered a body that broke off: Node never lets that answer out.
            if let Ok((_, _, Fed_::Invalid(refusal))) = running.await {
                end(&mut writer, refusal.answer()).await;
            }
            return;
        }
        let (parts, body) = answer.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else { return };
        let length = if parts.extensions.get::<response::NodeLength>().is_some() {
            response::Length::ByNode { http11: matches!(http_version, (1, 1) | (2, 0)) }
        } else {
            response::Length::Set
        };
        let (head, with_body) =
            response::serialize(parts.status, &parts.headers, &bytes, head_only, keep_alive, length);
        if writer.write_all(&head).await.is_err() || (with_body && writer.write_all(&bytes).await.is_err()) {
            return;
        }
        drop(bytes);
        if let Some(running) = feeding.take() {
            let Ok((back, back_decoder, how)) = running.await else { return };
            input = Some(back);
            decoder = back_decoder;
            outcome = Some(how);
        }
        match outcome {
            Some(Fed_::Invalid(refusal)) => return end(&mut writer, refusal.answer()).await,
            Some(Fed_::Closed) => return,
            _ => {}
        }
        let Some(reading) = input.as_mut() else { return };
        // Node dumps what the application did not read, to reach the next request.
        match drain(reading, &mut decoder, deadline).await {
            Fed_::Done | Fed_::Dropped => {}
            Fed_::Invalid(refusal) => return end(&mut writer, refusal.answer()).await,
            Fed_::Closed => return,
        }
        if !keep_alive {
            let _ = writer.shutdown().await;
            return;
        }
        since = Instant::now();
        idle = true;
    }
}

/// Writes Node's fixed answer and closes.
async fn end(writer: &mut OwnedWriteHalf, bytes: &[u8]) {
    let _ = writer.write_all(bytes).await;
    let _ = writer.shutdown().await;
}

/// Reads until a complete head, with the timers that apply while waiting for one.
async fn read_head(input: &mut Input, since: Instant, idle: bool, sweeps: &Sweeps) -> HeadEnd {
    let mut parser = HeadParser::default();
    let deadline = sweeps.deadline(since, HEADERS_TIMEOUT);
    loop {
        if !input.buf.is_empty() {
            match parser.feed(&input.buf) {
                Progress::Done(head, used) => {
                    input.buf.drain(..used);
                    return HeadEnd::Head(head);
                }
                Progress::Refused(refusal) => return HeadEnd::Refused(refusal),
                Progress::Incomplete if input.buf.len() >= MAX_HEAD_BUFFER => {
                    return HeadEnd::Refused(Refusal::TooLarge);
                }
                Progress::Incomplete => {}
            }
        }
        let mut chunk = [0u8; 16 * 1024];
        let read = input.reader.read(&mut chunk);
        let outcome = if idle {
            tokio::select! {
                r = read => Some(r),
                _ = tokio::time::sleep(KEEP_ALIVE_IDLE) => return HeadEnd::Quiet,
                _ = tokio::time::sleep_until(deadline) => None,
            }
        } else {
            tokio::select! {
                r = read => Some(r),
                _ = tokio::time::sleep_until(deadline) => None,
            }
        };
        match outcome {
            None => return HeadEnd::TimedOut,
            Some(Ok(0)) | Some(Err(_)) => return HeadEnd::Quiet,
            Some(Ok(n)) => input.buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// The request the router gets: the first 1000 header lines, the target as `http::Uri` takes
/// it, the body fed through a channel (`None` when there is no body).
#[allow(clippy::type_complexity)]
fn to_request(
    head: &Head,
    has_body: bool,
) -> Option<(Request<Body>, Option<tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>>)> {
    let method = Method::from_bytes(head.method.as_bytes()).ok()?;
    let uri = uri(&head.target)?;
    let version = match head.version {
        (1, 1) => Version::HTTP_11,
        (1, 0) => Version::HTTP_10,
        (0, 9) => Version::HTTP_09,
        _ => Version::HTTP_2,
    };
    let (body, tx) = if has_body {
        let (tx, rx) = tokio::sync::mpsc::channel(2);
        (Body::new(Fed(rx)), Some(tx))
    } else {
        (Body::empty(), None)
    };
    let mut request = Request::new(body);
    *request.method_mut() = method;
    *request.uri_mut() = uri;
    *request.version_mut() = version;
    for (name, value) in head.headers.iter().take(MAX_HEADER_LINES) {
        let (Ok(name), Ok(value)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_bytes(value)) else {
            return None;
        };
        request.headers_mut().append(name, value);
    }
    Some((request, tx))
}

/// The target as a `Uri`; the few printable characters `http` refuses but Node takes (`"`, `{`,
/// `|`, …) are percent-encoded, which NocoBase's decoding makes no difference of.
fn uri(target: &str) -> Option<Uri> {
    if let Ok(uri) = target.parse::<Uri>() {
        return Some(uri);
    }
    let mut encoded = String::with_capacity(target.len() + 16);
    for c in target.chars() {
        if matches!(c, '"' | '<' | '>' | '\\' | '^' | '`' | '{' | '|' | '}') {
            encoded.push_str(&format!("%{:02X}", c as u32));
        } else {
            encoded.push(c);
        }
    }
    encoded.parse::<Uri>().ok()
}

/// Feeds the body to the application; gives the reading side back with how it ended.
async fn feed(
    mut input: Input,
    mut decoder: Decoder,
    tx: tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>,
    broken: Arc<AtomicBool>,
) -> (Input, Decoder, Fed_) {
    loop {
        match decoder.step(&mut input.buf, READ_SIZE) {
            Step::Data(data) => {
                if tx.send(Ok(Bytes::from(data))).await.is_err() {
                    return (input, decoder, Fed_::Dropped);
                }
            }
            Step::End => return (input, decoder, Fed_::Done),
            // Node answers the parse error itself.
            Step::Invalid(refusal) => return (input, decoder, break_off(&tx, &broken, Fed_::Invalid(refusal)).await),
            Step::More => {
                let mut chunk = vec![0u8; READ_SIZE];
                match input.reader.read(&mut chunk).await {
                    Ok(0) | Err(_) => return (input, decoder, break_off(&tx, &broken, Fed_::Closed).await),
                    Ok(n) => input.buf.extend_from_slice(&chunk[..n]),
                }
            }
        }
    }
}

/// Ends a body that broke off in an error, never in an end the application could take for the
/// whole body; `broken` is set first, so that whatever the application answers is held back.
async fn break_off(
    tx: &tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>,
    broken: &AtomicBool,
    how: Fed_,
) -> Fed_ {
    broken.store(true, Ordering::SeqCst);
    let _ = tx.send(Err(std::io::Error::other("the body broke off"))).await;
    how
}

/// Reads and drops the rest of a body.
async fn drain(input: &mut Input, decoder: &mut Decoder, deadline: Instant) -> Fed_ {
    loop {
        match decoder.step(&mut input.buf, READ_SIZE) {
            Step::Data(_) => {}
            Step::End => return Fed_::Done,
            Step::Invalid(refusal) => return Fed_::Invalid(refusal),
            Step::More => {
                let mut chunk = vec![0u8; READ_SIZE];
                tokio::select! {
                    read = input.reader.read(&mut chunk) => match read {
                        Ok(0) | Err(_) => return Fed_::Closed,
                        Ok(n) => input.buf.extend_from_slice(&chunk[..n]),
                    },
                    _ = tokio::time::sleep_until(deadline) => return Fed_::Closed,
                }
            }
        }
    }
}
