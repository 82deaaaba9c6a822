//! Where a scenario's time went: each step (a set-up step a shared fixture had done takes no
//! time) and each request its client sent. The run gives them back in its report; the suite's
//! benchmark (`benches/suite.rs`) reads them.

use std::time::Duration;

use crate::client::Timed;

/// How long one step took.
#[derive(Debug, Clone)]
pub struct StepTiming {
    /// Its place among the scenario's steps (Background first).
    pub index: usize,
    /// Its text.
    pub text: String,
    /// How long it ran.
    pub took: Duration,
    /// Skipped: a shared set-up had done it.
    pub shared: bool,
}

/// Where one scenario's time went.
#[derive(Debug, Clone)]
pub struct ScenarioTiming {
    /// Its feature file's stem.
    pub feature: String,
    /// Its name.
    pub scenario: String,
    /// From its world's creation to its last step.
    pub took: Duration,
    /// What removing what it created took afterwards (nothing when its set-up went back to the pool).
    pub cleanup: Duration,
    /// How many of its steps are set-up.
    pub setup_steps: usize,
    /// Whether it took over a shared set-up.
    pub setup_shared: bool,
    /// Whether its set-up went back to the pool (it passed having only read).
    pub gave_back: bool,
    /// Each step.
    pub steps: Vec<StepTiming>,
    /// Each request its client sent.
    pub requests: Vec<Timed>,
}
