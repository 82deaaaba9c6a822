//! Sequelize's `escape(value, field)` on SQLite (`query-generator.js` `escape`, the column type's
//! `stringify`, then `sql-string.js`): numbers as JavaScript writes them, booleans as `1`/`0`,
//! strings quoted with `''`, arrays as lists, and a plain object refused with
//! `Invalid value <util.inspect(value)>`. The column's type converts first: an integer column
//! takes `String(value)` (`'[object Object]'`), a float column `'NaN'` for what is no number, a
//! date column `'YYYY-MM-DD HH:mm:ss.SSS +00:00'` or `'Invalid date'`, a JSON column its JSON.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use super::FilterError;
use super::model::SqlType;
use crate::js::inspect::inspect;
use crate::js::number::{js_string, to_number, to_string};
use crate::js::{Js, stringify};

/// `queryGenerator.escape(value, field)`.
pub(crate) fn escape(value: &Js, field: Option<SqlType>) -> Result<String, FilterError> {
    match value {
        Js::Null | Js::Undefined => return Ok("NULL".to_owned()),
        Js::Literal(sql) => return Ok(sql.clone()),
        _ => {}
    }
    match field {
        Some(kind) => escape_plain(&stringify(kind, value)),
        None => escape_plain(value),
    }
}

/// The column type's `stringify`.
fn stringify(kind: SqlType, value: &Js) -> Js {
    match kind {
        SqlType::Number => match value {
            Js::Arr(_) | Js::Obj(_) => Js::Str(js_string(value)),
            other => other.clone(),
        },
        SqlType::Float => {
            let n = to_number(value);
            Js::Str(if n.is_nan() {
                "NaN".to_owned()
            } else if n.is_infinite() {
                to_string(n)
            } else {
                js_string(value)
            })
        }
        SqlType::Date => Js::Str(moment(value).map_or_else(|| "Invalid date".to_owned(), format_date)),
        SqlType::Json => Js::Str(stringify::stringify(value).unwrap_or_default()),
        SqlType::Plain => value.clone(),
    }
}

/// `SqlString.escape(value)` for SQLite.
pub(crate) fn escape_plain(value: &Js) -> Result<String, FilterError> {
    Ok(match value {
        Js::Null | Js::Undefined => "NULL".to_owned(),
        Js::Bool(b) => if *b { "1" } else { "0" }.to_owned(),
        Js::Num(n) => to_string(*n),
        Js::Str(s) => format!("'{}'", s.replace('\'', "''")),
        Js::Arr(items) => {
            let mut parts = Vec::with_capacity(items.len());
            for item in items {
                parts.push(match item {
                    Js::Arr(_) => format!("({})", escape_list(item)?),
                    other => escape_plain(other)?,
                });
            }
            parts.join(", ")
        }
        Js::Obj(_) | Js::Literal(_) => return Err(FilterError::Js(format!("Invalid value {}", inspect(value)))),
    })
}

fn escape_list(value: &Js) -> Result<String, FilterError> {
    escape_plain(value)
}

/// `moment(value)` as Sequelize's DATE type reads it (the process runs in UTC): epoch
/// milliseconds, an ISO 8601 text, an array of parts; `None` for an invalid date.
fn moment(value: &Js) -> Option<OffsetDateTime> {
    match value {
        Js::Num(ms) if ms.is_finite() && ms.abs() <= 8.64e15 => {
            OffsetDateTime::from_unix_timestamp_nanos(ms.trunc() as i128 * 1_000_000).ok()
        }
        Js::Str(s) => iso(s.trim()),
        Js::Arr(parts) => {
            let mut n = [0.0f64; 7];
            n[2] = 1.0;
            for (i, part) in parts.iter().take(7).enumerate() {
                let Js::Num(v) = part else { return None };
                n[i] = *v;
            }
            let month = Month::try_from(u8::try_from(n[1] as i64 + 1).ok()?).ok()?;
            let date = Date::from_calendar_date(n[0] as i32, month, u8::try_from(n[2] as i64).ok()?).ok()?;
            let time = Time::from_hms_milli(n[3] as u8, n[4] as u8, n[5] as u8, n[6] as u16).ok()?;
            Some(PrimitiveDateTime::new(date, time).assume_utc())
        }
        Js::Obj(_) => {
            let today = OffsetDateTime::now_utc().date();
            Some(PrimitiveDateTime::new(today, Time::MIDNIGHT).assume_utc())
        }
        _ => None,
    }
}

