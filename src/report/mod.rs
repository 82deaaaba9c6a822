//! What a run shows and writes: the console ([`console`], every line scrubbed of secrets), and,
//! from the run's [`results`] scenario by scenario, the JUnit XML report ([`junit`]), JSON lines
//! ([`json`]) and GitHub Actions' annotations and job summary ([`github`]); the readable
//! Markdown/HTML report ([`readable`]).

pub mod console;
pub mod github;
pub mod json;
pub mod junit;
pub mod readable;
pub mod results;
