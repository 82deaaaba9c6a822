//! The suite's own wall time, before and after shared set-up, side by side in one run: the whole
//! suite against the embedded reference server and, when one answers, against a real NocoBase,
//! each with `--isolated` (every scenario builds its own set-up: the behaviour before) and with
//! shared set-up (the default), then where the time went: by kind of request (schema changes,
//! sign-ins, roles/users/keys, records, OpenAPI documents), set-up vs the checks, cleanup, the
//! browser, and the slowest steps.
//!
//! ```sh
//! cargo bench --bench suite                                   # embedded only
//! scripts/nocobase.sh start && cargo bench --bench suite -- \
//!     --base-url http://127.0.0.1:13000/api --app-key lab-test-app-key-0123456789abcdef
//! cargo bench --bench suite -- --runs 3 --concurrency 1      # more rounds, one scenario at a time
//! ```
//!
//! A figure here is a measurement of this machine at this moment: compare the columns of one run.

use std::collections::BTreeMap;
use std::time::Duration;

use clap::Parser;
use nocobase_conformance::cli::RunArgs;
use nocobase_conformance::config::RunConfig;
use nocobase_conformance::run::{self, Outcome, RunReport};
use nocobase_conformance::world::timing::ScenarioTiming;

/// The benchmark's command line.
#[derive(Debug, Parser)]
#[command(name = "suite", about = "The suite's wall time, --isolated vs shared set-up, per target")]
struct Bench {
    /// A real NocoBase to measure besides the embedded server (skipped when it does not answer).
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// That NocoBase's APP_KEY.
    #[arg(long)]
    app_key: Option<String>,
    /// Rounds per target and mode (each round runs both modes, alternating).
    #[arg(long, default_value_t = 1)]
    runs: usize,
    /// Scenarios at a time (default: the suite's own default per target).
    #[arg(long)]
    concurrency: Option<usize>,
    /// Only scenarios whose name contains this text.
    #[arg(long)]
    name: Option<String>,
    /// Accepted for `cargo bench`.
    #[arg(long, hide = true)]
    bench: bool,
}

/// The suite's flags, parsed as the command line would.
#[derive(Debug, Parser)]
struct Flags {
    #[command(flatten)]
    run: RunArgs,
}

/// One mode of one target.
struct Measured {
    target: String,
    isolated: bool,
    reports: Vec<RunReport>,
}

fn config(bench: &Bench, base_url: Option<&str>, isolated: bool) -> Result<RunConfig, String> {
    let mut args = vec!["suite".to_owned(), "--validate-openapi".into(), "true".into()];
    if let Some(url) = base_url {
        args.extend(["--base-url".into(), url.to_owned()]);
    }
    if let Some(key) = &bench.app_key {
        args.extend(["--app-key".into(), key.clone()]);
    }
    if let Some(n) = bench.concurrency {
        args.extend(["--concurrency".into(), n.to_string()]);
    }
    if let Some(name) = &bench.name {
        args.extend(["--name".into(), name.clone()]);
    }
    if isolated {
        args.push("--isolated".into());
    }
    let flags = Flags::try_parse_from(&args).map_err(|e| e.to_string())?;
    let mut config = RunConfig::from_args(flags.run).map_err(|e| e.to_string())?;
    config.quiet = true;
    Ok(config)
}

async fn answers(base_url: &str) -> bool {
    let Ok(client) = nocobase_conformance::client::http().timeout(Duration::from_secs(3)).build() else { return false };
    client.get(format!("{base_url}/__health_check")).send().await.is_ok_and(|r| r.status() == 200)
}

fn seconds(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values.get(values.len() / 2).copied().unwrap_or_default()
}

/// The kind of a request, by its action.
fn kind(action: &str) -> &'static str {
    let route = action.split_once(' ').map_or(action, |(_, r)| r);
    let resource = route.split(':').next().unwrap_or(route);
    if route.starts_with("collections") {
        "schema changes and reads (collections, fields)"
    } else if route.starts_with("auth:") {
        "sign-in, sign-out, auth:check"
    } else if route.starts_with("swagger:") {
        "OpenAPI documents (swagger:get)"
    } else if ["roles", "users", "apiKeys", "availableActions", "pm"].iter().any(|r| resource.starts_with(r)) {
        "roles, users, keys, plugins"
    } else {
        "records and the rest"
    }
}

/// Time by kind of request, set-up vs the rest, cleanup and the browser, for one report.
fn breakdown(scenarios: &[ScenarioTiming]) -> BTreeMap<String, Duration> {
    let mut out: BTreeMap<String, Duration> = BTreeMap::new();
    for scenario in scenarios {
        for request in &scenario.requests {
            *out.entry(format!("requests: {}", kind(&request.action))).or_default() += request.took;
        }
        for step in &scenario.steps {
            let part = if step.index < scenario.setup_steps { "set-up steps" } else { "the scenarios' own steps" };
            *out.entry(format!("steps: {part}")).or_default() += step.took;
            if step.text.contains("To-Dos page") {
                *out.entry("steps: the browser (To-Dos page)".into()).or_default() += step.took;
            }
        }
        *out.entry("cleanup after scenarios".into()).or_default() += scenario.cleanup;
    }
    out
}

