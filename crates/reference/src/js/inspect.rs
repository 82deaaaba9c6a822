//! Node 20's `util.inspect` (`lib/internal/util/inspect.js`) for the values NocoBase puts in
//! error messages, as Sequelize calls it (`logger.inspect`: `depth: 1`, otherwise the defaults:
//! `breakLength: 80`, `compact: 3`, `maxArrayLength: 100`, `maxStringLength: 10000`), e.g.
//! `Invalid value { '$foo': [ [Object] ] }`. Widths are UTF-16 lengths as in JavaScript, the
//! line breaking and array grouping are Node's (`reduceToSingleString`, `groupArrayElements`).

use super::number;
use super::text;
use super::value::{Js, Key};

const BREAK_LENGTH: usize = 80;
const COMPACT: usize = 3;
const MAX_ARRAY_LENGTH: usize = 100;
const MAX_STRING_LENGTH: usize = 10_000;
const MIN_LINE_LENGTH: usize = 16;

/// `util.inspect(value, { depth: 1 })`.
pub(crate) fn inspect(value: &Js) -> String {
    let mut ctx = Ctx { depth: 1, indentation: 0, current_depth: 0 };
    ctx.value(value, 0)
}

struct Ctx {
    depth: usize,
    indentation: usize,
    current_depth: usize,
}

fn len16(s: &str) -> usize {
    text::utf16_len(s)
}

impl Ctx {
    fn value(&mut self, value: &Js, recurse: usize) -> String {
        match value {
            Js::Undefined => "undefined".to_owned(),
            Js::Null => "null".to_owned(),
            Js::Bool(b) => b.to_string(),
            Js::Num(n) if *n == 0.0 && n.is_sign_negative() => "-0".to_owned(),
            Js::Num(n) => number::to_string(*n),
            Js::Str(s) => self.string(s),
            Js::Arr(_) | Js::Obj(_) | Js::Literal(_) => self.raw(value, recurse),
        }
    }

    fn string(&self, s: &str) -> String {
        let units = text::to_utf16(s);
        let (shown, trailer) = if units.len() > MAX_STRING_LENGTH {
            let remaining = units.len() - MAX_STRING_LENGTH;
            let plural = if remaining > 1 { "s" } else { "" };
            (text::from_utf16(&units[..MAX_STRING_LENGTH]), format!("... {remaining} more character{plural}"))
        } else {
            (s.to_owned(), String::new())
        };
        let length = len16(&shown);
        if length > MIN_LINE_LENGTH && length + self.indentation + 4 > BREAK_LENGTH {
            let mut lines = Vec::new();
            let mut rest = shown.as_str();
            while let Some(at) = rest.find('\n') {
                lines.push(&rest[..=at]);
                rest = &rest[at + 1..];
            }
            if !rest.is_empty() || lines.is_empty() {
                lines.push(rest);
            }
            let glue = format!(" +\n{}", " ".repeat(self.indentation + 2));
            return lines.into_iter().map(str_escape).collect::<Vec<_>>().join(&glue) + &trailer;
        }
        str_escape(&shown) + &trailer
    }

    fn raw(&mut self, value: &Js, mut recurse: usize) -> String {
        let (braces, is_array): ([String; 2], bool) = match value {
            Js::Arr(items) => {
                if items.is_empty() {
                    return "[]".to_owned();
                }
                (["[".to_owned(), "]".to_owned()], true)
            }
            Js::Obj(obj) => {
                if obj.is_empty() {
                    return "{}".to_owned();
                }
                (["{".to_owned(), "}".to_owned()], false)
            }
            _ => (["Literal {".to_owned(), "}".to_owned()], false),
        };
        if recurse > self.depth {
            return match value {
                Js::Arr(_) => "[Array]",
                Js::Obj(_) => "[Object]",
                _ => "[Literal]",
            }
            .to_owned();
        }
        recurse += 1;
        self.current_depth = recurse;
        let mut output = Vec::new();
        match value {
            Js::Arr(items) => self.array(items, recurse, &mut output),
            Js::Obj(obj) => {
                let mut keys: Vec<Key> = obj.keys().into_iter().map(Key::str).collect();
                keys.extend(obj.operators().into_iter().map(Key::Sym));
                for key in keys {
                    let item = obj.get(&key).cloned().unwrap_or_default();
                    let shown = self.property(&item, recurse);
                    let name = match &key {
                        Key::Sym(op) => format!("[Symbol({})]", op.name()),
                        Key::Str(k) if k == "__proto__" => "['__proto__']".to_owned(),
                        Key::Str(k) if identifier(k) => k.clone(),
                        Key::Str(k) => str_escape(k),
                    };
                    output.push(format!("{name}: {shown}"));
                }
            }
            Js::Literal(sql) => {
                let shown = self.property(&Js::Str(sql.clone()), recurse);
                output.push(format!("val: {shown}"));
            }
            _ => {}
        }
        self.reduce(output, &braces, is_array, recurse, value)
    }

