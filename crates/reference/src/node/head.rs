//! A request head read as Node 20's llhttp 9 reads it in its default (strict) mode, line by line
//! as bytes arrive: optional empty lines, `METHOD SP+ target SP+ HTTP/x.y CRLF` (or no version at
//! all: HTTP/0.9), header lines `token ":" OWS value` with CRLF endings only, then an empty line.
//! Node's budget of 16 KiB counts the target and every header name and value (not the method,
//! the version, the separators): reaching it is the 431. The application sees the first 1000
//! header lines; framing (`Content-Length`, `Transfer-Encoding`, `Connection`, `Upgrade`) reads
//! every line. Which bytes are refused was asked of Node 20.20.2 itself, byte by byte.

/// Node's `--max-http-header-size` default: the counted bytes must stay below it.
pub(crate) const MAX_HEADER_BYTES: usize = 16 * 1024;
/// `MAX_HEADER_PAIRS` (2000 array entries): header lines the application is given.
pub(crate) const MAX_HEADER_LINES: usize = 1000;

/// llhttp's methods (`http.METHODS`).
const METHODS: &[&str] = &[
    "ACL",
    "BIND",
    "CHECKOUT",
    "CONNECT",
    "COPY",
    "DELETE",
    "GET",
    "HEAD",
    "LINK",
    "LOCK",
    "M-SEARCH",
    "MERGE",
    "MKACTIVITY",
    "MKCALENDAR",
    "MKCOL",
    "MOVE",
    "NOTIFY",
    "OPTIONS",
    "PATCH",
    "POST",
    "PROPFIND",
    "PROPPATCH",
    "PURGE",
    "PUT",
    "QUERY",
    "REBIND",
    "REPORT",
    "SEARCH",
    "SOURCE",
    "SUBSCRIBE",
    "TRACE",
    "UNBIND",
    "UNLINK",
    "UNLOCK",
    "UNSUBSCRIBE",
];

/// Why a head is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// Any parse error: `400 Bad Request`.
    BadRequest,
    /// The 16 KiB budget reached: `431 Request Header Fields Too Large`.
    TooLarge,
    /// A chunk's extensions past 16 KiB (`kMaxChunkExtensionsSize`): `413 Payload Too Large`.
    PayloadTooLarge,
}

impl Refusal {
    /// Node's fixed answer, after which it closes the connection.
    pub(crate) fn answer(self) -> &'static [u8] {
        match self {
            Refusal::BadRequest => super::response::BAD_REQUEST,
            Refusal::TooLarge => super::response::TOO_LARGE,
            Refusal::PayloadTooLarge => super::response::PAYLOAD_TOO_LARGE,
        }
    }
}

/// How the body is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Framing {
    None,
    Length(u64),
    Chunked,
}

/// A complete request head.
#[derive(Debug, Clone)]
pub(crate) struct Head {
    pub(crate) method: String,
    pub(crate) target: String,
    /// `(major, minor)`: `(0, 9)` for a request line without a version.
    pub(crate) version: (u8, u8),
    /// Every header line, in order.
    pub(crate) headers: Vec<(String, Vec<u8>)>,
    pub(crate) framing: Framing,
    /// llhttp's keep-alive verdict from the request alone.
    pub(crate) keep_alive: bool,
    /// `Connection: upgrade` with an `Upgrade` header, or `CONNECT`.
    pub(crate) upgrade: bool,
}

/// The incremental parser: feed it the buffer as it grows.
#[derive(Debug, Default)]
pub(crate) struct HeadParser {
    /// Bytes of the buffer already taken as complete lines.
    pos: usize,
    counted: usize,
    request_line: Option<(String, String, (u8, u8))>,
    headers: Vec<(String, Vec<u8>)>,
}

/// What feeding found.
#[derive(Debug)]
pub(crate) enum Progress {
    /// More bytes are needed.
    Incomplete,
    /// The head ends at this offset of the buffer.
    Done(Head, usize),
    Refused(Refusal),
}

fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

impl HeadParser {
    /// Reads the complete lines `buf` holds past what earlier calls read.
    pub(crate) fn feed(&mut self, buf: &[u8]) -> Progress {
        loop {
            let rest = &buf[self.pos..];
            let Some(lf) = rest.iter().position(|b| *b == b'\n') else {
                return self.check_partial(rest);
            };
            if lf == 0 || rest[lf - 1] != b'\r' {
                // A bare LF ends no line in strict mode.
                return Progress::Refused(Refusal::BadRequest);
            }
            let line = &rest[..lf - 1];
            if line.contains(&b'\r') {
                return Progress::Refused(Refusal::BadRequest);
            }
            self.pos += lf + 1;
            if let Err(refusal) = self.line(line) {
                return Progress::Refused(refusal);
            }
            if self.request_line.is_some() && line.is_empty() {
                return match self.finish() {
                    Ok(head) => Progress::Done(head, self.pos),
                    Err(refusal) => Progress::Refused(refusal),
                };
            }
        }
    }

    /// A line not ended yet still counts against the budget (llhttp counts as bytes come).
    fn check_partial(&self, rest: &[u8]) -> Progress {
        let partial = rest.iter().filter(|b| **b != b':' && **b != b' ').count();
        if self.counted + partial >= MAX_HEADER_BYTES + 8 {
            return Progress::Refused(Refusal::TooLarge);
        }
        if rest.contains(&b'\r') && rest.last() != Some(&b'\r') {
            return Progress::Refused(Refusal::BadRequest);
        }
        Progress::Incomplete
    }

    fn count(&mut self, n: usize) -> Result<(), Refusal> {
        self.counted += n;
        if self.counted >= MAX_HEADER_BYTES { Err(Refusal::TooLarge) } else { Ok(()) }
    }

    fn line(&mut self, line: &[u8]) -> Result<(), Refusal> {
        if self.request_line.is_none() {
            if line.is_empty() {
                return Ok(());
            }
            return self.request(line);
        }
        if line.is_empty() {
            return Ok(());
        }
        if line[0] == b' ' || line[0] == b'\t' {
            return Err(Refusal::BadRequest);
        }
        let colon = line.iter().position(|b| *b == b':').ok_or(Refusal::BadRequest)?;
        let name = &line[..colon];
        if name.is_empty() || !name.iter().all(|b| is_token(*b)) {
            return Err(Refusal::BadRequest);
        }
        let raw_value = &line[colon + 1..];
        let start = raw_value.iter().position(|b| *b != b' ' && *b != b'\t').unwrap_or(raw_value.len());
        let end = raw_value.iter().rposition(|b| *b != b' ' && *b != b'\t').map_or(start, |e| e + 1);
        let value = &raw_value[start..end.max(start)];
        if value.iter().any(|b| (*b < 0x20 && *b != b'\t') || *b == 0x7f) {
            return Err(Refusal::BadRequest);
        }
        self.count(name.len() + value.len())?;
        self.headers.push((String::from_utf8_lossy(name).into_owned(), value.to_vec()));
        Ok(())
    }

