//! JavaScript strings are UTF-16 and may hold lone surrogates (`JSON.parse('"\ud800"')`); Rust
//! strings cannot. A lone surrogate U+D800 + n is kept as two characters: the marker
//! U+10FFFF followed by the private-use character U+F0000 + n; a genuine U+10FFFF is kept as
//! two markers. So every JavaScript string has one Rust form and no other (a genuine U+F0000 +
//! n stays itself), and it survives the trip through the server: `util.inspect` shows a lone
//! surrogate as `\ud800`, `JSON.stringify` too, and SQLite stores U+FFFD for it, as
//! node-sqlite3's UTF-8 conversion does (recordings 221, 242). [`pieces`] reads the form back.

/// The marker before a lone surrogate (or before a genuine marker character).
const MARK: char = '\u{10FFFF}';
/// The first private-use code point that stands for a lone surrogate after [`MARK`].
const BASE: u32 = 0xF0000;
/// How many surrogates there are (U+D800–U+DFFF).
const SURROGATES: u32 = 0x800;

/// One JavaScript character of a string: a character, or a lone surrogate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Piece {
    Char(char),
    Lone(u16),
}

/// The pieces of a string in the form described above.
pub(crate) fn pieces(s: &str) -> impl Iterator<Item = Piece> + '_ {
    let mut chars = s.chars().peekable();
    std::iter::from_fn(move || {
        let c = chars.next()?;
        if c != MARK {
            return Some(Piece::Char(c));
        }
        match chars.peek().copied() {
            Some(MARK) => {
                chars.next();
                Some(Piece::Char(MARK))
            }
            Some(next) if (BASE..BASE + SURROGATES).contains(&(next as u32)) => {
                chars.next();
                Some(Piece::Lone((0xD800 + next as u32 - BASE) as u16))
            }
            _ => Some(Piece::Char(MARK)),
        }
    })
}

/// Appends the form of `piece`.
fn push_piece(out: &mut String, piece: Piece) {
    match piece {
        Piece::Char(MARK) => {
            out.push(MARK);
            out.push(MARK);
        }
        Piece::Char(c) => out.push(c),
        Piece::Lone(unit) => {
            out.push(MARK);
            out.push(char::from_u32(BASE + (u32::from(unit) - 0xD800)).unwrap_or('\u{FFFD}'));
        }
    }
}

/// Text from outside (a decoded query, a body): its own U+10FFFF characters doubled, so that
/// none is taken for a marker.
pub(crate) fn from_outside(s: String) -> String {
    if s.contains(MARK) { s.replace(MARK, "\u{10FFFF}\u{10FFFF}") } else { s }
}

/// UTF-16 code units to a string, lone surrogates kept.
pub(crate) fn from_utf16(units: &[u16]) -> String {
    let mut out = String::with_capacity(units.len());
    for decoded in char::decode_utf16(units.iter().copied()) {
        match decoded {
            Ok(c) => push_piece(&mut out, Piece::Char(c)),
            Err(e) => push_piece(&mut out, Piece::Lone(e.unpaired_surrogate())),
        }
    }
    out
}

/// `str.length`: UTF-16 code units.
pub(crate) fn utf16_len(s: &str) -> usize {
    pieces(s)
        .map(|p| match p {
            Piece::Char(c) => c.len_utf16(),
            Piece::Lone(_) => 1,
        })
        .sum()
}

/// The UTF-16 code units of `s`, lone surrogates restored.
pub(crate) fn to_utf16(s: &str) -> Vec<u16> {
    let mut out = Vec::with_capacity(s.len());
    for piece in pieces(s) {
        match piece {
            Piece::Lone(unit) => out.push(unit),
            Piece::Char(c) => {
                let mut buf = [0u16; 2];
                out.extend_from_slice(c.encode_utf16(&mut buf));
            }
        }
    }
    out
}

/// The text SQLite receives for `s`: lone surrogates become U+FFFD.
pub(crate) fn for_sqlite(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains(MARK) {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(
        pieces(s)
            .map(|p| match p {
                Piece::Char(c) => c,
                Piece::Lone(_) => '\u{FFFD}',
            })
            .collect(),
    )
}

/// `JSON.stringify` of a string (well-formed: lone surrogates as `\udXXX`), quotes included.
pub(crate) fn json_quote(s: &str, out: &mut String) {
    out.push('"');
    for piece in pieces(s) {
        let c = match piece {
            Piece::Lone(unit) => {
                out.push_str(&format!("\\u{unit:04x}"));
                continue;
            }
            Piece::Char(c) => c,
        };
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
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

    #[test]
    fn private_use_characters_are_not_lone_surrogates() {
        // U+F01A8 (a valid pair, \udb80\udda8) and U+10FFFF itself stay what they are.
        let s = from_utf16(&[0xDB80, 0xDDA8, 0xDBFF, 0xDFFF, 0xD9A8]);
        assert_eq!(to_utf16(&s), [0xDB80, 0xDDA8, 0xDBFF, 0xDFFF, 0xD9A8]);
        assert_eq!(utf16_len(&s), 5);
        assert_eq!(for_sqlite(&s), "\u{F01A8}\u{10FFFF}\u{FFFD}");
        let mut json = String::new();
        json_quote(&s, &mut json);
        assert_eq!(json, "\"\u{F01A8}\u{10FFFF}\\ud9a8\"");
    }
}