/// The costliest actions: count, total, mean.
fn costliest_actions(scenarios: &[ScenarioTiming], count: usize) -> Vec<(String, usize, Duration)> {
    let mut by_action: BTreeMap<&str, (usize, Duration)> = BTreeMap::new();
    for request in scenarios.iter().flat_map(|s| &s.requests) {
        let entry = by_action.entry(&request.action).or_default();
        entry.0 += 1;
        entry.1 += request.took;
    }
    let mut actions: Vec<(String, usize, Duration)> =
        by_action.into_iter().map(|(action, (n, took))| (action.to_owned(), n, took)).collect();
    actions.sort_by_key(|a| std::cmp::Reverse(a.2));
    actions.truncate(count);
    actions
}

/// The slowest steps, summed over all scenarios.
fn slowest_steps(scenarios: &[ScenarioTiming], count: usize) -> Vec<(String, usize, Duration)> {
    let mut by_text: BTreeMap<&str, (usize, Duration)> = BTreeMap::new();
    for step in scenarios.iter().flat_map(|s| &s.steps).filter(|s| !s.shared) {
        let entry = by_text.entry(&step.text).or_default();
        entry.0 += 1;
        entry.1 += step.took;
    }
    let mut steps: Vec<(String, usize, Duration)> =
        by_text.into_iter().map(|(text, (n, took))| (text.to_owned(), n, took)).collect();
    steps.sort_by_key(|s| std::cmp::Reverse(s.2));
    steps.truncate(count);
    steps
}

fn print(measured: &[Measured]) {
    println!("\nThe suite's wall time (median of the rounds; each round ran both modes)\n");
    println!("| target | before: --isolated | after: shared set-up | scenarios | shared | outcome |");
    println!("|---|---|---|---|---|---|");
    for pair in measured.chunks(2) {
        let [before, after] = pair else { continue };
        let shared = after.reports.iter().map(|r| r.scenarios.iter().filter(|s| s.setup_shared).count()).max();
        let outcomes: Vec<Outcome> = before.reports.iter().chain(&after.reports).map(|r| r.outcome).collect();
        let all_passed = outcomes.iter().all(|o| *o == Outcome::Passed);
        println!(
            "| {} | {} | {} | {} | {} | {} |",
            before.target,
            seconds(median(before.reports.iter().map(|r| r.took).collect())),
            seconds(median(after.reports.iter().map(|r| r.took).collect())),
            after.reports.first().map_or(0, |r| r.scenarios.len()),
            shared.unwrap_or(0),
            if all_passed { "all passed".to_owned() } else { format!("{outcomes:?}") },
        );
    }
    for m in measured {
        let Some(report) = m.reports.first() else { continue };
        let mode = if m.isolated { "before: --isolated" } else { "after: shared set-up" };
        println!("\nWhere the time went: {}, {mode} (first round; requests overlap their steps)\n", m.target);
        println!("| part | time |");
        println!("|---|---|");
        for (part, took) in breakdown(&report.scenarios) {
            println!("| {part} | {} |", seconds(took));
        }
        let built: Vec<&ScenarioTiming> =
            report.scenarios.iter().filter(|s| s.setup_steps > 0 && !s.setup_shared).collect();
        let writers: Vec<String> =
            built.iter().filter(|s| !s.gave_back).map(|s| format!("{}: {}", s.feature, s.scenario)).collect();
        println!(
            "\n{} scenarios built a set-up, {} took one over; {} wrote or failed, so theirs was removed:",
            built.len(),
            report.scenarios.iter().filter(|s| s.setup_shared).count(),
            writers.len()
        );
        for writer in writers {
            println!("  - {writer}");
        }
        println!("\nSlowest steps (summed; count):\n");
        for (text, n, took) in slowest_steps(&report.scenarios, 8) {
            println!("- {} ({n}×): {text}", seconds(took));
        }
        println!("\nCostliest requests (summed; count; mean), cleanup's not included:\n");
        for (action, n, took) in costliest_actions(&report.scenarios, 12) {
            println!("- {} ({n}×, {:.0} ms each): {action}", seconds(took), took.as_secs_f64() * 1000.0 / n as f64);
        }
    }
}

fn main() {
    let bench = Bench::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("cannot start a runtime: {e}");
            std::process::exit(2);
        }
    };
    let mut targets: Vec<(String, Option<String>)> = vec![("embedded reference server".into(), None)];
    if let Some(url) = &bench.base_url {
        if runtime.block_on(answers(url)) {
            targets.push((format!("NocoBase at {url}"), Some(url.clone())));
        } else {
            println!("NocoBase at {url}: not measured, nothing answers (start it with scripts/nocobase.sh start)");
        }
    }
    let mut measured = Vec::new();
    for (target, url) in &targets {
        let mut before = Measured { target: target.clone(), isolated: true, reports: Vec::new() };
        let mut after = Measured { target: target.clone(), isolated: false, reports: Vec::new() };
        for round in 0..bench.runs.max(1) {
            // Alternate which mode goes first, so that neither always meets a warmer target.
            let order = if round % 2 == 0 { [true, false] } else { [false, true] };
            for isolated in order {
                let config = match config(&bench, url.as_deref(), isolated) {
                    Ok(config) => config,
                    Err(e) => {
                        eprintln!("bad flags: {e}");
                        std::process::exit(2);
                    }
                };
                let report = runtime.block_on(run::run(config));
                println!("{target}, {}: {}", if isolated { "--isolated" } else { "shared" }, seconds(report.took));
                if isolated { &mut before } else { &mut after }.reports.push(report);
            }
        }
        measured.push(before);
        measured.push(after);
    }
    print(&measured);
}
