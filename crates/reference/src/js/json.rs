//! `JSON.parse` as V8 (Node 20) does it — the values ([`Js`]: doubles, `1e400` as Infinity, lone
//! surrogates kept, the last of duplicate keys winning in the first one's place) and the exact
//! error messages (`Expected double-quoted property name in JSON at position 20`, positions in
//! UTF-16 code units); `JSON.stringify` is in [`super::stringify`]. It works without recursion on
//! the thread's stack: open containers live on a heap stack, so no input, however deep, can
//! overflow it.

use super::text;
use super::value::{Js, Key, Obj};

/// A parsed document and how deeply its containers nest.
#[derive(Debug)]
pub(crate) struct Parsed {
    pub(crate) value: Js,
    pub(crate) depth: usize,
}

/// Why a text is not taken.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Refused {
    /// Not JSON: V8's message.
    Syntax(String),
    /// Valid JSON nesting deeper than the caller's limit (its depth): the containers past the
    /// limit were checked but not kept.
    TooDeep(usize),
}

/// `JSON.parse(source)` for a document of any depth; the error is V8's message.
#[cfg(test)]
pub(crate) fn parse(source: &str) -> Result<Parsed, String> {
    match parse_limited(source, usize::MAX) {
        Ok(parsed) => Ok(parsed),
        Err(Refused::Syntax(message)) => Err(message),
        Err(Refused::TooDeep(_)) => Err("Unexpected end of JSON input".to_owned()),
    }
}

/// `JSON.parse(source)`, keeping no container nested deeper than `max_depth`: a valid document
/// nesting deeper is [`Refused::TooDeep`], an invalid one still gets V8's message.
pub(crate) fn parse_limited(source: &str, max_depth: usize) -> Result<Parsed, Refused> {
    let units = text::to_utf16(source);
    let mut parser = Parser { src: &units, pos: 0, max_depth };
    let parsed = parser.document().map_err(Refused::Syntax)?;
    if parsed.depth > max_depth {
        return Err(Refused::TooDeep(parsed.depth));
    }
    Ok(parsed)
}

/// A container being filled; past the depth limit, only checked.
enum Open {
    Array(Vec<Js>),
    Object(Obj, String),
    Skipped { array: bool },
}

