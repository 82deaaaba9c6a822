//! What a run shows and writes: the console ([`console`], every line scrubbed of secrets), the
//! JUnit XML report ([`junit`]) and the readable Markdown/HTML report ([`readable`]).

pub mod console;
pub mod junit;
pub mod readable;