/// ISO 8601: `YYYY-MM-DD`, then optionally `T`/space and `HH:mm[:ss[.SSS]]`, then `Z` or `±HH:mm`.
fn iso(text: &str) -> Option<OffsetDateTime> {
    let bytes = text.as_bytes();
    let num = |from: usize, len: usize| -> Option<u32> {
        let part = text.get(from..from + len)?;
        part.bytes().all(|b| b.is_ascii_digit()).then(|| part.parse().ok()).flatten()
    };
    let year = num(0, 4)? as i32;
    if bytes.get(4) != Some(&b'-') || bytes.get(7) != Some(&b'-') {
        return None;
    }
    let month = Month::try_from(num(5, 2)? as u8).ok()?;
    let date = Date::from_calendar_date(year, month, num(8, 2)? as u8).ok()?;
    let mut i = 10;
    let mut time = Time::MIDNIGHT;
    if matches!(bytes.get(i), Some(b'T' | b' ')) && bytes.get(i + 3) == Some(&b':') {
        let (h, m) = (num(i + 1, 2)?, num(i + 4, 2)?);
        i += 6;
        let mut s = 0;
        let mut ms = 0;
        if bytes.get(i) == Some(&b':') {
            s = num(i + 1, 2)?;
            i += 3;
            if bytes.get(i) == Some(&b'.') {
                let start = i + 1;
                let mut end = start;
                while bytes.get(end).is_some_and(u8::is_ascii_digit) {
                    end += 1;
                }
                let digits = text.get(start..end)?;
                ms = format!("{digits:0<3}").get(..3)?.parse().ok()?;
                i = end;
            }
        }
        time = Time::from_hms_milli(h as u8, m as u8, s as u8, ms).ok()?;
    }
    let offset = match text.get(i..)? {
        "" | "Z" | "z" => UtcOffset::UTC,
        tz if tz.len() == 6 && (tz.starts_with('+') || tz.starts_with('-')) && &tz[3..4] == ":" => {
            let sign = if tz.starts_with('-') { -1 } else { 1 };
            UtcOffset::from_hms(sign * tz[1..3].parse::<i8>().ok()?, sign * tz[4..6].parse::<i8>().ok()?, 0).ok()?
        }
        _ => return None,
    };
    Some(PrimitiveDateTime::new(date, time).assume_offset(offset))
}

fn format_date(at: OffsetDateTime) -> String {
    let at = at.to_offset(UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:03} +00:00",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.millisecond()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_types_convert_as_sequelize_does() {
        // Checked with NocoBase 2.2.15's own models (queryGenerator.escape per attribute).
        let obj = crate::js::json::parse("{\"a\":1}").expect("json").value;
        assert_eq!(escape(&obj, Some(SqlType::Number)).ok().as_deref(), Some("'[object Object]'"));
        assert_eq!(
            escape(&obj, Some(SqlType::Plain)).err().map(|e| e.to_string()).as_deref(),
            Some("Invalid value { a: 1 }")
        );
        assert_eq!(escape(&Js::str("abc"), Some(SqlType::Float)).ok().as_deref(), Some("'NaN'"));
        assert_eq!(escape(&Js::Num(1.5), Some(SqlType::Float)).ok().as_deref(), Some("'1.5'"));
        assert_eq!(
            escape(&Js::str("2020-01-01"), Some(SqlType::Date)).ok().as_deref(),
            Some("'2020-01-01 00:00:00.000 +00:00'")
        );
        assert_eq!(escape(&Js::Bool(true), Some(SqlType::Date)).ok().as_deref(), Some("'Invalid date'"));
        assert_eq!(escape(&Js::Num(1e21), None).ok().as_deref(), Some("1e+21"));
        let list = crate::js::json::parse("[1,[2,\"it's\"]]").expect("json").value;
        assert_eq!(escape(&list, Some(SqlType::Plain)).ok().as_deref(), Some("1, (2, 'it''s')"));
        assert_eq!(escape(&list, Some(SqlType::Number)).ok().as_deref(), Some("'1,2,it''s'"));
    }
}
