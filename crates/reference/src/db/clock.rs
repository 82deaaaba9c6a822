//! Time as NocoBase on SQLite stores and shows it: Sequelize writes `2026-11-26 14:49:04.607 +00:00`
//! into the database and serialises model dates as ISO-8601 (`2026-11-26T14:49:04.607Z`).

use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

const STORED: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day] [hour]:[minute]:[second].[subsecond digits:3] +00:00");
const ISO: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
const HTTP_DATE: &[BorrowedFormatItem<'static>] =
    format_description!("[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT");

/// The current time, truncated to milliseconds like a JavaScript `Date`.
pub(crate) fn now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    let ms = now.millisecond();
    now.replace_millisecond(ms).unwrap_or(now)
}

/// Seconds since the epoch (JWT `iat`).
pub(crate) fn unix_seconds(at: OffsetDateTime) -> i64 {
    at.unix_timestamp()
}

/// Milliseconds since the epoch (`signInTime` in session tokens).
pub(crate) fn unix_millis(at: OffsetDateTime) -> i64 {
    (at.unix_timestamp_nanos() / 1_000_000) as i64
}

/// The text Sequelize stores in a SQLite `DATETIME` column.
pub(crate) fn stored(at: OffsetDateTime) -> String {
    at.to_offset(UtcOffset::UTC).format(STORED).unwrap_or_default()
}

/// The ISO-8601 form a model's `toJSON` gives.
pub(crate) fn iso(at: OffsetDateTime) -> String {
    at.to_offset(UtcOffset::UTC).format(ISO).unwrap_or_default()
}

/// An `Expires=` cookie date.
pub(crate) fn http_date(at: OffsetDateTime) -> String {
    at.to_offset(UtcOffset::UTC).format(HTTP_DATE).unwrap_or_default()
}

/// Reads a stored date back; accepts the stored form and ISO-8601 (what clients send).
pub(crate) fn parse(text: &str) -> Option<OffsetDateTime> {
    if let Ok(at) = OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339) {
        return Some(at);
    }
    let trimmed = text.strip_suffix(" +00:00").unwrap_or(text);
    let plain: &[BorrowedFormatItem<'static>] =
        format_description!("[year]-[month]-[day] [hour]:[minute]:[second].[subsecond]");
    let seconds_only: &[BorrowedFormatItem<'static>] =
        format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    let date_only: &[BorrowedFormatItem<'static>] = format_description!("[year]-[month]-[day]");
    PrimitiveDateTime::parse(trimmed, plain)
        .or_else(|_| PrimitiveDateTime::parse(trimmed, seconds_only))
        .map(|p| p.assume_utc())
        .ok()
        .or_else(|| time::Date::parse(trimmed, date_only).ok().map(|d| d.midnight().assume_utc()))
}

/// Converts a stored date to ISO-8601; text that is not a date is returned unchanged.
pub(crate) fn stored_to_iso(text: &str) -> String {
    parse(text).map(iso).unwrap_or_else(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_and_iso_forms_match_sequelize() {
        let at = parse("2026-11-26T14:49:04.607Z").expect("iso parses");
        assert_eq!(stored(at), "2026-11-26 14:49:04.607 +00:00");
        assert_eq!(iso(at), "2026-11-26T14:49:04.607Z");
        assert_eq!(stored_to_iso("2026-11-26 14:49:04.607 +00:00"), "2026-11-26T14:49:04.607Z");
    }

    #[test]
    fn cookie_dates_use_the_http_format() {
        let at = parse("2026-12-03T14:49:15.000Z").expect("iso parses");
        assert_eq!(http_date(at), "Thu, 03 Dec 2026 14:49:15 GMT");
    }
}