    fn property(&mut self, value: &Js, recurse: usize) -> String {
        self.indentation += 2;
        let shown = self.value(value, recurse);
        self.indentation -= 2;
        shown
    }

    fn array(&mut self, items: &[Js], recurse: usize, output: &mut Vec<String>) {
        let shown_len = items.len().min(MAX_ARRAY_LENGTH);
        let mut index = 0;
        let mut holes = 0;
        while index < items.len() && output.len() < shown_len {
            if matches!(items[index], Js::Undefined) {
                holes += 1;
                index += 1;
                continue;
            }
            if holes > 0 {
                output.push(format!("<{holes} empty item{}>", if holes > 1 { "s" } else { "" }));
                holes = 0;
                if output.len() == shown_len {
                    break;
                }
            }
            output.push(self.property(&items[index], recurse));
            index += 1;
        }
        if holes > 0 && output.len() < shown_len {
            output.push(format!("<{holes} empty item{}>", if holes > 1 { "s" } else { "" }));
        }
        let remaining = items.len() - index;
        if remaining > 0 && output.len() >= shown_len {
            output.push(format!("... {remaining} more item{}", if remaining > 1 { "s" } else { "" }));
        }
    }

    fn reduce(
        &mut self,
        mut output: Vec<String>,
        braces: &[String; 2],
        is_array: bool,
        recurse: usize,
        value: &Js,
    ) -> String {
        let entries = output.len();
        if is_array && entries > 6 {
            output = self.group(output, value);
        }
        if self.current_depth - recurse < COMPACT && entries == output.len() {
            let start = output.len() + self.indentation + len16(&braces[0]) + 10;
            if below_break_length(&output, start) {
                let joined = output.join(", ");
                if !joined.contains('\n') {
                    return format!("{} {joined} {}", braces[0], braces[1]);
                }
            }
        }
        let indentation = format!("\n{}", " ".repeat(self.indentation));
        format!("{}{indentation}  {}{indentation}{}", braces[0], output.join(&format!(",{indentation}  ")), braces[1])
    }

    /// `groupArrayElements`: short entries of long arrays in aligned columns.
    fn group(&self, output: Vec<String>, value: &Js) -> Vec<String> {
        let mut total = 0usize;
        let mut max = 0usize;
        let items = match value {
            Js::Arr(items) => items.as_slice(),
            _ => &[],
        };
        let mut output_len = output.len();
        if output.len() > MAX_ARRAY_LENGTH {
            output_len -= 1;
        }
        let separator = 2;
        let data_len: Vec<usize> = output[..output_len].iter().map(|o| string_width(o)).collect();
        for len in &data_len {
            total += len + separator;
            max = max.max(*len);
        }
        let actual_max = max + separator;
        if actual_max * 3 + self.indentation < BREAK_LENGTH && (total as f64 / actual_max as f64 > 5.0 || max <= 6) {
            let average_bias = (actual_max as f64 - total as f64 / output.len() as f64).sqrt();
            let biased_max = (actual_max as f64 - 3.0 - average_bias).max(1.0);
            let columns = ((2.5 * biased_max * output_len as f64).sqrt() / biased_max)
                .round()
                .min(((BREAK_LENGTH - self.indentation) / actual_max) as f64)
                .min((COMPACT * 4) as f64)
                .min(15.0) as usize;
            if columns <= 1 {
                return output;
            }
            let mut max_line_length = Vec::with_capacity(columns);
            for i in 0..columns {
                let mut line = 0;
                let mut j = i;
                while j < output.len() {
                    if let Some(len) = data_len.get(j) {
                        line = line.max(*len);
                    }
                    j += columns;
                }
                max_line_length.push(line + separator);
            }
            let numbers = (0..output.len()).all(|i| matches!(items.get(i), Some(Js::Num(_))));
            let mut grouped = Vec::new();
            let mut i = 0;
            while i < output_len {
                let end = (i + columns).min(output_len);
                let mut line = String::new();
                let mut j = i;
                while j < end - 1 {
                    let cell = format!("{}, ", output[j]);
                    let width = max_line_length[j - i] + len16(&output[j]) - data_len[j];
                    line.push_str(&pad(&cell, width, numbers));
                    j += 1;
                }
                if numbers {
                    let width = (max_line_length[j - i] + len16(&output[j])).saturating_sub(data_len[j] + separator);
                    line.push_str(&pad(&output[j], width, true));
                } else {
                    line.push_str(&output[j]);
                }
                grouped.push(line);
                i += columns;
            }
            if output_len < output.len() {
                grouped.push(output[output_len].clone());
            }
            return grouped;
        }
        output
    }
}

