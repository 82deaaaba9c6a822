//! Runs the suite: selects scenarios, starts the target, checks it is NocoBase and ready, runs
//! the features with cucumber (undefined or skipped steps fail), cleans up after every scenario
//! and sweeps the run's leftovers, and turns the outcome into an exit code.

mod select;
mod summary;

use std::sync::Arc;
use std::time::{Duration, Instant};

use cucumber::gherkin;
use cucumber::writer::Stats as _;
use cucumber::{World as _, WriterExt as _, writer};
use futures::FutureExt as _;
use serde_json::Value;

use self::select::{Selection, Target, excluded, select};
use self::summary::{print_left_out, print_openapi, print_shared_setup};
use crate::audit;
use crate::browser::Installation;
use crate::client::Credential;
use crate::client::NocoClient;
use crate::config::RunConfig;
use crate::error::{HarnessError, Result};
use crate::leftovers;
use crate::report::console::{CleanOutput, say, warn};
use crate::report::readable::{LivingDoc, RunHeader};
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
}

/// Runs the suite and reports on stdout/stderr.
pub async fn run(config: RunConfig) -> RunReport {
    let started = Instant::now();
    let (outcome, scenarios) = match run_inner(config).await {
        Ok(ran) => ran,
        Err(error) => {
            warn(&format!("error: {error}"));
            (if error.is_runtime() { Outcome::Broken } else { Outcome::Failed }, Vec::new())
        }
    };
    RunReport { outcome, took: started.elapsed(), scenarios }
}