    fn request(&mut self, line: &[u8]) -> Result<(), Refusal> {
        let space = line.iter().position(|b| *b == b' ').ok_or(Refusal::BadRequest)?;
        let method = std::str::from_utf8(&line[..space]).map_err(|_| Refusal::BadRequest)?;
        if !METHODS.contains(&method) {
            return Err(Refusal::BadRequest);
        }
        let mut rest = &line[space..];
        while rest.first() == Some(&b' ') {
            rest = &rest[1..];
        }
        let target_end = rest.iter().position(|b| *b == b' ').unwrap_or(rest.len());
        let target = &rest[..target_end];
        if target.is_empty() || !target.iter().all(|b| (0x21..=0x7e).contains(b)) {
            return Err(Refusal::BadRequest);
        }
        let valid_form = match target[0] {
            b'/' => true,
            b'*' => true,
            _ if method == "CONNECT" => true,
            _ => absolute_form(target),
        };
        if !valid_form {
            return Err(Refusal::BadRequest);
        }
        let mut after = &rest[target_end..];
        let version = if after.is_empty() {
            (0, 9)
        } else {
            while after.first() == Some(&b' ') {
                after = &after[1..];
            }
            match after {
                b"HTTP/1.1" => (1, 1),
                b"HTTP/1.0" => (1, 0),
                b"HTTP/0.9" => (0, 9),
                b"HTTP/2.0" => (2, 0),
                _ => return Err(Refusal::BadRequest),
            }
        };
        self.count(target.len())?;
        self.request_line = Some((method.to_owned(), String::from_utf8_lossy(target).into_owned(), version));
        Ok(())
    }

    /// The semantic checks llhttp makes once the head is complete.
    fn finish(&mut self) -> Result<Head, Refusal> {
        let (method, target, version) = self.request_line.take().ok_or(Refusal::BadRequest)?;
        let headers = std::mem::take(&mut self.headers);
        let named =
            |name: &'static str| headers.iter().filter(move |(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v);
        let mut length = None;
        for value in named("content-length") {
            if length.is_some() || value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
                return Err(Refusal::BadRequest);
            }
            let text = std::str::from_utf8(value).map_err(|_| Refusal::BadRequest)?;
            length = Some(text.parse::<u64>().map_err(|_| Refusal::BadRequest)?);
        }
        let codings: Vec<String> = named("transfer-encoding")
            .flat_map(|v| {
                String::from_utf8_lossy(v).split(',').map(|c| c.trim().to_ascii_lowercase()).collect::<Vec<_>>()
            })
            .filter(|c| !c.is_empty())
            .collect();
        let te_present = named("transfer-encoding").next().is_some();
        let framing = if te_present && !codings.is_empty() {
            if length.is_some() {
                return Err(Refusal::BadRequest);
            }
            let chunked_at = codings.iter().position(|c| c == "chunked");
            match chunked_at {
                Some(i) if i == codings.len() - 1 && codings.iter().filter(|c| *c == "chunked").count() == 1 => {
                    Framing::Chunked
                }
                Some(_) => return Err(Refusal::BadRequest),
                None if codings.iter().all(|c| c == "identity") => Framing::None,
                None => return Err(Refusal::BadRequest),
            }
        } else {
            length.map_or(Framing::None, Framing::Length)
        };
        let tokens: Vec<String> = named("connection")
            .flat_map(|v| {
                String::from_utf8_lossy(v).split(',').map(|c| c.trim().to_ascii_lowercase()).collect::<Vec<_>>()
            })
            .collect();
        let has = |t: &str| tokens.iter().any(|c| c == t);
        let keep_alive = match version {
            (1, 1) => !has("close"),
            (1, 0) => has("keep-alive") && !has("close"),
            _ => false,
        };
        let upgrade = method == "CONNECT" || (has("upgrade") && named("upgrade").next().is_some());
        Ok(Head { method, target, version, headers, framing, keep_alive, upgrade })
    }
}

/// `scheme://…`: an absolute-form target.
fn absolute_form(target: &[u8]) -> bool {
    let Some(colon) = target.iter().position(|b| *b == b':') else { return false };
    colon > 0
        && target[0].is_ascii_alphabetic()
        && target[..colon].iter().all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(b))
        && target[colon..].starts_with(b"://")
}

