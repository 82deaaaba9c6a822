//! Runs the suite: selects scenarios, starts the target, checks it is NocoBase and ready, runs
//! the features with cucumber (undefined or skipped steps fail) — and with `--retries`, again the
//! scenarios that failed without a proper answer — cleans up after every scenario and sweeps the
//! run's leftovers, and gives back a [`RunReport`]: the outcome (the exit code), every scenario's
//! result, and where the time went. The reports written from the results are in [`publish`].

mod collect;
mod pass;
mod publish;
mod select;
mod summary;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;

use self::collect::Collector;
use self::pass::Pass;
use self::select::{Target, select};
use self::summary::{print_left_out, print_openapi, print_results, print_shared_setup};
use crate::audit;
use crate::browser::Installation;
use crate::client::Credential;
use crate::client::NocoClient;
use crate::config::RunConfig;
use crate::error::{HarnessError, Result};
use crate::leftovers;
use crate::report::console::{say, warn};
use crate::report::readable::{LivingDoc, RunHeader};
use crate::report::results::{Counts, ScenarioResult, Status};
use crate::targets::{self, readiness};
use crate::world::TutorialWorld;
use crate::world::suite::Suite;
use crate::world::timing::ScenarioTiming;

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Every selected scenario passed (or none was selected).
    Passed,
    /// The target did not conform.
    Failed,
    /// The suite could not run.
    Broken,
}

impl Outcome {
    /// The process exit code: 0, 1 or 2.
    pub fn code(self) -> u8 {
        match self {
            Outcome::Passed => 0,
            Outcome::Failed => 1,
            Outcome::Broken => 2,
        }
    }

    /// `passed`, `failed`, `could not run`.
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Failed => "failed",
            Outcome::Broken => "could not run",
        }
    }
}

/// What a run gives back besides what it printed.
#[derive(Debug)]
pub struct RunReport {
    /// How it ended.
    pub outcome: Outcome,
    /// From start to finish, the target's start included.
    pub took: Duration,
    /// Where each scenario's time went (empty when the run could not start).
    pub scenarios: Vec<ScenarioTiming>,
    /// Every scenario's result, those left out included, in the order of their files (empty when
    /// the run could not start).
    pub results: Vec<ScenarioResult>,
    /// The target, in words (`the live target at … (NocoBase 2.2.15)`), once it answered.
    pub target: Option<String>,
    /// Why the suite could not run, when it could not start.
    pub error: Option<String>,
}

impl RunReport {
    /// A run that ran no scenario.
    fn empty(outcome: Outcome, results: Vec<ScenarioResult>, error: Option<String>) -> Self {
        Self { outcome, took: Duration::ZERO, scenarios: Vec::new(), results, target: None, error }
    }

    /// A run that stopped before any scenario, for `error`.
    fn stopped(error: &HarnessError) -> Self {
        let outcome = if error.is_runtime() { Outcome::Broken } else { Outcome::Failed };
        Self::empty(outcome, Vec::new(), Some(crate::secret::scrub(&error.to_string())))
    }
}

/// Runs the suite, reports on stdout/stderr and writes the reports the configuration asks for.
pub async fn run(config: RunConfig) -> RunReport {
    let started = Instant::now();
    crate::report::console::people_on_stderr(config.format == crate::cli::Format::Json);
    let mut report = match run_inner(&config).await {
        Ok(report) => report,
        Err(error) => {
            warn(&format!("error: {error}"));
            RunReport::stopped(&error)
        }
    };
    report.took = started.elapsed();
    // After the sweep: a report that cannot be finished must not leave the target's data behind.
    if let Err(error) = publish::publish(&config, &report) {
        warn(&format!("error: {error}"));
        report.outcome = Outcome::Broken;
    }
    report
}