async fn run_inner(config: RunConfig) -> Result<(Outcome, Vec<ScenarioTiming>)> {
    let started = Instant::now();
    let app_key_hint = config.app_key.is_some() || matches!(config.target, crate::config::TargetSpec::Embedded);
    if config.key_only.is_some() {
        say("Key-only mode: no admin credentials are used; only the @key-only scenarios can run.");
    }
    let browser_missing =
        crate::browser::Installation::at(&config.chromium, &config.chromedriver).err().map(|u| u.reason().to_owned());
    let before_start = Target {
        app_key_known: app_key_hint,
        browser_missing: browser_missing.as_deref(),
        dialect: None,
        restart_missing: None,
    };
    let selection = select(&config, &before_start)?;
    if selection.count == 0 {
        say("No scenario matches the filters; nothing to run.");
        print_left_out(&selection.left_out);
        return Ok((Outcome::Passed, Vec::new()));
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
    let app_key_known = running.app_key.is_some();
    let restart_missing = running.restart.missing();
    let known = Target {
        app_key_known,
        browser_missing: browser_missing.as_deref(),
        dialect: info.dialect.as_deref(),
        restart_missing,
    };
    let Selection { count: selected, left_out, browser } = select(&config, &known)?;
    let on = info.dialect.as_deref().map(|d| format!(" on {d}")).unwrap_or_default();
    say(&format!(
        "Running {selected} scenario{} against the {} target at {} (NocoBase {}{on}), {} at a time.",
        if selected == 1 { "" } else { "s" },
        running.kind,
        running.base_url,
        info.version,
        config.concurrency
    ));
    print_left_out(&left_out);

    let features = config.features.clone();
    let junit = match &config.junit {
        Some(path) => {
            let cannot =
                |e: std::io::Error| HarnessError::File { path: path.display().to_string(), reason: e.to_string() };
            if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(folder).map_err(cannot)?;
            }
            Some(std::fs::File::create(path).map_err(cannot)?)
        }
        None => None,
    };
    let suite = Arc::new(Suite::new(
        client,
        config,
        running.kind,
        running.app_key.clone(),
        info.dialect.clone(),
        running.restart.clone(),
        admin,
    ));
    suite.install();
    if browser {
        // Chromium starts while the first scenarios run: most of a browser scenario's cost.
        let (suite, timeout) = (Arc::clone(&suite), suite.config.timeout);
        tokio::spawn(async move {
            if let Ok(installation) = Installation::at(&suite.config.chromium, &suite.config.chromedriver) {
                let _ = suite.browser.get(&installation, timeout).await;
            }
        });
    }
    let filter_config = suite.config.clone();
    let dialect = info.dialect.clone();
    let filter = move |feature: &gherkin::Feature, rule: Option<&gherkin::Rule>, scenario: &gherkin::Scenario| {
        let target = Target {
            app_key_known,
            browser_missing: browser_missing.as_deref(),
            dialect: dialect.as_deref(),
            restart_missing,
        };
        excluded(&filter_config, &target, feature, rule, scenario).is_none()
    };

    let base = TutorialWorld::cucumber()
        .max_concurrent_scenarios(suite.config.concurrency)
        .before(|feature, rule, scenario, world| {
            async move {
                world.begin(feature, rule, scenario);
            }
            .boxed_local()
        })
        .after(|_feature, _rule, _scenario, finished, world| {
            let passed = matches!(finished, cucumber::event::ScenarioFinished::StepPassed);
            async move {
                if let Some(world) = world {
                    world.finish(passed).await;
                }
            }
            .boxed_local()
        });
    let junit_out: Box<dyn std::io::Write> = match junit {
        Some(file) => Box::new(CleanOutput::new(file)),
        None => Box::new(std::io::sink()),
    };
    let header = RunHeader { target: suite.target_kind.to_owned(), version: info.version.clone() };
    let console: Box<dyn std::io::Write> =
        if suite.config.quiet { Box::new(std::io::sink()) } else { Box::new(CleanOutput::new(std::io::stdout())) };
    let writer = writer::Basic::raw(console, writer::Coloring::Auto, 0)
        .summarized()
        .tee::<TutorialWorld, _>(writer::JUnit::for_tee(junit_out, 0))
        .tee::<TutorialWorld, _>(
            LivingDoc::new(suite.config.report.clone(), header).discard_stats_writes().discard_arbitrary_writes(),
        )
        .normalized();
    let undefined = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let undefined_in = Arc::clone(&undefined);
    let result = base
        .with_writer(writer)
        // After `with_writer`, which replaces the writer this wraps: an undefined step fails the
        // scenario, and the run as "could not run" (the feature, not the target, is wrong).
        .fail_on_skipped_with(move |_feature, _rule, scenario| {
            if let Ok(mut names) = undefined_in.lock() {
                names.push(scenario.name.clone());
            }
            true
        })
        .with_cli(cucumber::cli::Opts::<_, _, _, cucumber::cli::Empty>::default())
        .filter_run(features, filter)
        .await;
    let (failed_steps, parsing_errors, hook_errors) =
        (result.failed_steps(), result.parsing_errors(), result.hook_errors());
    drop(result); // closes the JUnit file

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
    // After the sweep: a report that cannot be finished must not leave the target's data behind.
    let junit_written = match &suite.config.junit {
        Some(path) => {
            crate::report::junit::add_not_run(path, &left_out).inspect_err(|e| warn(&format!("error: {e}"))).is_ok()
        }
        None => true,
    };
    let tally = suite.tally();
    for problem in tally.cleanup.iter().chain(&leftovers) {
        warn(&format!("cleanup: {problem}"));
    }
    print_openapi(&suite);
    let timings = suite.take_timings();
    print_shared_setup(&timings, suite.config.isolated);
    let undefined = undefined.lock().map(|names| names.clone()).unwrap_or_default();
    for name in &undefined {
        warn(&format!("error: \"{name}\" has a step no step definition matches (a typo in the feature?)"));
    }
    if tally.conformance + tally.runtime > 0 {
        say(&format!(
            "Failed steps: {} where the target did not conform, {} the suite could not run.",
            tally.conformance, tally.runtime
        ));
    }
    say(&format!("Finished in {:.1}s.", started.elapsed().as_secs_f64()));
    drop(running);
    let outcome =
        if tally.runtime > 0 || parsing_errors > 0 || hook_errors > 0 || !undefined.is_empty() || !junit_written {
            Outcome::Broken
        } else if failed_steps > 0 || !tally.cleanup.is_empty() || !leftovers.is_empty() {
            Outcome::Failed
        } else {
            Outcome::Passed
        };
    Ok((outcome, timings))
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
