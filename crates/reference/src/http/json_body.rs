//! JSON request bodies as co-body 6 reads them for koa-bodyparser: strict (the first non-blank
//! character must open an object or an array, else `invalid JSON, only supports object and
//! array`), parsed by V8's `JSON.parse` (its messages, see [`crate::js::json`]), then checked by
//! `@hapi/bourne` (`protoAction: 'error'`: a `"__proto__"` key anywhere is `Object contains
//! forbidden prototype property`). NocoBase reads any depth but its recursive handling of the
//! values overflows V8's stack past about 3000 levels (500 `Maximum call stack size exceeded`)
//! and its error handler too past about 4740 (Koa's plain-text 500): the reference server keeps
//! values up to [`MAX_DEPTH`] and answers deeper ones so.

use axum::http::StatusCode;

use super::error::{ApiError, ApiResult};
use crate::js::json::{self, Refused};
use crate::js::{Js, Key};

/// The strict-mode refusal of co-body.
pub(crate) const NOT_OBJECT_OR_ARRAY: &str = "invalid JSON, only supports object and array";
/// The deepest body NocoBase handles (recording 239 and probes: about 3000 levels).
pub(crate) const MAX_DEPTH: usize = 3000;
/// Past this, NocoBase's error handler overflows as well and Koa answers in plain text.
const PLAIN_TEXT_DEPTH: usize = 4740;
/// The most values a body may hold. NocoBase has no such limit (its 10 MiB may hold five million
/// numbers, which V8 keeps in 40 MB and a bulk create then inserts one by one); here each value
/// costs some 400 bytes while it is parsed, converted and handled, so a body with more is answered as one
/// past the size limit (413 `request entity too large`) — a deliberate deviation that bounds
/// what one request can make the server allocate.
pub(crate) const MAX_VALUES: usize = 100_000;

/// Parses a JSON body (already decoded as UTF-8): the value and how deeply it nests.
pub(crate) fn parse(text: &str) -> ApiResult<(serde_json::Value, usize)> {
    if text.is_empty() {
        return Ok((serde_json::Value::Object(Default::default()), 0));
    }
    let first = text.trim_start_matches([' ', '\t', '\n', '\r']).chars().next();
    if !matches!(first, Some('{') | Some('[')) {
        return Err(ApiError::bad_request(NOT_OBJECT_OR_ARRAY));
    }
    if values_at_most(text) > MAX_VALUES {
        return Err(ApiError::Client {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            message: "request entity too large".to_owned(),
            code: None,
        });
    }
    let parsed = match json::parse_limited(text, MAX_DEPTH) {
        Ok(parsed) => parsed,
        Err(Refused::Syntax(message)) => return Err(ApiError::bad_request(message)),
        Err(Refused::TooDeep(depth)) if depth > PLAIN_TEXT_DEPTH => {
            return Err(ApiError::Plain(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error"));
        }
        Err(Refused::TooDeep(_)) => return Err(ApiError::server("Maximum call stack size exceeded")),
    };
    if has_proto_key(text) && contains_proto(&parsed.value) {
        return Err(ApiError::bad_request("Object contains forbidden prototype property"));
    }
    Ok((crate::js::to_serde(&parsed.value), parsed.depth))
}

/// bourne's quick test: a `"__proto__"` key (any of its letters may be a `\u` escape).
fn has_proto_key(text: &str) -> bool {
    text.contains("__proto__") || text.contains("\\u005") || text.contains("\\u007") || text.contains("\\u006")
}

/// Whether any object in `value` has an own `__proto__` key (iteratively: no recursion).
fn contains_proto(value: &Js) -> bool {
    let mut todo = vec![value];
    while let Some(v) = todo.pop() {
        match v {
            Js::Obj(o) => {
                if o.get(&Key::str("__proto__")).is_some() {
                    return true;
                }
                for k in o.keys() {
                    if let Some(child) = o.get(&Key::str(k)) {
                        todo.push(child);
                    }
                }
            }
            Js::Arr(items) => todo.extend(items.iter()),
            _ => {}
        }
    }
    false
}

/// The bytes of `text` outside JSON strings (the quotes themselves left out): what the scans
/// below count, without allocating.
fn outside_strings(text: &str) -> impl Iterator<Item = u8> + '_ {
    let (mut in_string, mut escaped) = (false, false);
    text.bytes().filter(move |&b| {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            return false;
        }
        in_string = b == b'"';
        !in_string
    })
}

/// An upper bound of the values `text` holds that parsing keeps: its `,`, `[` and `{` outside
/// strings, plus one — those nested past [`MAX_DEPTH`] are only checked, never kept, and
/// not counted (a deep body keeps NocoBase's answer).
fn values_at_most(text: &str) -> usize {
    let (mut count, mut depth) = (1usize, 0usize);
    for b in outside_strings(text) {
        match b {
            b'[' | b'{' => {
                depth += 1;
                count += usize::from(depth <= MAX_DEPTH);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b',' => count += usize::from(depth <= MAX_DEPTH),
            _ => {}
        }
    }
    count
}

/// How deeply `text` nests `[`/`{` outside strings: a scan without allocation, to decide before
/// parsing whether a request needs the deep-request stack.
pub(crate) fn nesting(text: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    for b in outside_strings(text) {
        match b {
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(text: &str) -> String {
        match parse(text) {
            Err(ApiError::Client { message, .. }) => message,
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn recorded_messages() {
        // Recording 2.2.15-api/79 and 2.2.15-offpath/226-258.
        assert_eq!(message(r#"{"title": "broken", "#), "Expected double-quoted property name in JSON at position 20");
        assert_eq!(message("42"), NOT_OBJECT_OR_ARRAY);
        assert_eq!(message(" "), NOT_OBJECT_OR_ARRAY);
        assert_eq!(message(r#"{"a":{"__proto__":{"x":1}}}"#), "Object contains forbidden prototype property");
        assert_eq!(message(r#"{"\u005f_proto__":1}"#), "Object contains forbidden prototype property");
        assert_eq!(message(&"[".repeat(100_000)), "Unexpected end of JSON input");
        assert_eq!(message(&format!("[{}1]", "1,".repeat(MAX_VALUES))), "request entity too large");
        assert!(parse(&format!("[{}1]", "1,".repeat(MAX_VALUES - 2))).is_ok());
        assert_eq!(values_at_most(r#"{"a":"[,{","b":[1,2]}"#), 5);
        assert_eq!(values_at_most(r#"{"a":"\"[,{\\","b":[1,2]}"#), 5, "escaped quotes stay in the string");
        assert_eq!(nesting(r#"[{"a":"\"[[[\\"},[1]]"#), 2);
        assert!(parse("").is_ok());
    }

    #[test]
    fn depth_as_nocobase_survives_it() {
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        std::thread::Builder::new()
            .stack_size(64 << 20)
            .spawn(move || {
                assert!(parse(&deep(2000)).is_ok());
                assert_eq!(message(&deep(4000)), "Maximum call stack size exceeded");
                assert!(matches!(parse(&deep(10_000)), Err(ApiError::Plain(..))));
            })
            .expect("a thread")
            .join()
            .expect("no panic");
        assert_eq!(nesting(r#"{"a":"[[[","b":[{}]}"#), 3);
    }
}
