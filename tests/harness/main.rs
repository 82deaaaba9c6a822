//! Tests of the harness itself (not of a target): how it fails, what it writes, what it hides.
//! Each test runs the real `nocobase-conformance` binary, like a CI job would.

mod cli;
mod errors;
mod leftovers;
mod openapi;
mod reports;
mod secrets;
mod support;
