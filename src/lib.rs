//! nocobase-conformance: NocoBase's "Using API Keys" tutorial as an executable conformance suite.
//!
//! The tutorial's steps are Gherkin features (`features/`), run with cucumber against a target —
//! the bundled [`reference`] server in this process, a live NocoBase, or a container — and every
//! response a scenario checks is pinned by a named insta snapshot after
//! [`check::normalize`]-ation. [`run::run`] is the entry point of both `nocobase-conformance run`
//! and `cargo test --test conformance`.
//!
//! The harness, top-down: [`run`] (select the scenarios, start the target, run cucumber, sweep,
//! decide the outcome) → `steps` (the Gherkin vocabulary) → [`world`] (one scenario's state and
//! the run it belongs to) → [`check`] (snapshots, normalisation, OpenAPI, JWTs) and [`report`]
//! (console, JUnit, the readable report) → [`targets`] (embedded, live, container) →
//! [`client`] (one method per NocoBase action) → [`error`], [`mismatch`] and [`exchange`] (what a
//! request and its answer were) → [`secret`].

pub mod audit;
pub mod browser;
pub mod builtin;
pub mod cargo_test;
pub mod check;
pub mod cli;
pub mod client;
pub mod compare;
pub mod config;
pub mod error;
pub mod exchange;
pub mod features;
pub mod leftovers;
pub mod mismatch;
pub mod report;
pub mod run;
pub mod secret;
mod steps;
pub mod targets;
pub mod world;

/// The reference server, a crate of its own (`crates/reference`).
pub use nocobase_reference as reference;