struct Parser<'a> {
    src: &'a [u16],
    pos: usize,
    max_depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u16> {
        self.src.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(0x20 | 0x09 | 0x0A | 0x0D)) {
            self.pos += 1;
        }
    }

    fn at(&self, what: &str) -> String {
        format!("{what} in JSON at position {}", self.pos)
    }

    fn document(&mut self) -> Result<Parsed, String> {
        self.skip_ws();
        let (value, depth) = self.value()?;
        self.skip_ws();
        if self.pos < self.src.len() {
            return Err(format!("Unexpected non-whitespace character after JSON at position {}", self.pos));
        }
        Ok(Parsed { value, depth })
    }

    /// V8's message for an unexpected character at the cursor.
    fn unexpected(&self) -> String {
        let Some(unit) = self.peek() else {
            return "Unexpected end of JSON input".to_owned();
        };
        if unit == u16::from(b'"') {
            return self.at("Unexpected string");
        }
        if unit == u16::from(b'-') || (0x30..=0x39).contains(&unit) {
            return self.at("Unexpected number");
        }
        let source = text::from_utf16(self.src);
        if matches!(source.as_str(), "undefined" | "NaN" | "Infinity" | "[object Object]") {
            return format!("\"{source}\" is not valid JSON");
        }
        let token = text::from_utf16(&self.src[self.pos..self.pos + 1]);
        const CONTEXT: usize = 10;
        let len = self.src.len();
        let slice = |from: usize, to: usize| text::from_utf16(&self.src[from..to.min(len)]);
        if len < CONTEXT * 2 + 1 {
            return format!("Unexpected token '{token}', \"{source}\" is not valid JSON");
        }
        let pos = self.pos;
        if pos < CONTEXT {
            format!("Unexpected token '{token}', \"{}\"... is not valid JSON", slice(0, pos + CONTEXT))
        } else if pos < len - CONTEXT {
            format!("Unexpected token '{token}', ...\"{}\"... is not valid JSON", slice(pos - CONTEXT, pos + CONTEXT))
        } else {
            format!("Unexpected token '{token}', ...\"{}\" is not valid JSON", slice(pos - CONTEXT, len))
        }
    }

    /// One value with its containers, iteratively; answers it and its nesting depth.
    fn value(&mut self) -> Result<(Js, usize), String> {
        let mut open: Vec<Open> = Vec::new();
        let mut deepest = 0;
        loop {
            let mut done = match self.peek() {
                Some(0x7B) => {
                    self.pos += 1;
                    deepest = deepest.max(open.len() + 1);
                    self.skip_ws();
                    if self.peek() == Some(0x7D) {
                        self.pos += 1;
                        Js::Obj(Obj::new())
                    } else if self.peek() == Some(0x22) {
                        let key = self.member_name()?;
                        open.push(if open.len() >= self.max_depth {
                            Open::Skipped { array: false }
                        } else {
                            Open::Object(Obj::new(), key)
                        });
                        continue;
                    } else {
                        return Err(self.at("Expected property name or '}'"));
                    }
                }
                Some(0x5B) => {
                    self.pos += 1;
                    deepest = deepest.max(open.len() + 1);
                    self.skip_ws();
                    if self.peek() == Some(0x5D) {
                        self.pos += 1;
                        Js::Arr(Vec::new())
                    } else {
                        open.push(if open.len() >= self.max_depth {
                            Open::Skipped { array: true }
                        } else {
                            Open::Array(Vec::new())
                        });
                        continue;
                    }
                }
                Some(0x22) => Js::Str(self.string()?),
                Some(0x2D | 0x30..=0x39) => Js::Num(self.number()?),
                Some(0x74) => self.literal("true", Js::Bool(true))?,
                Some(0x66) => self.literal("false", Js::Bool(false))?,
                Some(0x6E) => self.literal("null", Js::Null)?,
                _ => return Err(self.unexpected()),
            };
            // A value ended: attach it, closing the containers it completes.
            loop {
                let Some(innermost) = open.last_mut() else {
                    return Ok((done, deepest));
                };
                self.skip_ws();
                let next = self.peek();
                match innermost {
                    Open::Array(items) => {
                        items.push(std::mem::take(&mut done));
                        match next {
                            Some(0x2C) => {
                                self.pos += 1;
                                self.skip_ws();
                                break;
                            }
                            Some(0x5D) => {
                                self.pos += 1;
                                let Some(Open::Array(items)) = open.pop() else {
                                    return Err(self.at("Unexpected token ']'"));
                                };
                                done = Js::Arr(items);
                            }
                            _ => return Err(self.at("Expected ',' or ']' after array element")),
                        }
                    }
                    Open::Skipped { array } => {
                        let array = *array;
                        match next {
                            Some(0x2C) => {
                                self.pos += 1;
                                self.skip_ws();
                                if !array {
                                    if self.peek() != Some(0x22) {
                                        return Err(self.at("Expected double-quoted property name"));
                                    }
                                    self.member_name()?;
                                }
                                break;
                            }
                            Some(0x5D) if array => {
                                self.pos += 1;
                                open.pop();
                                done = Js::Null;
                            }
                            Some(0x7D) if !array => {
                                self.pos += 1;
                                open.pop();
                                done = Js::Null;
                            }
                            _ if array => return Err(self.at("Expected ',' or ']' after array element")),
                            _ => return Err(self.at("Expected ',' or '}' after property value")),
                        }
                    }
                    Open::Object(obj, key) => {
                        obj.insert(Key::Str(std::mem::take(key)), std::mem::take(&mut done));
                        match next {
                            Some(0x2C) => {
                                self.pos += 1;
                                self.skip_ws();
                                if self.peek() != Some(0x22) {
                                    return Err(self.at("Expected double-quoted property name"));
                                }
                                let name = self.member_name()?;
                                if let Some(Open::Object(_, key)) = open.last_mut() {
                                    *key = name;
                                }
                                break;
                            }
                            Some(0x7D) => {
                                self.pos += 1;
                                let Some(Open::Object(obj, _)) = open.pop() else {
                                    return Err(self.at("Unexpected token '}'"));
                                };
                                done = Js::Obj(obj);
                            }
                            _ => return Err(self.at("Expected ',' or '}' after property value")),
                        }
                    }
                }
            }
        }
    }

    /// A property name and its colon; leaves the cursor on the value.
    fn member_name(&mut self) -> Result<String, String> {
        let name = self.string()?;
        self.skip_ws();
        if self.peek() != Some(0x3A) {
            return Err(self.at("Expected ':' after property name"));
        }
        self.pos += 1;
        self.skip_ws();
        Ok(name)
    }

    fn literal(&mut self, word: &str, value: Js) -> Result<Js, String> {
        for expected in word.bytes() {
            if self.peek() != Some(u16::from(expected)) {
                return Err(self.unexpected());
            }
            self.pos += 1;
        }
        Ok(value)
    }

    fn string(&mut self) -> Result<String, String> {
        self.pos += 1;
        let mut units: Vec<u16> = Vec::new();
        loop {
            let Some(unit) = self.peek() else {
                return Err(format!("Unterminated string in JSON at position {}", self.src.len()));
            };
            match unit {
                0x22 => {
                    self.pos += 1;
                    return Ok(text::from_utf16(&units));
                }
                0x5C => {
                    self.pos += 1;
                    let Some(escape) = self.peek() else {
                        return Err(format!("Unterminated string in JSON at position {}", self.src.len()));
                    };
                    let plain = match escape {
                        0x22 => Some(0x22),
                        0x5C => Some(0x5C),
                        0x2F => Some(0x2F),
                        0x62 => Some(0x08),
                        0x66 => Some(0x0C),
                        0x6E => Some(0x0A),
                        0x72 => Some(0x0D),
                        0x74 => Some(0x09),
                        _ => None,
                    };
                    if let Some(u) = plain {
                        units.push(u);
                        self.pos += 1;
                    } else if escape == 0x75 {
                        self.pos += 1;
                        let mut code: u16 = 0;
                        for _ in 0..4 {
                            let digit =
                                self.peek().and_then(|u| char::from_u32(u32::from(u))).and_then(|c| c.to_digit(16));
                            let Some(digit) = digit else {
                                return Err(self.at("Bad Unicode escape"));
                            };
                            code = code * 16 + digit as u16;
                            self.pos += 1;
                        }
                        units.push(code);
                    } else {
                        return Err(self.at("Bad escaped character"));
                    }
                }
                u if u < 0x20 => return Err(self.at("Bad control character in string literal")),
                u => {
                    units.push(u);
                    self.pos += 1;
                }
            }
        }
    }

    fn number(&mut self) -> Result<f64, String> {
        let start = self.pos;
        let digit = |u: Option<u16>| u.is_some_and(|u| (0x30..=0x39).contains(&u));
        if self.peek() == Some(0x2D) {
            self.pos += 1;
            if !digit(self.peek()) {
                return Err(self.at("No number after minus sign"));
            }
        }
        if self.peek() == Some(0x30) {
            self.pos += 1;
            if digit(self.peek()) {
                return Err(self.at("Unexpected number"));
            }
        } else {
            while digit(self.peek()) {
                self.pos += 1;
            }
        }
        if self.peek() == Some(0x2E) {
            self.pos += 1;
            if !digit(self.peek()) {
                return Err(self.at("Unterminated fractional number"));
            }
            while digit(self.peek()) {
                self.pos += 1;
            }
        }
        if matches!(self.peek(), Some(0x65 | 0x45)) {
            self.pos += 1;
            if matches!(self.peek(), Some(0x2B | 0x2D)) {
                self.pos += 1;
            }
            if !digit(self.peek()) {
                return Err(self.at("Exponent part is missing a number"));
            }
            while digit(self.peek()) {
                self.pos += 1;
            }
        }
        let literal: String = self.src[start..self.pos].iter().map(|u| char::from(*u as u8)).collect();
        Ok(literal.parse::<f64>().unwrap_or(f64::NAN))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(source: &str) -> String {
        parse(source).err().unwrap_or_default()
    }

    #[test]
    fn v8_messages() {
        assert_eq!(message("{\"title\": \"broken\", "), "Expected double-quoted property name in JSON at position 20");
        assert_eq!(message("{\"a\":1"), "Expected ',' or '}' after property value in JSON at position 6");
        assert_eq!(message("{a:1}"), "Expected property name or '}' in JSON at position 1");
        assert_eq!(message("[1,]"), "Unexpected token ']', \"[1,]\" is not valid JSON");
        assert_eq!(message("{\"a\":\"x"), "Unterminated string in JSON at position 7");
        assert_eq!(message("{} x"), "Unexpected non-whitespace character after JSON at position 3");
        assert_eq!(message("NaN"), "\"NaN\" is not valid JSON");
        assert_eq!(message("[".repeat(100_000).as_str()), "Unexpected end of JSON input");
    }

    #[test]
    fn javascript_values() {
        let parsed = parse("{\"b\":1,\"a\":1e400,\"b\":\"\\ud800\",\"n\":-0}").expect("valid");
        let Js::Obj(o) = &parsed.value else { panic!("an object") };
        assert_eq!(o.keys(), ["b", "a", "n"]);
        assert_eq!(o.get(&Key::str("a")), Some(&Js::Num(f64::INFINITY)));
        assert_eq!(o.get(&Key::str("b")), Some(&Js::Str(text::from_utf16(&[0xD800]))));
        assert_eq!(
            super::super::stringify::stringify(&parsed.value).as_deref(),
            Some("{\"b\":\"\\ud800\",\"a\":null,\"n\":0}")
        );
        let deep = format!("{}{}", "[".repeat(50_000), "]".repeat(50_000));
        assert_eq!(parse_limited(&deep, 100).map(|p| p.depth), Err(Refused::TooDeep(50_000)));
        let broken = format!("{}1}}", "[".repeat(30_000));
        assert_eq!(
            parse_limited(&broken, 100).map(|p| p.depth),
            Err(Refused::Syntax("Expected ',' or ']' after array element in JSON at position 30001".into()))
        );
    }
}
