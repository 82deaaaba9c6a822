//! A request body as llhttp delimits it: `Content-Length` bytes, or chunks — a size in hex (any
//! leading zeros, below 2⁶⁴), optional `;name[=value]` extensions, CRLF, the data, CRLF; a last
//! chunk `0`, trailer lines read like header lines, an empty line. Anything else is the parse
//! error Node answers with a bare 400 (asked of Node 20.20.2: `2 \r\n`, `2;\r\n`, a bare LF, data
//! not followed by CRLF are all refused).

use super::head::{HeadParser, Progress, Refusal};

/// Where the body's delimiting stands.
#[derive(Debug)]
pub(crate) enum Decoder {
    /// This many bytes are still to come.
    Length(u64),
    Chunked(Chunk),
    Done,
}

/// Inside a chunked body.
#[derive(Debug)]
pub(crate) enum Chunk {
    Size,
    Data(u64),
    DataEnd,
    Trailers,
}

/// What the decoder made of the buffer.
#[derive(Debug, PartialEq)]
pub(crate) enum Step {
    /// Body bytes, taken from the front of the buffer.
    Data(Vec<u8>),
    /// More bytes are needed.
    More,
    /// The body is complete.
    End,
    /// Not a body llhttp accepts: Node's answer.
    Invalid(Refusal),
}

/// `kMaxChunkExtensionsSize`: the extension bytes (names and values) one chunk may carry.
const MAX_CHUNK_EXTENSIONS: usize = 16 * 1024;
/// Trailer bytes kept while waiting for their end (the head budget, with room for separators).
const MAX_TRAILERS: usize = 64 * 1024;

impl Decoder {
    pub(crate) fn new(framing: super::head::Framing) -> Self {
        match framing {
            super::head::Framing::None | super::head::Framing::Length(0) => Decoder::Done,
            super::head::Framing::Length(n) => Decoder::Length(n),
            super::head::Framing::Chunked => Decoder::Chunked(Chunk::Size),
        }
    }

    pub(crate) fn done(&self) -> bool {
        matches!(self, Decoder::Done)
    }

    /// Takes what it can from the front of `buf` (at most `max` data bytes at a time).
    pub(crate) fn step(&mut self, buf: &mut Vec<u8>, max: usize) -> Step {
        loop {
            match self {
                Decoder::Done => return Step::End,
                Decoder::Length(left) => {
                    let (step, finished) = take(left, buf, max);
                    if finished {
                        *self = Decoder::Done;
                    }
                    return step;
                }
                Decoder::Chunked(Chunk::Size) => {
                    // Leading zeros change nothing and llhttp keeps none of them: neither do we.
                    let zeros = buf.iter().take_while(|b| **b == b'0').count();
                    if zeros > 1 || (zeros == 1 && buf.get(1).is_some_and(u8::is_ascii_hexdigit)) {
                        let keep = usize::from(!buf.get(zeros).is_some_and(u8::is_ascii_hexdigit));
                        buf.drain(..zeros - keep);
                    }
                    let Some(lf) = buf.iter().position(|b| *b == b'\n') else {
                        return match extensions_size(buf) {
                            n if n > MAX_CHUNK_EXTENSIONS => Step::Invalid(Refusal::PayloadTooLarge),
                            _ if buf.len() > MAX_CHUNK_EXTENSIONS + 64 => Step::Invalid(Refusal::BadRequest),
                            _ => Step::More,
                        };
                    };
                    if extensions_size(&buf[..lf]) > MAX_CHUNK_EXTENSIONS {
                        return Step::Invalid(Refusal::PayloadTooLarge);
                    }
                    let Some(size) = chunk_size(&buf[..lf]) else { return Step::Invalid(Refusal::BadRequest) };
                    buf.drain(..=lf);
                    *self =
                        if size == 0 { Decoder::Chunked(Chunk::Trailers) } else { Decoder::Chunked(Chunk::Data(size)) };
                }
                Decoder::Chunked(Chunk::Data(left)) => {
                    let (step, finished) = take(left, buf, max);
                    if finished {
                        *self = Decoder::Chunked(Chunk::DataEnd);
                    }
                    return step;
                }
                Decoder::Chunked(Chunk::DataEnd) => {
                    if buf.len() < 2 {
                        return if buf.first().is_some_and(|b| *b != b'\r') {
                            Step::Invalid(Refusal::BadRequest)
                        } else {
                            Step::More
                        };
                    }
                    if &buf[..2] != b"\r\n" {
                        return Step::Invalid(Refusal::BadRequest);
                    }
                    buf.drain(..2);
                    *self = Decoder::Chunked(Chunk::Size);
                }
                Decoder::Chunked(Chunk::Trailers) => {
                    // Trailers are header lines: parsed by the head parser after a stand-in
                    // request line, so the same rules hold.
                    let mut parser = HeadParser::default();
                    let mut framed = b"POST / HTTP/1.1\r\n".to_vec();
                    framed.extend_from_slice(buf);
                    match parser.feed(&framed) {
                        Progress::Incomplete if buf.len() > MAX_TRAILERS => return Step::Invalid(Refusal::TooLarge),
                        Progress::Incomplete => return Step::More,
                        Progress::Refused(refusal) => return Step::Invalid(refusal),
                        Progress::Done(_, used) => {
                            buf.drain(..used - 17);
                            *self = Decoder::Done;
                            return Step::End;
                        }
                    }
                }
            }
        }
    }
}

