//! nocobase-conformance: NocoBase's "Using API Keys" tutorial as an executable conformance suite.
//!
//! The tutorial's steps are Gherkin features (`features/`), run with cucumber against a target —
//! the bundled [`reference`] server in this process, a live NocoBase, or a container — and every
//! response a scenario checks is pinned by a named insta snapshot after [`normalize`]-ation.
//! [`runner::run`] is the entry point of both `nocobase-conformance run` and
//! `cargo test --test conformance`.

pub mod browser;
pub mod cli;
pub mod client;
pub mod config;
pub mod error;
pub mod fixtures;
pub mod junit;
pub mod jwt;
pub mod leftovers;
pub mod living_doc;
pub mod mismatch;
pub mod normalize;
pub mod openapi;
pub mod output;
pub mod reference;
pub mod runner;
pub mod secret;
pub mod snapshot;
mod steps;
pub mod suite;
pub mod target;
pub mod world;
