//! One pass of cucumber over the run's features: every selected scenario, or on a retry only
//! those named. Each scenario's world is made in the run's suite, begins (its plan, a shared
//! set-up) and finishes (cleanup) in cucumber's hooks; an undefined step fails its scenario. The
//! console shows the steps; the results and the readable report collect across passes.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use cucumber::gherkin;
use cucumber::{World as _, WriterExt as _, writer};
use futures::FutureExt as _;

use super::collect::{Collector, file_of};
use super::select::{Target, excluded};
use crate::features::Parsed;
use crate::report::console::CleanOutput;
use crate::report::readable::LivingDoc;
use crate::world::TutorialWorld;
use crate::world::suite::Suite;

/// What a pass runs and where it writes.
pub(super) struct Pass<'a> {
    /// The run.
    pub(super) suite: &'a Arc<Suite>,
    /// Every feature of the run.
    pub(super) features: &'a [gherkin::Feature],
    /// What is known of the target.
    pub(super) target: Target<'a>,
    /// On a retry: only these scenarios (file, line, column).
    pub(super) only: Option<HashSet<(String, usize, usize)>>,
    /// The run's results.
    pub(super) results: Collector,
    /// The run's readable report.
    pub(super) doc: LivingDoc,
}

/// What a pass found that only cucumber knows.
#[derive(Debug, Default)]
pub(super) struct Found {
    /// Scenarios with a step no step definition matches.
    pub(super) undefined: Vec<String>,
    /// Hooks that failed outside any scenario's result.
    pub(super) hook_errors: usize,
}

impl Pass<'_> {
    /// Runs the pass.
    pub(super) async fn run(self) -> Found {
        let Pass { suite, features, target, only, results, doc } = self;
        let config = suite.config.clone();
        let app_key_known = target.app_key_known;
        let browser_missing = target.browser_missing.map(str::to_owned);
        let dialect = target.dialect.map(str::to_owned);
        let restart_missing = target.restart_missing.map(str::to_owned);
        let filter = move |feature: &gherkin::Feature, rule: Option<&gherkin::Rule>, scenario: &gherkin::Scenario| {
            let wanted = only
                .as_ref()
                .is_none_or(|only| only.contains(&(file_of(feature), scenario.position.line, scenario.position.col)));
            let target = Target {
                app_key_known,
                browser_missing: browser_missing.as_deref(),
                dialect: dialect.as_deref(),
                restart_missing: restart_missing.as_deref(),
            };
            wanted && excluded(&config, &target, feature, rule, scenario).is_none()
        };
        let base = TutorialWorld::cucumber::<&str>()
            .with_parser(Parsed)
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
        let console: Box<dyn std::io::Write> = if suite.config.quiet {
            Box::new(std::io::sink())
        } else {
            Box::new(CleanOutput::new(crate::report::console::for_people()))
        };
        let writer = writer::Basic::raw(console, writer::Coloring::Auto, 0)
            .summarized()
            .tee::<TutorialWorld, _>(results.discard_stats_writes().discard_arbitrary_writes())
            .tee::<TutorialWorld, _>(doc.discard_stats_writes().discard_arbitrary_writes())
            .normalized();
        let undefined = Arc::new(Mutex::new(Vec::<String>::new()));
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
            .filter_run(features.to_vec(), filter)
            .await;
        use cucumber::writer::Stats as _;
        let hook_errors = result.hook_errors();
        drop(result);
        let undefined = undefined.lock().map(|names| names.clone()).unwrap_or_default();
        Found { undefined, hook_errors }
    }
}