async fn run_inner(config: &RunConfig) -> Result<RunReport> {
    let started = Instant::now();
    if config.key_only.is_some() {
        say("Key-only mode: no admin credentials are used; only the @key-only scenarios can run.");
    }
    let browser_missing =
        crate::browser::Installation::at(&config.chromium, &config.chromedriver).err().map(|u| u.reason().to_owned());
    let before_start = Target {
        app_key_known: config.knows_app_key(),
        browser_missing: browser_missing.as_deref(),
        dialect: None,
        restart_missing: None,
    };
    // The features, read and parsed once (Scenario Outlines expanded).
    let features = crate::features::load(&config.features)?;
    let selection = select(config, &features, &before_start)?;
    publish::prepare(config)?;
    if selection.count == 0 {
        say("No scenario matches the filters; nothing to run.");
        print_left_out(&selection.left_out);
        return Ok(RunReport::empty(Outcome::Passed, selection.left_out, None));
    }

    let running = targets::start(&config.target, config.launch()).await?;
    let client = NocoClient::new(&running.base_url, config.timeout)?;
    readiness::wait_until_ready(&client, config.ready_timeout).await?;
    let info = readiness::target_info(&client).await?;
    let admin = match &config.key_only {
        Some(key_only) => {
            readiness::check_key(&client, &key_only.key, &key_only.collection).await?;
            None
        }
        None => {
            let (session, sign_in) = readiness::sign_in(&client, &config.account, &config.password).await?;
            let id =
                sign_in.pointer("/data/user/id").and_then(Value::as_i64).ok_or_else(|| HarnessError::NotNocoBase {
                    url: running.base_url.to_string(),
                    what: "auth:signIn gave no user id".into(),
                    hint: "is this NocoBase 2.x?".into(),
                })?;
            Some((id, session))
        }
    };
    // Now that the target said what it is, the choice is final (its app key, its database).
    let known = Target {
        app_key_known: running.app_key.is_some(),
        browser_missing: browser_missing.as_deref(),
        dialect: info.dialect.as_deref(),
        restart_missing: running.restart.missing(),
    };
    let selection = select(config, &features, &known)?;
    let on = info.dialect.as_deref().map(|d| format!(" on {d}")).unwrap_or_default();
    let target = format!("the {} target at {} (NocoBase {}{on})", running.kind, running.base_url, info.version);
    say(&format!(
        "Running {} scenario{} against {target}, {} at a time.",
        selection.count,
        if selection.count == 1 { "" } else { "s" },
        config.concurrency
    ));
    print_left_out(&selection.left_out);

    let suite = Arc::new(Suite::new(
        client,
        config.clone(),
        running.kind,
        running.app_key.clone(),
        info.dialect.clone(),
        running.restart.clone(),
        admin,
    ));
    suite.install();
    if selection.browser {
        // Chromium starts while the first scenarios run: most of a browser scenario's cost.
        let (suite, timeout) = (Arc::clone(&suite), suite.config.timeout);
        tokio::spawn(async move {
            if let Ok(installation) = Installation::at(&suite.config.chromium, &suite.config.chromedriver) {
                let _ = suite.browser.get(&installation, timeout).await;
            }
        });
    }
    let results = Collector::default();
    let doc =
        LivingDoc::new(config.report.clone(), RunHeader { target: running.kind.to_owned(), version: info.version });
    let pass = |only| Pass {
        suite: &suite,
        features: &features,
        target: known,
        only,
        results: results.clone(),
        doc: doc.clone(),
    };
    let mut found = pass(None).run().await;
    for attempt in 1..=config.retries {
        let retry: HashSet<(String, usize, usize)> = results
            .results()
            .into_iter()
            .filter(|r| r.status() == Status::Failed && r.failure().is_some_and(|f| f.transient))
            .map(|r| (r.file, r.line, r.column))
            .collect();
        if retry.is_empty() {
            break;
        }
        say(&format!(
            "Retrying {} scenario{} that failed without a proper answer (no answer, or a 5xx where none was expected): attempt {} of {}.",
            retry.len(),
            if retry.len() == 1 { "" } else { "s" },
            attempt + 1,
            config.retries + 1
        ));
        let more = pass(Some(retry)).run().await;
        found.undefined.extend(more.undefined);
        found.hook_errors += more.hook_errors;
    }

    if let Err(error) = suite.browser.quit().await {
        warn(&format!("cleanup: the browser did not quit: {error}"));
    }
    for fixture in suite.pool.drain() {
        TutorialWorld::remove_fixture(Arc::clone(&suite), fixture).await;
    }
    if matches!(suite.config.target, crate::config::TargetSpec::Live(_)) {
        audit_section(&suite).await;
    }
    let leftovers = sweep(&suite).await;
    if let Err(error) = doc.write() {
        warn(&format!("error: cannot write the report: {error}"));
    }
    let tally = suite.tally();
    for problem in tally.cleanup.iter().chain(&leftovers) {
        warn(&format!("cleanup: {problem}"));
    }
    print_openapi(&suite);
    let timings = suite.take_timings();
    print_shared_setup(&timings, suite.config.isolated);
    for name in &found.undefined {
        warn(&format!("error: \"{name}\" has a step no step definition matches (a typo in the feature?)"));
    }
    let mut all = results.results();
    all.extend(selection.left_out);
    print_results(&all);
    say(&format!("Finished in {:.1}s.", started.elapsed().as_secs_f64()));
    drop(running);
    let counts = Counts::of(&all);
    let outcome = if counts.broken > 0 || found.hook_errors > 0 || !found.undefined.is_empty() {
        Outcome::Broken
    } else if counts.mismatched > 0
        || !tally.cleanup.is_empty()
        || !leftovers.is_empty()
        || (config.fail_on_flaky && counts.flaky > 0)
    {
        Outcome::Failed
    } else {
        Outcome::Passed
    };
    Ok(RunReport { outcome, took: Duration::ZERO, scenarios: timings, results: all, target: Some(target), error: None })
}

