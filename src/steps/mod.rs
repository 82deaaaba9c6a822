//! Step definitions, one module per domain concept of the tutorial. Steps never build URLs (the
//! client does) and return `Result<(), HarnessError>`: a failure is data, tallied by kind.

mod api_docs;
mod api_keys;
mod browser;
mod collections;
pub(crate) mod fixtures;
mod key_life;
mod key_only;
mod plugins;
mod records;
mod requests;
mod responses;
mod restart;
mod roles;
mod session;
mod token_policy;
mod users;

use crate::error::{HarnessError, Result};

/// The value of a response field the harness needs to go on, or a conformance failure.
pub(crate) fn require<T>(value: Option<T>, what: &str, exchange: &crate::exchange::Exchange) -> Result<T> {
    value.ok_or_else(|| {
        HarnessError::mismatch(crate::mismatch::Mismatch::new(
            what,
            "present in the response",
            format!("missing (status {})", exchange.status),
            Some(exchange),
        ))
    })
}

/// Fails with a mismatch unless the status is `expected`.
pub(crate) fn expect_status(exchange: &crate::exchange::Exchange, expected: u16, what: &str) -> Result<()> {
    if exchange.status == expected {
        return Ok(());
    }
    let detail = match exchange.error() {
        Some((message, Some(code))) => format!("{} {message} ({code})", exchange.status),
        Some((message, None)) => format!("{} {message}", exchange.status),
        None => exchange.status.to_string(),
    };
    Err(HarnessError::mismatch(
        crate::mismatch::Mismatch::new(format!("status of {what}"), expected.to_string(), detail, Some(exchange))
            .expecting_status(expected),
    ))
}
