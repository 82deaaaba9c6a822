//! Request bodies as NocoBase's `koa-bodyparser` (co-body, strict JSON) reads them: an empty body is
//! `{}`, a body that does not start with `{` or `[` is refused, and malformed JSON is a 400 whose
//! message is exactly what V8's `JSON.parse` says (Node 20), e.g. `Expected double-quoted property
//! name in JSON at position 20`. serde_json does the parsing; V8's wording is recomputed only when
//! it fails, by a scanner that keeps open containers on a heap stack, so no body, however deeply
//! nested, can exhaust the thread's stack.

use serde_json::Value;

/// The strict-mode refusal of co-body.
pub(crate) const NOT_OBJECT_OR_ARRAY: &str = "invalid JSON, only supports object and array";

/// What the reference server answers for a body NocoBase would read but serde_json will not:
/// valid JSON nested deeper than serde_json's 128 levels. NocoBase (V8 parses iteratively)
/// accepts such a body; refusing it keeps every later recursive walk of the value bounded.
pub(crate) const TOO_DEEP: &str = "JSON nested more than 128 levels deep is not supported by the reference server";

/// serde_json's nesting limit: a document nesting this deep is refused.
const SERDE_DEPTH: usize = 128;

/// Parses a JSON request body; the error is the message NocoBase would send with its 400.
pub(crate) fn parse(body: &[u8]) -> Result<Value, String> {
    let text = String::from_utf8_lossy(body);
    if text.is_empty() {
        return Ok(Value::Object(Default::default()));
    }
    let first = text.trim_start_matches([' ', '\t', '\n', '\r']).chars().next();
    if !matches!(first, Some('{') | Some('[')) {
        return Err(NOT_OBJECT_OR_ARRAY.to_owned());
    }
    serde_json::from_str(&text).map_err(|_| match scan(&text) {
        Err(message) => message,
        Ok(depth) if depth >= SERDE_DEPTH => TOO_DEEP.to_owned(),
        Ok(_) => "Unexpected end of JSON input".to_owned(),
    })
}

/// Scans `source` as V8 does: its deepest nesting if it is valid, else V8's message.
fn scan(source: &str) -> Result<usize, String> {
    let chars: Vec<char> = source.chars().collect();
    let mut scanner = Scanner { chars: &chars, pos: 0, source };
    scanner.document()
}

struct Scanner<'a> {
    chars: &'a [char],
    pos: usize,
    source: &'a str,
}

type Scan = Result<(), String>;

/// An open container while scanning: the scanner keeps them on a heap stack, not the call stack,
/// so a body of 100 000 `[` costs memory, not recursion.
#[derive(Clone, Copy)]
enum Open {
    Array,
    Object,
}

