//! JavaScript strings are UTF-16 and may hold lone surrogates (`JSON.parse('"\ud800"')`); Rust
//! strings cannot. A lone surrogate U+D800 + n is kept as the private-use character U+F0000 + n
//! (Supplementary Private Use Area-A), so that it survives the trip through the server: `util.inspect`
//! shows it as `\uD800`, `JSON.stringify` as `\ud800`, and SQLite stores U+FFFD for it, as
//! node-sqlite3's UTF-8 conversion does (recordings 221, 242). A client sending those private-use
//! characters themselves is read as sending lone surrogates: the one input the reference server
//! takes differently from NocoBase.

/// The first private-use code point that stands for a lone surrogate.
const BASE: u32 = 0xF0000;
/// How many surrogates there are (U+D800–U+DFFF).
const SURROGATES: u32 = 0x800;

/// The character that stands for the lone surrogate `unit`.
pub(crate) fn lone(unit: u16) -> char {
    char::from_u32(BASE + (u32::from(unit) - 0xD800)).unwrap_or('\u{FFFD}')
}

/// The lone surrogate `c` stands for, if it stands for one.
pub(crate) fn surrogate_of(c: char) -> Option<u16> {
    let code = c as u32;
    (BASE..BASE + SURROGATES).contains(&code).then(|| (0xD800 + code - BASE) as u16)
}

/// UTF-16 code units to a string, lone surrogates kept.
pub(crate) fn from_utf16(units: &[u16]) -> String {
    char::decode_utf16(units.iter().copied()).map(|r| r.unwrap_or_else(|e| lone(e.unpaired_surrogate()))).collect()
}

/// `str.length`: UTF-16 code units.
pub(crate) fn utf16_len(s: &str) -> usize {
    s.chars().map(|c| if surrogate_of(c).is_some() { 1 } else { c.len_utf16() }).sum()
}

/// The UTF-16 code units of `s`, lone surrogates restored.
pub(crate) fn to_utf16(s: &str) -> Vec<u16> {
    let mut out = Vec::with_capacity(s.len());
    for c in s.chars() {
        match surrogate_of(c) {
            Some(unit) => out.push(unit),
            None => {
                let mut buf = [0u16; 2];
                out.extend_from_slice(c.encode_utf16(&mut buf));
            }
        }
    }
    out
}

/// The text SQLite receives for `s`: lone surrogates become U+FFFD.
pub(crate) fn for_sqlite(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(|c| surrogate_of(c).is_some()) {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(s.chars().map(|c| if surrogate_of(c).is_some() { '\u{FFFD}' } else { c }).collect())
}

/// `JSON.stringify` of a string (well-formed: lone surrogates as `\udXXX`), quotes included.
pub(crate) fn json_quote(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => match surrogate_of(c) {
                Some(unit) => out.push_str(&format!("\\u{unit:04x}")),
                None => out.push(c),
            },
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lone_surrogates_round_trip() {
        let s = from_utf16(&[0xD800, b'x' as u16, 0xD83D, 0xDE00]);
        assert_eq!(utf16_len(&s), 4);
        assert_eq!(to_utf16(&s), [0xD800, b'x' as u16, 0xD83D, 0xDE00]);
        assert_eq!(for_sqlite(&s), "\u{FFFD}x😀");
        let mut json = String::new();
        json_quote(&s, &mut json);
        assert_eq!(json, "\"\\ud800x😀\"");
    }
}