/// Up to `max` bytes of the `left` a length or a chunk still owes, taken from `buf`: the step,
/// and whether nothing is owed any more.
fn take(left: &mut u64, buf: &mut Vec<u8>, max: usize) -> (Step, bool) {
    if buf.is_empty() {
        return (Step::More, false);
    }
    let n = (*left).min(buf.len() as u64).min(max as u64) as usize;
    let data: Vec<u8> = buf.drain(..n).collect();
    *left -= n as u64;
    (Step::Data(data), *left == 0)
}

/// The extension bytes of a (partial) size line that Node counts: names and values.
fn extensions_size(line: &[u8]) -> usize {
    let Some(start) = line.iter().position(|b| *b == b';') else { return 0 };
    line[start..].iter().filter(|b| !matches!(b, b';' | b'=' | b'\r')).count()
}

/// `1*HEXDIG *( ";" name [ "=" value ] ) CRLF` as llhttp reads a chunk size line.
fn chunk_size(line: &[u8]) -> Option<u64> {
    let line = line.strip_suffix(b"\r")?;
    let end = line.iter().position(|b| *b == b';').unwrap_or(line.len());
    let (digits, extensions) = line.split_at(end);
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    let digits = std::str::from_utf8(digits).ok()?.trim_start_matches('0');
    let size = if digits.is_empty() { 0 } else { u64::from_str_radix(digits, 16).ok()? };
    for extension in extensions.split(|b| *b == b';').skip(1) {
        let (name, value) = match extension.iter().position(|b| *b == b'=') {
            Some(eq) => (&extension[..eq], Some(&extension[eq + 1..])),
            None => (extension, None),
        };
        if name.is_empty() || !name.iter().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(b)) {
            return None;
        }
        if let Some(value) = value
            && value.iter().any(|b| *b < 0x20 || *b == 0x7f)
        {
            return None;
        }
    }
    Some(size)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(chunks: &[u8]) -> Result<Vec<u8>, ()> {
        let mut decoder = Decoder::new(super::super::head::Framing::Chunked);
        let mut buf = chunks.to_vec();
        let mut out = Vec::new();
        loop {
            match decoder.step(&mut buf, 1 << 20) {
                Step::Data(d) => out.extend(d),
                Step::End => return Ok(out),
                Step::More => return Err(()),
                Step::Invalid(_) => return Err(()),
            }
        }
    }

    #[test]
    fn chunked_bodies_as_node_reads_them() {
        // Asked of Node 20.20.2.
        for ok in [
            &b"2;a=b;c\r\n{}\r\n0\r\n\r\n"[..],
            b"2;a=\"b\"\r\n{}\r\n0\r\n\r\n",
            b"02\r\n{}\r\n00\r\n\r\n",
            b"2\r\n{}\r\n0\r\nX: 1\r\n\r\n",
            b"A\r\n0123456789\r\n0\r\n\r\n",
        ] {
            assert!(body(ok).is_ok(), "{}", String::from_utf8_lossy(ok));
        }
        for bad in [
            &b"2 \r\n{}\r\n0\r\n\r\n"[..],
            b"2\t\r\n{}\r\n0\r\n\r\n",
            b" 2\r\n{}\r\n0\r\n\r\n",
            b"2;\r\n{}\r\n0\r\n\r\n",
            b"2\n{}\r\n0\r\n\r\n",
            b"2\r\n{}\n0\r\n\r\n",
            b"2\r\n{}\r\n0\r\nY : 2\r\n\r\n",
            b"-2\r\n",
            b"10000000000000000\r\n",
            b"2\r\n{}XX0\r\n\r\n",
        ] {
            assert!(body(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn limits_as_node_has_them() {
        // Asked of Node 20.20.2: 20,000 leading zeros pass; 16,001 extension bytes pass,
        // 20,001 are a 413.
        let zeros = [vec![b'0'; 20_000], b"2\r\n{}\r\n0\r\n\r\n".to_vec()].concat();
        assert_eq!(body(&zeros), Ok(b"{}".to_vec()));
        let long_zero = [vec![b'0'; 20_000], b"\r\n\r\n".to_vec()].concat();
        assert_eq!(body(&long_zero), Ok(Vec::new()));
        let fine = [b"2;a=".to_vec(), vec![b'b'; 16_000], b"\r\n{}\r\n0\r\n\r\n".to_vec()].concat();
        assert!(body(&fine).is_ok());
        let mut decoder = Decoder::new(super::super::head::Framing::Chunked);
        let mut buf = [b"2;a=".to_vec(), vec![b'b'; 20_000]].concat();
        assert_eq!(decoder.step(&mut buf, 1 << 20), Step::Invalid(Refusal::PayloadTooLarge));
    }
}