impl Scanner<'_> {
    /// The whole document: one value and nothing but whitespace after it; answers its depth.
    fn document(&mut self) -> Result<usize, String> {
        self.skip_ws();
        let depth = self.value()?;
        self.skip_ws();
        if self.pos < self.chars.len() {
            return Err(format!("Unexpected non-whitespace character after JSON at position {}", self.pos));
        }
        Ok(depth)
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\n' | '\r')) {
            self.pos += 1;
        }
    }

    fn at(&self, what: &str) -> String {
        format!("{what} in JSON at position {}", self.pos)
    }

    /// V8's message for an unexpected token at the cursor.
    fn unexpected(&self) -> String {
        let Some(c) = self.peek() else {
            return "Unexpected end of JSON input".to_owned();
        };
        if c == '"' {
            return self.at("Unexpected string");
        }
        if c == '-' || c.is_ascii_digit() {
            return self.at("Unexpected number");
        }
        if matches!(self.source, "undefined" | "NaN" | "Infinity" | "[object Object]") {
            return format!("\"{}\" is not valid JSON", self.source);
        }
        const CONTEXT: usize = 10;
        let len = self.chars.len();
        if len < CONTEXT * 2 + 1 {
            return format!("Unexpected token '{c}', \"{}\" is not valid JSON", self.source);
        }
        let pos = self.pos;
        let slice = |from: usize, to: usize| self.chars[from..to.min(len)].iter().collect::<String>();
        if pos < CONTEXT {
            format!("Unexpected token '{c}', \"{}\"... is not valid JSON", slice(0, pos + CONTEXT))
        } else if pos < len - CONTEXT {
            format!("Unexpected token '{c}', ...\"{}\"... is not valid JSON", slice(pos - CONTEXT, pos + CONTEXT))
        } else {
            format!("Unexpected token '{c}', ...\"{}\" is not valid JSON", slice(pos - CONTEXT, len))
        }
    }

    /// One value at the cursor, containers included, without recursion; answers how deeply its
    /// containers nest (0 for a scalar).
    fn value(&mut self) -> Result<usize, String> {
        let mut open: Vec<Open> = Vec::new();
        let mut deepest = 0;
        loop {
            // A value starts at the cursor.
            match self.peek() {
                Some('{') => {
                    self.pos += 1;
                    deepest = deepest.max(open.len() + 1);
                    self.skip_ws();
                    if self.peek() == Some('}') {
                        self.pos += 1;
                    } else if self.peek() == Some('"') {
                        self.member_name()?;
                        open.push(Open::Object);
                        continue;
                    } else {
                        return Err(self.at("Expected property name or '}'"));
                    }
                }
                Some('[') => {
                    self.pos += 1;
                    deepest = deepest.max(open.len() + 1);
                    self.skip_ws();
                    if self.peek() == Some(']') {
                        self.pos += 1;
                    } else {
                        open.push(Open::Array);
                        continue;
                    }
                }
                Some('"') => self.string()?,
                Some('-' | '0'..='9') => self.number()?,
                Some('t') => self.literal("true")?,
                Some('f') => self.literal("false")?,
                Some('n') => self.literal("null")?,
                _ => return Err(self.unexpected()),
            }
            // A value ended: close the containers it ends, or move on to their next item.
            loop {
                let Some(&innermost) = open.last() else {
                    return Ok(deepest);
                };
                self.skip_ws();
                match (innermost, self.peek()) {
                    (Open::Array, Some(',')) => {
                        self.pos += 1;
                        self.skip_ws();
                        break;
                    }
                    (Open::Array, Some(']')) | (Open::Object, Some('}')) => {
                        self.pos += 1;
                        open.pop();
                    }
                    (Open::Array, _) => return Err(self.at("Expected ',' or ']' after array element")),
                    (Open::Object, Some(',')) => {
                        self.pos += 1;
                        self.skip_ws();
                        if self.peek() != Some('"') {
                            return Err(self.at("Expected double-quoted property name"));
                        }
                        self.member_name()?;
                        break;
                    }
                    (Open::Object, _) => return Err(self.at("Expected ',' or '}' after property value")),
                }
            }
        }
    }

    /// A property name and its colon; leaves the cursor on the property's value.
    fn member_name(&mut self) -> Scan {
        self.string()?;
        self.skip_ws();
        if self.peek() != Some(':') {
            return Err(self.at("Expected ':' after property name"));
        }
        self.pos += 1;
        self.skip_ws();
        Ok(())
    }

    fn literal(&mut self, word: &str) -> Scan {
        for expected in word.chars() {
            if self.peek() != Some(expected) {
                return Err(self.unexpected());
            }
            self.pos += 1;
        }
        Ok(())
    }

    fn string(&mut self) -> Scan {
        let start = self.pos;
        self.pos += 1;
        loop {
            match self.peek() {
                None => {
                    self.pos = start;
                    return Err(format!("Unterminated string in JSON at position {}", self.chars.len()));
                }
                Some('"') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some('\\') => {
                    self.pos += 1;
                    match self.peek() {
                        Some('"' | '\\' | '/' | 'b' | 'f' | 'n' | 'r' | 't') => self.pos += 1,
                        Some('u') => {
                            self.pos += 1;
                            for _ in 0..4 {
                                if !self.peek().is_some_and(|c| c.is_ascii_hexdigit()) {
                                    return Err(self.at("Bad Unicode escape"));
                                }
                                self.pos += 1;
                            }
                        }
                        None => {
                            return Err(format!("Unterminated string in JSON at position {}", self.chars.len()));
                        }
                        Some(_) => return Err(self.at("Bad escaped character")),
                    }
                }
                Some(c) if (c as u32) < 0x20 => {
                    return Err(self.at("Bad control character in string literal"));
                }
                Some(_) => self.pos += 1,
            }
        }
    }

    fn number(&mut self) -> Scan {
        if self.peek() == Some('-') {
            self.pos += 1;
            if !self.peek().is_some_and(|c| c.is_ascii_digit()) {
                return Err(self.at("No number after minus sign"));
            }
        }
        if self.peek() == Some('0') {
            self.pos += 1;
            if self.peek().is_some_and(|c| c.is_ascii_digit()) {
                return Err(self.at("Unexpected number"));
            }
        } else {
            self.digits();
        }
        if self.peek() == Some('.') {
            self.pos += 1;
            if !self.peek().is_some_and(|c| c.is_ascii_digit()) {
                return Err(self.at("Unterminated fractional number"));
            }
            self.digits();
        }
        if matches!(self.peek(), Some('e' | 'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some('+' | '-')) {
                self.pos += 1;
            }
            if !self.peek().is_some_and(|c| c.is_ascii_digit()) {
                return Err(self.at("Exponent part is missing a number"));
            }
            self.digits();
        }
        Ok(())
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// V8's `JSON.parse` error message for `source` (which must be invalid JSON).
    fn v8_message(source: &str) -> String {
        scan(source).err().unwrap_or_default()
    }

    #[test]
    fn recorded_message_for_a_truncated_object() {
        // Recording 2.2.15-api/79: the body `{"title": "broken", ` (20 characters).
        assert_eq!(
            parse(br#"{"title": "broken", "#).expect_err("malformed"),
            "Expected double-quoted property name in JSON at position 20"
        );
    }

    #[test]
    fn v8_messages_for_common_mistakes() {
        assert_eq!(v8_message("{\"a\":1"), "Expected ',' or '}' after property value in JSON at position 6");
        assert_eq!(v8_message("{a:1}"), "Expected property name or '}' in JSON at position 1");
        assert_eq!(v8_message("[1,]"), "Unexpected token ']', \"[1,]\" is not valid JSON");
        assert_eq!(v8_message("{\"a\" 1}"), "Expected ':' after property name in JSON at position 5");
        assert_eq!(v8_message("{\"a\":tru}"), "Unexpected token '}', \"{\"a\":tru}\" is not valid JSON");
        assert_eq!(v8_message("{\"a\":\"x"), "Unterminated string in JSON at position 7");
        assert_eq!(v8_message("{} x"), "Unexpected non-whitespace character after JSON at position 3");
    }

    #[test]
    fn strict_mode_and_empty_bodies() {
        assert_eq!(parse(b""), Ok(serde_json::json!({})));
        assert_eq!(parse(b"\"x\""), Err(NOT_OBJECT_OR_ARRAY.to_owned()));
        assert_eq!(parse(b" [1]"), Ok(serde_json::json!([1])));
    }

    #[test]
    fn deeply_nested_bodies_get_v8s_message_without_recursion() {
        // NocoBase 2.2.15 answers both with this 400 (asked live).
        let brackets = "[".repeat(100_000);
        let members = "{\"a\":".repeat(50_000);
        assert_eq!(parse(brackets.as_bytes()), Err("Unexpected end of JSON input".to_owned()));
        assert_eq!(parse(members.as_bytes()), Err("Unexpected end of JSON input".to_owned()));
        let wrong_close = format!("{}1}}", "[".repeat(30_000));
        assert_eq!(v8_message(&wrong_close), "Expected ',' or ']' after array element in JSON at position 30001");
    }

    #[test]
    fn valid_json_deeper_than_serde_reads_is_refused_by_name() {
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert_eq!(parse(deep(127).as_bytes()).map(|_| ()), Ok(()));
        assert_eq!(parse(deep(128).as_bytes()), Err(TOO_DEEP.to_owned()));
        assert_eq!(parse(deep(100_000).as_bytes()), Err(TOO_DEEP.to_owned()));
    }
}
