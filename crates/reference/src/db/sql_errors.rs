//! What NocoBase answers when SQLite refuses a query it was sent (plugin-error-handler,
//! `PA/plugin-error-handler/src/server/server.ts`): a syntax error is 500 `Invalid SQL syntax`,
//! an unknown column or table 400 `Invalid SQL column or table reference`, anything else 500
//! with node-sqlite3's message, `SQLITE_<CODE>: <SQLite's message>`.

use crate::http::error::ApiError;

/// The answer to a failed statement.
pub(crate) fn answer(error: rusqlite::Error) -> ApiError {
    let (code, message) = match &error {
        rusqlite::Error::SqliteFailure(e, message) => {
            (e.extended_code & 0xff, message.clone().unwrap_or_else(|| e.to_string()))
        }
        rusqlite::Error::SqlInputError { error: e, msg, .. } => (e.extended_code & 0xff, msg.clone()),
        _ => return ApiError::from(error),
    };
    if code == 1 && message.to_ascii_lowercase().contains("syntax error") {
        return ApiError::server("Invalid SQL syntax");
    }
    let lower = message.to_ascii_lowercase();
    if ["unknown column", "no such column", "has no column named", "no such table", "unknown table", "ambiguous column"]
        .iter()
        .any(|needle| lower.contains(needle))
    {
        return ApiError::bad_request("Invalid SQL column or table reference");
    }
    ApiError::server(format!("{}: {message}", code_name(code)))
}

/// node-sqlite3's name of a primary result code.
fn code_name(code: i32) -> &'static str {
    match code {
        1 => "SQLITE_ERROR",
        2 => "SQLITE_INTERNAL",
        3 => "SQLITE_PERM",
        4 => "SQLITE_ABORT",
        5 => "SQLITE_BUSY",
        6 => "SQLITE_LOCKED",
        7 => "SQLITE_NOMEM",
        8 => "SQLITE_READONLY",
        9 => "SQLITE_INTERRUPT",
        10 => "SQLITE_IOERR",
        11 => "SQLITE_CORRUPT",
        12 => "SQLITE_NOTFOUND",
        13 => "SQLITE_FULL",
        14 => "SQLITE_CANTOPEN",
        15 => "SQLITE_PROTOCOL",
        16 => "SQLITE_EMPTY",
        17 => "SQLITE_SCHEMA",
        18 => "SQLITE_TOOBIG",
        19 => "SQLITE_CONSTRAINT",
        20 => "SQLITE_MISMATCH",
        21 => "SQLITE_MISUSE",
        22 => "SQLITE_NOLFS",
        23 => "SQLITE_AUTH",
        24 => "SQLITE_FORMAT",
        25 => "SQLITE_RANGE",
        26 => "SQLITE_NOTADB",
        _ => "SQLITE_ERROR",
    }
}
