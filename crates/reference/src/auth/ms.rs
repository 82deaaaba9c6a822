//! The `ms` package (2.1.3) that NocoBase reads its time spans with: `"1d"`, `"30m"`, `"1.5h"`,
//! `"100"` (milliseconds) — a number (`-?\d*\.?\d+`), spaces, and an optional unit, the whole
//! text matched case-insensitively; anything else, or a text longer than 100 characters, is
//! `undefined` (here `None`). The result is not rounded: `"1.5ms"` is 1.5.

/// Milliseconds in each unit `ms` knows (a year is 365.25 days).
const UNITS: &[(&[&str], f64)] = &[
    (&["years", "year", "yrs", "yr", "y"], 31_557_600_000.0),
    (&["weeks", "week", "w"], 604_800_000.0),
    (&["days", "day", "d"], 86_400_000.0),
    (&["hours", "hour", "hrs", "hr", "h"], 3_600_000.0),
    (&["minutes", "minute", "mins", "min", "m"], 60_000.0),
    (&["seconds", "second", "secs", "sec", "s"], 1_000.0),
    (&["milliseconds", "millisecond", "msecs", "msec", "ms", ""], 1.0),
];

/// The milliseconds `ms(text)` gives for a non-empty string, `None` where it gives `undefined`.
pub(crate) fn ms(text: &str) -> Option<f64> {
    // JavaScript's `length` counts UTF-16 units.
    if text.encode_utf16().count() > 100 {
        return None;
    }
    let (number, rest) = split_number(text)?;
    let unit = rest.trim_start_matches(' ').to_ascii_lowercase();
    let factor = UNITS.iter().find(|(names, _)| names.contains(&unit.as_str())).map(|(_, factor)| *factor)?;
    Some(number * factor)
}

/// Splits off the leading `-?(?:\d+)?\.?\d+`: an optional minus, digits with at most one dot,
/// at least one digit after the dot (if any). `"5."` has no number; `".5"` does.
fn split_number(text: &str) -> Option<(f64, &str)> {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let integer_end = unsigned.find(|c: char| !c.is_ascii_digit()).unwrap_or(unsigned.len());
    let mut end = integer_end;
    if let Some(after_dot) = unsigned[integer_end..].strip_prefix('.') {
        let fraction = after_dot.find(|c: char| !c.is_ascii_digit()).unwrap_or(after_dot.len());
        if fraction == 0 {
            return None;
        }
        end = integer_end + 1 + fraction;
    } else if integer_end == 0 {
        return None;
    }
    let number_end = text.len() - unsigned.len() + end;
    let number: f64 = text[..number_end].parse().ok()?;
    Some((number, &text[number_end..]))
}

#[cfg(test)]
mod tests {
    use super::ms;

    #[test]
    fn reads_what_the_ms_package_reads() {
        assert_eq!(ms("1ms"), Some(1.0));
        assert_eq!(ms("10s"), Some(10_000.0));
        assert_eq!(ms("30m"), Some(1_800_000.0));
        assert_eq!(ms("2h"), Some(7_200_000.0));
        assert_eq!(ms("1d"), Some(86_400_000.0));
        assert_eq!(ms("7d"), Some(604_800_000.0));
        assert_eq!(ms("2w"), Some(1_209_600_000.0));
        assert_eq!(ms("1y"), Some(31_557_600_000.0));
        assert_eq!(ms("100"), Some(100.0));
        assert_eq!(ms("1.5h"), Some(5_400_000.0));
        assert_eq!(ms(".5s"), Some(500.0));
        assert_eq!(ms("-1d"), Some(-86_400_000.0));
        assert_eq!(ms("1.5ms"), Some(1.5));
        assert_eq!(ms("2 Days"), Some(172_800_000.0));
        assert_eq!(ms("3   MINS"), Some(180_000.0));
        assert_eq!(ms("1 millisecond"), Some(1.0));
    }

    #[test]
    fn refuses_what_the_ms_package_refuses() {
        for text in ["", "d", "1x", "5.", "1.2.3", " 1d", "1d ", "1\td", "+1d", "--1", "1e3", "1 d s", "١d"] {
            assert_eq!(ms(text), None, "{text:?}");
        }
        assert!(ms(&"1".repeat(100)).is_some_and(|v| v > 1e99));
        assert_eq!(ms(&"1".repeat(101)), None);
    }
}
