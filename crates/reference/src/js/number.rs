//! JavaScript's number conversions: `Number.prototype.toString()` (ECMA-262 `Number::toString`,
//! shortest round-trip digits), `Number(text)`, `parseInt(text)` and `String(value)`.

use super::value::Js;

/// `String(n)` for a number: `1e+21`, `0.000001`, `1e-7`, `-0` → `0`, `NaN`, `Infinity`.
pub(crate) fn to_string(n: f64) -> String {
    if n.is_nan() {
        return "NaN".to_owned();
    }
    if n == 0.0 {
        return "0".to_owned();
    }
    if n.is_infinite() {
        return if n > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    if n < 0.0 {
        return format!("-{}", to_string(-n));
    }
    // Rust's `{:e}` gives the shortest digits that round-trip, as ECMA-262 asks.
    let exp_form = format!("{n:e}");
    let (mantissa, exponent) = exp_form.split_once('e').unwrap_or((&exp_form, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let k = digits.len() as i64;
    let n_exp = exponent.parse::<i64>().unwrap_or(0) + 1;
    if k <= n_exp && n_exp <= 21 {
        return format!("{digits}{}", "0".repeat((n_exp - k) as usize));
    }
    if 0 < n_exp && n_exp <= 21 {
        let (int, frac) = digits.split_at(n_exp as usize);
        return format!("{int}.{frac}");
    }
    if -6 < n_exp && n_exp <= 0 {
        return format!("0.{}{digits}", "0".repeat((-n_exp) as usize));
    }
    let sign = if n_exp - 1 < 0 { '-' } else { '+' };
    let e = (n_exp - 1).abs();
    if k == 1 { format!("{digits}e{sign}{e}") } else { format!("{}.{}e{sign}{e}", &digits[..1], &digits[1..]) }
}

/// `Number(text)`: trimmed decimal, `0x`/`0o`/`0b` literals, `Infinity`; `""` is 0; NaN otherwise.
pub(crate) fn from_text(text: &str) -> f64 {
    let t = text.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if t.is_empty() {
        return 0.0;
    }
    for (prefix, radix) in [("0x", 16), ("0X", 16), ("0o", 8), ("0O", 8), ("0b", 2), ("0B", 2)] {
        if let Some(rest) = t.strip_prefix(prefix) {
            if rest.is_empty() || !rest.chars().all(|c| c.is_digit(radix)) {
                return f64::NAN;
            }
            return rest
                .chars()
                .filter_map(|c| c.to_digit(radix))
                .fold(0.0, |acc, d| acc * f64::from(radix) + f64::from(d));
        }
    }
    let (sign, unsigned) = match t.as_bytes()[0] {
        b'-' => (-1.0, &t[1..]),
        b'+' => (1.0, &t[1..]),
        _ => (1.0, t),
    };
    if unsigned == "Infinity" {
        return sign * f64::INFINITY;
    }
    if !decimal_literal(unsigned) {
        return f64::NAN;
    }
    unsigned.parse::<f64>().map_or(f64::NAN, |n| sign * n)
}

/// `StrUnsignedDecimalLiteral`: digits with an optional fraction and exponent (`.5`, `5.`, `1e3`).
fn decimal_literal(s: &str) -> bool {
    let bytes = s.as_bytes();
    let mut i = 0;
    let int_start = i;
    while i < bytes.len() && bytes[i].is_ascii_digit() {
        i += 1;
    }
    let mut digits = i - int_start;
    if i < bytes.len() && bytes[i] == b'.' {
        i += 1;
        let frac_start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        digits += i - frac_start;
    }
    if digits == 0 {
        return false;
    }
    if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
        i += 1;
        if i < bytes.len() && (bytes[i] == b'+' || bytes[i] == b'-') {
            i += 1;
        }
        let exp_start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if i == exp_start {
            return false;
        }
    }
    i == bytes.len()
}

/// `parseInt(text)` (radix 10, or 16 after `0x`): the leading integer, NaN when there is none.
pub(crate) fn parse_int(text: &str) -> f64 {
    let t = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    let (sign, rest) = match t.strip_prefix('-') {
        Some(rest) => (-1.0, rest),
        None => (1.0, t.strip_prefix('+').unwrap_or(t)),
    };
    let (radix, digits) = match rest.get(..2) {
        Some(prefix) if prefix.eq_ignore_ascii_case("0x") => (16, &rest[2..]),
        _ => (10, rest),
    };
    let end = digits.find(|c: char| !c.is_digit(radix)).unwrap_or(digits.len());
    let digits = &digits[..end];
    if digits.is_empty() {
        return f64::NAN;
    }
    let value = if radix == 10 {
        digits.parse::<f64>().unwrap_or(f64::NAN)
    } else {
        digits.chars().filter_map(|c| c.to_digit(radix)).fold(0.0, |acc, d| acc * f64::from(radix) + f64::from(d))
    };
    sign * value
}

/// `String(value)` (and template-literal interpolation): arrays join their items with `,`
/// (`null`/`undefined` items empty), objects are `[object Object]`.
pub(crate) fn js_string(value: &Js) -> String {
    match value {
        Js::Undefined => "undefined".to_owned(),
        Js::Null => "null".to_owned(),
        Js::Bool(b) => b.to_string(),
        Js::Num(n) => to_string(*n),
        Js::Str(s) => s.clone(),
        Js::Arr(items) => items
            .iter()
            .map(|v| if matches!(v, Js::Null | Js::Undefined) { String::new() } else { js_string(v) })
            .collect::<Vec<_>>()
            .join(","),
        Js::Obj(_) => "[object Object]".to_owned(),
        Js::Literal(sql) => sql.clone(),
    }
}

/// `Number(value)` for any value (`ToNumber`).
pub(crate) fn to_number(value: &Js) -> f64 {
    match value {
        Js::Undefined => f64::NAN,
        Js::Null => 0.0,
        Js::Bool(b) => f64::from(u8::from(*b)),
        Js::Num(n) => *n,
        Js::Str(s) => from_text(s),
        Js::Arr(_) => from_text(&js_string(value)),
        Js::Obj(_) | Js::Literal(_) => f64::NAN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_to_string_matches_v8() {
        let cases = [
            (1.0, "1"),
            (-2.5, "-2.5"),
            (1e21, "1e+21"),
            (123456789012345680000.0, "123456789012345680000"),
            (45432386150480445440.0, "45432386150480445000"),
            (0.000001, "0.000001"),
            (1e-7, "1e-7"),
            (-2.407117626670748e237, "-2.407117626670748e+237"),
            (5e-324, "5e-324"),
            (59961558068078824.0, "59961558068078824"),
            (-0.0, "0"),
            (1.5e300, "1.5e+300"),
        ];
        for (n, text) in cases {
            assert_eq!(to_string(n), text, "{n:e}");
        }
    }

    #[test]
    fn number_and_parse_int() {
        assert_eq!(from_text(" 12 "), 12.0);
        assert!(from_text("12abc").is_nan());
        assert_eq!(from_text(""), 0.0);
        assert_eq!(from_text("0x1f"), 31.0);
        assert_eq!(from_text("-Infinity"), f64::NEG_INFINITY);
        assert_eq!(from_text(".5"), 0.5);
        assert!(from_text("1e").is_nan());
        assert_eq!(parse_int("2.7"), 2.0);
        assert_eq!(parse_int("1e9"), 1.0);
        assert!(parse_int("x").is_nan());
        assert_eq!(parse_int("99999999999999999999"), 1e20);
    }
}
