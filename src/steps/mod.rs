//! Step definitions, one module per domain concept of the tutorial. Steps never build URLs (the
//! client does) and return `Result<(), HarnessError>`: a failure is data, tallied by kind.

mod api_docs;
mod api_keys;
mod browser;
mod collections;
mod key_only;
mod plugins;
mod records;
mod requests;
mod responses;
mod roles;
mod session;
mod users;

use std::str::FromStr;

use cucumber::Parameter;

use crate::client::Credential;
use crate::error::{HarnessError, Result};
use crate::world::TutorialWorld;

/// Who makes a call: `the administrator`, `the API key`, `the key "admin key"`,
/// `the user "todos_api_user"`.
#[derive(Debug, Clone, PartialEq, Eq, Parameter)]
#[param(name = "caller", regex = r#"the administrator|the API key|the key "[^"]+"|the user "[^"]+""#)]
pub enum Caller {
    /// The signed-in administrator (session token).
    Administrator,
    /// The scenario's main API key.
    MainKey,
    /// A named API key.
    Key(String),
    /// A created user's session.
    User(String),
}

impl FromStr for Caller {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        let quoted = |prefix: &str| s.strip_prefix(prefix).and_then(|r| r.strip_suffix('"')).map(str::to_owned);
        match s {
            "the administrator" => Ok(Caller::Administrator),
            "the API key" => Ok(Caller::MainKey),
            _ => quoted("the key \"")
                .map(Caller::Key)
                .or_else(|| quoted("the user \"").map(Caller::User))
                .ok_or_else(|| format!("unknown caller {s:?}")),
        }
    }
}

impl TutorialWorld {
    /// The credential a caller uses.
    pub fn credential(&self, caller: &Caller) -> Result<Credential> {
        match caller {
            Caller::Administrator => self.admin(),
            Caller::MainKey => self.main_key(),
            Caller::Key(name) => self.key(name),
            Caller::User(name) => self.user_session(name),
        }
    }

    /// Counts a failed step in the suite's tally and passes the result on.
    pub fn tally(&self, result: Result<()>) -> Result<()> {
        if let Err(error) = &result {
            self.suite.record_failure(error);
        }
        result
    }
}

/// The value of a response field the harness needs to go on, or a conformance failure.
pub(crate) fn require<T>(value: Option<T>, what: &str, exchange: &crate::client::Exchange) -> Result<T> {
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
pub(crate) fn expect_status(exchange: &crate::client::Exchange, expected: u16, what: &str) -> Result<()> {
    if exchange.status == expected {
        return Ok(());
    }
    let detail = match exchange.error() {
        Some((message, Some(code))) => format!("{} {message} ({code})", exchange.status),
        Some((message, None)) => format!("{} {message}", exchange.status),
        None => exchange.status.to_string(),
    };
    Err(HarnessError::mismatch(crate::mismatch::Mismatch::new(
        format!("status of {what}"),
        expected.to_string(),
        detail,
        Some(exchange),
    )))
}
