//! Request bodies as NocoBase's `koa-bodyparser` (co-body, strict JSON) reads them: an empty body is
//! `{}`, a body that does not start with `{` or `[` is refused, and malformed JSON is a 400 whose
//! message is exactly what V8's `JSON.parse` says (Node 20), e.g. `Expected double-quoted property
//! name in JSON at position 20`. serde_json does the parsing; V8's wording is recomputed only when
//! it fails.

use serde_json::Value;

/// The strict-mode refusal of co-body.
pub(crate) const NOT_OBJECT_OR_ARRAY: &str = "invalid JSON, only supports object and array";

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
    serde_json::from_str(&text).map_err(|_| v8_message(&text))
}

/// V8's `JSON.parse` error message for `source` (which must be invalid JSON).
pub(crate) fn v8_message(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut scanner = Scanner { chars: &chars, pos: 0, source };
    match scanner.document() {
        Err(message) => message,
        Ok(()) => "Unexpected end of JSON input".to_owned(),
    }
}

struct Scanner<'a> {
    chars: &'a [char],
    pos: usize,
    source: &'a str,
}

type Scan = Result<(), String>;

impl Scanner<'_> {
    fn document(&mut self) -> Scan {
        self.skip_ws();
        self.value()?;
        self.skip_ws();
        if self.pos < self.chars.len() {
            return Err(format!("Unexpected non-whitespace character after JSON at position {}", self.pos));
        }
        Ok(())
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

    fn value(&mut self) -> Scan {
        match self.peek() {
            Some('{') => self.object(),
            Some('[') => self.array(),
            Some('"') => self.string(),
            Some('-' | '0'..='9') => self.number(),
            Some('t') => self.literal("true"),
            Some('f') => self.literal("false"),
            Some('n') => self.literal("null"),
            _ => Err(self.unexpected()),
        }
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

    fn object(&mut self) -> Scan {
        self.pos += 1;
        self.skip_ws();
        if self.peek() == Some('}') {
            self.pos += 1;
            return Ok(());
        }
        if self.peek() != Some('"') {
            return Err(self.at("Expected property name or '}'"));
        }
        loop {
            self.string()?;
            self.skip_ws();
            if self.peek() != Some(':') {
                return Err(self.at("Expected ':' after property name"));
            }
            self.pos += 1;
            self.skip_ws();
            self.value()?;
            self.skip_ws();
            match self.peek() {
                Some(',') => {
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() != Some('"') {
                        return Err(self.at("Expected double-quoted property name"));
                    }
                }
                Some('}') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(self.at("Expected ',' or '}' after property value")),
            }
        }
    }

    fn array(&mut self) -> Scan {
        self.pos += 1;
        self.skip_ws();
        if self.peek() == Some(']') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            self.value()?;
            self.skip_ws();
            match self.peek() {
                Some(',') => {
                    self.pos += 1;
                    self.skip_ws();
                }
                Some(']') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(self.at("Expected ',' or ']' after array element")),
            }
        }
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
}