/// `padStart` (numbers) or `padEnd` to `width` UTF-16 units.
fn pad(s: &str, width: usize, start: bool) -> String {
    let fill = " ".repeat(width.saturating_sub(len16(s)));
    if start { format!("{fill}{s}") } else { format!("{s}{fill}") }
}

fn below_break_length(output: &[String], start: usize) -> bool {
    let mut total = output.len() + start;
    if total + output.len() > BREAK_LENGTH {
        return false;
    }
    for entry in output {
        total += len16(entry);
        if total > BREAK_LENGTH {
            return false;
        }
    }
    true
}

/// `getStringWidth`: full-width characters count 2, zero-width ones 0.
fn string_width(s: &str) -> usize {
    text::pieces(s)
        .map(|piece| {
            let text::Piece::Char(c) = piece else { return 1 };
            let code = c as u32;
            if full_width(code) {
                2
            } else if zero_width(code) {
                0
            } else {
                1
            }
        })
        .sum()
}

fn full_width(code: u32) -> bool {
    code >= 0x1100
        && (code <= 0x115f
            || code == 0x2329
            || code == 0x232a
            || (0x2e80..=0x3247).contains(&code) && code != 0x303f
            || (0x3250..=0x4dbf).contains(&code)
            || (0x4e00..=0xa4c6).contains(&code)
            || (0xa960..=0xa97c).contains(&code)
            || (0xac00..=0xd7a3).contains(&code)
            || (0xf900..=0xfaff).contains(&code)
            || (0xfe10..=0xfe19).contains(&code)
            || (0xfe30..=0xfe6b).contains(&code)
            || (0xff01..=0xff60).contains(&code)
            || (0xffe0..=0xffe6).contains(&code)
            || (0x1b000..=0x1b001).contains(&code)
            || (0x1f200..=0x1f251).contains(&code)
            || (0x1f300..=0x1f64f).contains(&code)
            || (0x20000..=0x3fffd).contains(&code))
}

fn zero_width(code: u32) -> bool {
    code <= 0x1f
        || (0x7f..=0x9f).contains(&code)
        || (0x300..=0x36f).contains(&code)
        || (0x200b..=0x200f).contains(&code)
        || (0x20d0..=0x20ff).contains(&code)
        || (0xfe00..=0xfe0f).contains(&code)
        || (0xfe20..=0xfe2f).contains(&code)
        || (0xe0100..=0xe01ef).contains(&code)
}

/// `keyStrRegExp`: `^[a-zA-Z_][a-zA-Z_0-9]*$`.
fn identifier(k: &str) -> bool {
    let mut chars = k.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `strEscape`: single quotes unless the text holds one (then double quotes, then backticks),
/// control characters, C1 characters and lone surrogates escaped.
pub(crate) fn str_escape(s: &str) -> String {
    let quote = if !s.contains('\'') {
        '\''
    } else if !s.contains('"') {
        '"'
    } else if !s.contains('`') && !s.contains("${") {
        '`'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for piece in text::pieces(s) {
        let c = match piece {
            text::Piece::Lone(unit) => {
                out.push_str(&format!("\\u{unit:x}"));
                continue;
            }
            text::Piece::Char(c) => c,
        };
        let code = c as u32;
        match c {
            '\'' if quote == '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            _ if code < 0x20 || (0x7f..=0x9f).contains(&code) => out.push_str(&format!("\\x{code:02X}")),
            _ => out.push(c),
        }
    }
    out.push(quote);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::js::json;

    fn shown(source: &str) -> String {
        inspect(&json::parse(source).expect("valid JSON").value)
    }

    #[test]
    fn recorded_sequelize_messages() {
        // Recordings 2.2.15-api/78, 2.2.15-offpath/508, 509, 512, 575.
        assert_eq!(shown(r#"{"$includesAny":["milk","dog"]}"#), "{ '$includesAny': [ 'milk', 'dog' ] }");
        assert_eq!(
            shown(r#"{"$foo":[1,2,3,4,5,6,7,8,9,10]}"#),
            "{\n  '$foo': [\n    1, 2, 3, 4,  5,\n    6, 7, 8, 9, 10\n  ]\n}"
        );
        assert_eq!(shown(r#"{"b":{"c":{"d":1}}}"#), "{ b: { c: [Object] } }");
        assert_eq!(shown(r#"{"a":"it's"}"#), "{ a: \"it's\" }");
        assert_eq!(shown(r#"[-0, 1e21, null]"#), "[ -0, 1e+21, null ]");
    }
}