/// The security audit of a live deployment, as a section of the run's output (its findings do
/// not change the run's exit code; `nocobase-conformance audit` exits 3 on them).
async fn audit_section(suite: &Suite) {
    let access = audit::Access {
        client: &suite.client,
        admin: suite.admin_session().cloned().zip(suite.admin_id().ok()).map(|(s, id)| (Credential::Bearer(s), id)),
        app_key: suite.app_key.as_ref(),
        api_key: suite.config.key_only.as_ref().map(|k| Credential::Bearer(k.key.clone())),
    };
    match audit::audit(&access).await {
        Ok(outcomes) => {
            audit::print(suite.client.base().as_str().trim_end_matches('/'), &outcomes);
        }
        Err(error) => warn(&format!("the security audit could not run: {error}")),
    }
}

/// Finds (and removes) anything of this run that per-scenario cleanup missed; reports it. Signs
/// the run's admin session out.
async fn sweep(suite: &Suite) -> Vec<String> {
    if suite.config.keep {
        if let Some(session) = suite.admin_session() {
            let _ = suite.client.auth_sign_out(&Credential::Bearer(session.clone())).await;
        }
        return Vec::new();
    }
    // The run's session, which scenarios shared; signed out at the end of the sweep.
    let Some(session) = suite.admin_session() else { return Vec::new() };
    let admin = Credential::Bearer(session.clone());
    let found = match leftovers::find(&suite.client, &admin, leftovers::Scope::Run(&suite.run_tag)).await {
        Ok(found) => found,
        Err(error) => return vec![format!("could not look for leftovers: {error}")],
    };
    let mut problems = Vec::new();
    for leftover in found {
        match leftover.remove(&suite.client, &admin).await {
            Ok(()) => problems.push(format!("{leftover} was left behind; removed")),
            Err(error) => problems.push(format!("{leftover} was left behind and could not be removed: {error}")),
        }
    }
    if let Err(error) = suite.client.auth_sign_out(&admin).await {
        problems.push(format!("signing the sweep's session out failed: {error}"));
    }
    problems
}
