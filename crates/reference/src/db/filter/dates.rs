//! NocoBase's date operators (`operators/date.ts` over `@nocobase/utils`' `parseDate`): a value
//! names a period — `2026`, `2026-12`, `2026-12-05`, `… 10`, `… 10:30`, `… 10:30:00`,
//! `….000`, with an optional `+hh:mm` — or an instant ending in `Z`; `$dateOn` is then "inside
//! the period", `$dateBefore` "before its start", and so on. Anything else is
//! `Invalid Date <JSON of the value>`. Week and quarter names (`2026W49`, `2026Q4`) and
//! `{type: …}` objects are not read here: the reference server answers them as invalid dates.

use time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use super::FilterError;
use crate::js::{Js, Key, Obj, Op, stringify};

/// A parsed date value: one instant, or a period `[start, end)`.
enum Parsed {
    Instant(OffsetDateTime),
    Period(OffsetDateTime, OffsetDateTime),
}

/// Runs the date operator `name` on `value`.
pub(super) fn apply(name: &str, value: &Js) -> Result<Js, FilterError> {
    let invalid = || {
        FilterError::Js(format!("Invalid Date {}", stringify::stringify(value).unwrap_or_else(|| "undefined".into())))
    };
    let parsed = parse(value).ok_or_else(invalid)?;
    let one = |op: Op, at: OffsetDateTime| Js::Obj(Obj::with(Key::Sym(op), date(at)));
    let both = |glue: Op, a: (Op, OffsetDateTime), b: (Op, OffsetDateTime)| {
        Js::Obj(Obj::with(Key::Sym(glue), Js::Arr(vec![one(a.0, a.1), one(b.0, b.1)])))
    };
    Ok(match (name, parsed) {
        ("$dateOn", Parsed::Instant(at)) => one(Op::Eq, at),
        ("$dateOn" | "$dateBetween", Parsed::Period(s, e)) => both(Op::And, (Op::Gte, s), (Op::Lt, e)),
        ("$dateNotOn", Parsed::Instant(at)) => one(Op::Ne, at),
        ("$dateNotOn", Parsed::Period(s, e)) => both(Op::Or, (Op::Lt, s), (Op::Gte, e)),
        ("$dateBefore", Parsed::Instant(at) | Parsed::Period(at, _)) => one(Op::Lt, at),
        ("$dateNotBefore", Parsed::Instant(at) | Parsed::Period(at, _)) => one(Op::Gte, at),
        ("$dateAfter", Parsed::Instant(at)) => one(Op::Gt, at),
        ("$dateAfter", Parsed::Period(_, e)) => one(Op::Gte, e),
        ("$dateNotAfter", Parsed::Instant(at)) => one(Op::Lte, at),
        ("$dateNotAfter", Parsed::Period(_, e)) => one(Op::Lt, e),
        ("$dateBetween", Parsed::Instant(_)) => return Err(invalid()),
        _ => return Err(FilterError::Js(format!("{name} is not an operator"))),
    })
}

/// A JavaScript `Date` as Sequelize writes it into SQL on SQLite.
fn date(at: OffsetDateTime) -> Js {
    let at = at.to_offset(UtcOffset::UTC);
    Js::Literal(format!(
        "'{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:03} +00:00'",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.millisecond()
    ))
}

fn parse(value: &Js) -> Option<Parsed> {
    let Js::Str(text) = value else { return None };
    if text.is_empty() {
        return None;
    }
    if let Some(instant) = text.strip_suffix('Z') {
        return iso_instant(instant).map(Parsed::Instant);
    }
    let (body, offset) = match text.len().checked_sub(6).and_then(|i| text.get(i..).map(|tz| (i, tz))) {
        Some((i, tz)) if (tz.starts_with('+') || tz.starts_with('-')) && tz.as_bytes()[3] == b':' => {
            (&text[..i], offset(tz)?)
        }
        _ => (text.as_str(), UtcOffset::UTC),
    };
    period(body, offset)
}

fn offset(tz: &str) -> Option<UtcOffset> {
    let sign: i8 = if tz.starts_with('-') { -1 } else { 1 };
    let hours: i8 = tz.get(1..3)?.parse().ok()?;
    let minutes: i8 = tz.get(4..6)?.parse().ok()?;
    UtcOffset::from_hms(sign * hours, sign * minutes, 0).ok()
}

fn number<T: std::str::FromStr>(text: &str, range: std::ops::Range<usize>) -> Option<T> {
    let part = text.get(range)?;
    if !part.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    part.parse().ok()
}

/// `YYYY[-MM[-DD[( |T)HH[:mm[:ss[.SSS]]]]]]`, as its period in `offset`.
fn period(text: &str, offset: UtcOffset) -> Option<Parsed> {
    let year: i32 = number(text, 0..4)?;
    let separator_ok = |i: usize| matches!(text.as_bytes().get(i), Some(b' ' | b'T'));
    let (start, unit) = match text.len() {
        4 => (PrimitiveDateTime::new(Date::from_calendar_date(year, Month::January, 1).ok()?, Time::MIDNIGHT), "year"),
        7 if &text[4..5] == "-" => {
            let month = Month::try_from(number::<u8>(text, 5..7)?).ok()?;
            (PrimitiveDateTime::new(Date::from_calendar_date(year, month, 1).ok()?, Time::MIDNIGHT), "month")
        }
        10 | 13 | 16 | 19 | 23 if &text[4..5] == "-" && &text[7..8] == "-" => {
            let month = Month::try_from(number::<u8>(text, 5..7)?).ok()?;
            let day = Date::from_calendar_date(year, month, number(text, 8..10)?).ok()?;
            if text.len() == 10 {
                (PrimitiveDateTime::new(day, Time::MIDNIGHT), "day")
            } else {
                if !separator_ok(10) {
                    return None;
                }
                let hour: u8 = number(text, 11..13)?;
                let minute: u8 = if text.len() >= 16 { number(text, 14..16)? } else { 0 };
                let second: u8 = if text.len() >= 19 { number(text, 17..19)? } else { 0 };
                let milli: u16 = if text.len() == 23 { number(text, 20..23)? } else { 0 };
                let unit = match text.len() {
                    13 => "hour",
                    16 => "minute",
                    19 => "second",
                    _ => "millisecond",
                };
                (PrimitiveDateTime::new(day, Time::from_hms_milli(hour, minute, second, milli).ok()?), unit)
            }
        }
        _ => return None,
    };
    let start = start.assume_offset(offset);
    let end = match unit {
        "year" => start.replace_year(start.year() + 1).ok()?,
        "month" => {
            let (y, m) = if start.month() == Month::December {
                (start.year() + 1, Month::January)
            } else {
                (start.year(), start.month().next())
            };
            start.replace_date(Date::from_calendar_date(y, m, 1).ok()?)
        }
        "day" => start + Duration::days(1),
        "hour" => start + Duration::hours(1),
        "minute" => start + Duration::minutes(1),
        "second" => start + Duration::seconds(1),
        _ => start + Duration::milliseconds(1),
    };
    Some(Parsed::Period(start, end))
}

/// An ISO instant without its `Z`: `YYYY-MM-DDTHH:mm:ss[.SSS]`.
fn iso_instant(text: &str) -> Option<OffsetDateTime> {
    match period(text, UtcOffset::UTC)? {
        Parsed::Period(start, _) | Parsed::Instant(start) => Some(start),
    }
}
