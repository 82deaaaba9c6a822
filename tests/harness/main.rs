//! Tests of the harness itself (not of a target): how it fails, what it writes, what it hides,
//! how it treats a missing browser, and `serve` as a process of its own. Most tests run the real
//! `nocobase-conformance` binary, as a CI job would.

mod audit;
mod browser;
mod ci_outputs;
mod cli;
#[path = "../common/mod.rs"]
mod common;
mod compare;
mod errors;
mod installed;
mod layout;
mod leftovers;
mod openapi;
mod own_features;
mod reports;
mod retries;
mod secrets;
mod serve;
mod support;
mod vocabulary;