impl Head {
    /// The first value of a header.
    pub(crate) fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_slice())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(bytes: &[u8]) -> Result<Head, Refusal> {
        match HeadParser::default().feed(bytes) {
            Progress::Done(head, _) => Ok(head),
            Progress::Refused(r) => Err(r),
            Progress::Incomplete => panic!("incomplete: {}", String::from_utf8_lossy(bytes)),
        }
    }

    #[test]
    fn request_lines_as_node_takes_them() {
        // Asked of Node 20.20.2: each accepted or refused as here.
        let ok = [
            "GET  /a HTTP/1.1",
            "GET /a  HTTP/1.1",
            "GET /a HTTP/1.0",
            "GET /a HTTP/2.0",
            "GET /a HTTP/0.9",
            "GET * HTTP/1.1",
            "GET http://h/x?y HTTP/1.1",
            "GET //x HTTP/1.1",
            "PROPFIND /a HTTP/1.1",
            "GET /a\"{}|\\^` HTTP/1.1",
        ];
        for line in ok {
            assert!(parse(format!("{line}\r\nHost: x\r\n\r\n").as_bytes()).is_ok(), "{line}");
        }
        let bad = [
            "GET /a HTTP/1.1 ",
            "GET\t/a HTTP/1.1",
            "GET /a HTTP/1.2",
            "GET /a HTTP/3.0",
            "GET h HTTP/1.1",
            "get /a HTTP/1.1",
            "FOO /a HTTP/1.1",
            "GET /a http/1.1",
            "GET /\u{e9} HTTP/1.1",
        ];
        for line in bad {
            assert_eq!(
                parse(format!("{line}\r\nHost: x\r\n\r\n").as_bytes()).err(),
                Some(Refusal::BadRequest),
                "{line}"
            );
        }
        assert_eq!(parse(b"GET /a\r\n\r\n").map(|h| h.version), Ok((0, 9)));
    }

    #[test]
    fn framing_headers() {
        let head = |h: &str| parse(format!("POST /a HTTP/1.1\r\nHost: x\r\n{h}\r\n\r\n").as_bytes()).map(|h| h.framing);
        assert_eq!(head("Content-Length: 02"), Ok(Framing::Length(2)));
        assert_eq!(head("Content-Length:  2 "), Ok(Framing::Length(2)));
        assert_eq!(head("Content-Length: 18446744073709551615"), Ok(Framing::Length(u64::MAX)));
        assert_eq!(head("Content-Length: 18446744073709551616"), Err(Refusal::BadRequest));
        assert_eq!(head("Content-Length: "), Err(Refusal::BadRequest));
        assert_eq!(head("Content-Length: 2, 2"), Err(Refusal::BadRequest));
        assert_eq!(head("Content-Length: 2\r\nContent-Length: 2"), Err(Refusal::BadRequest));
        assert_eq!(head("Content-Length: 5\r\nTransfer-Encoding: chunked"), Err(Refusal::BadRequest));
        assert_eq!(head("Transfer-Encoding: gzip, chunked"), Ok(Framing::Chunked));
        assert_eq!(head("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked"), Ok(Framing::Chunked));
        assert_eq!(head("Transfer-Encoding: chunked, gzip"), Err(Refusal::BadRequest));
        assert_eq!(head("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked"), Err(Refusal::BadRequest));
        assert_eq!(head("Transfer-Encoding: gzip"), Err(Refusal::BadRequest));
        assert_eq!(head("Transfer-Encoding: identity"), Ok(Framing::None));
        assert_eq!(head("Transfer-Encoding: "), Ok(Framing::None));
    }

    #[test]
    fn the_budget_counts_target_names_and_values() {
        // Recordings 2.2.15-offpath/134, 135: 16383 counted bytes pass, 16384 do not.
        let fixed = "/api/todos:list?pageSize=1".len() + "Host".len() + "127.0.0.1:13000".len() + "X-Pad".len();
        let head = |counted: usize| {
            format!(
                "GET /api/todos:list?pageSize=1 HTTP/1.1\r\nHost: 127.0.0.1:13000\r\nX-Pad: {}\r\n\r\n",
                "a".repeat(counted - fixed)
            )
        };
        assert!(parse(head(16383).as_bytes()).is_ok());
        assert_eq!(parse(head(16384).as_bytes()).err(), Some(Refusal::TooLarge));
    }
}
