//! Which scenarios a run takes: the name and tag filters, key-only mode, and the scenarios that
//! cannot run here (no app key, no Chromium), which are left out with the reason — before the
//! target is started, so that a run with nothing to do starts nothing.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use cucumber::gherkin::{self, GherkinEnv};
use cucumber::tag::Ext as _;

use crate::config::RunConfig;
use crate::error::{HarnessError, Result};

/// Why a scenario is left out of this run; `browser_missing` says why Chromium cannot run, if so.
pub(super) fn excluded<'a>(
    config: &RunConfig,
    target: &Target<'a>,
    feature: &gherkin::Feature,
    rule: Option<&gherkin::Rule>,
    scenario: &gherkin::Scenario,
) -> Option<Cow<'a, str>> {
    let tags: Vec<&String> =
        feature.tags.iter().chain(rule.iter().flat_map(|r| &r.tags)).chain(&scenario.tags).collect();
    if let Some(name) = &config.name
        && !scenario.name.contains(name.as_str())
        && !feature.name.contains(name.as_str())
    {
        return Some(NAME_FILTER.into());
    }
    if let Some(op) = &config.tags
        && !op.eval(tags.iter().map(|t| t.as_str()))
    {
        return Some(TAG_FILTER.into());
    }
    if config.key_only.is_some() && !tags.iter().any(|t| t.as_str() == "key-only") {
        return Some("needs admin credentials (key-only mode runs the @key-only scenarios)".into());
    }
    if !target.app_key_known && tags.iter().any(|t| t.as_str() == "app-key") {
        return Some("needs the target's app key (--app-key)".into());
    }
    if let Some(why) = target.browser_missing.filter(|_| tags.iter().any(|t| t.as_str() == crate::browser::TAG)) {
        return Some(why.into());
    }
    if let Some(why) = target.restart_missing.filter(|_| tags.iter().any(|t| t.as_str() == RESTART_TAG)) {
        return Some(why.into());
    }
    let dialects: Vec<&str> = tags.iter().filter_map(|t| t.strip_prefix(DIALECT_TAG)).collect();
    if let Some(dialect) = target.dialect
        && !dialects.is_empty()
        && !dialects.contains(&dialect)
    {
        return Some(format!("NocoBase on {} only; this target runs on {dialect}", dialects.join(" or ")).into());
    }
    None
}

fn feature_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let entries = std::fs::read_dir(dir)
        .map_err(|e| HarnessError::File { path: dir.display().to_string(), reason: e.to_string() })?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(feature_files(&path)?);
        } else if path.extension().is_some_and(|e| e == "feature") {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

/// The scenario-name filter's reason, which is not reported.
const NAME_FILTER: &str = "name filter";
/// The tag filter's reason, which is not reported.
const TAG_FILTER: &str = "tag filter";
/// Tags `@dialect-sqlite`, `@dialect-postgres`, …: the scenario shows how NocoBase behaves on those
/// databases only, and runs only against a target that says (in `app:getInfo`) it runs on one.
const DIALECT_TAG: &str = "dialect-";

/// Tag of the scenarios that restart the target: they run where it can restart.
const RESTART_TAG: &str = "restart";

/// What is known of the target when scenarios are chosen.
#[derive(Debug, Clone, Copy)]
pub(super) struct Target<'a> {
    /// Whether its APP_KEY is known (for `@app-key`).
    pub(super) app_key_known: bool,
    /// Why Chromium cannot run, if it cannot (for `@browser`).
    pub(super) browser_missing: Option<&'a str>,
    /// Its database, once it answered `app:getInfo` (for `@dialect-…`).
    pub(super) dialect: Option<&'a str>,
    /// Why it cannot restart, if it cannot (for `@restart`).
    pub(super) restart_missing: Option<&'a str>,
}

/// What [`select`] chose.
pub(super) struct Selection {
    /// How many scenarios run (a Scenario Outline's examples each count).
    pub(super) count: usize,
    /// (reason, name) of those left out for a reason other than the filters.
    pub(super) left_out: Vec<(String, String)>,
    /// Whether a selected scenario opens the browser.
    pub(super) browser: bool,
}

/// The scenarios selected, before anything starts. Browser scenarios that cannot run stop the run
/// instead when `--require-browser` is set.
pub(super) fn select(config: &RunConfig, target: &Target<'_>) -> Result<Selection> {
    let mut selected = 0;
    let mut left_out = Vec::new();
    let mut browser = false;
    for path in feature_files(&config.features)? {
        let feature = gherkin::Feature::parse_path(&path, GherkinEnv::default())
            .map_err(|e| HarnessError::File { path: path.display().to_string(), reason: e.to_string() })?;
        let scenarios = feature.scenarios.iter().map(|s| (None, s));
        let in_rules = feature.rules.iter().flat_map(|r| r.scenarios.iter().map(move |s| (Some(r), s)));
        for (rule, scenario) in scenarios.chain(in_rules) {
            let count = scenario
                .examples
                .iter()
                .map(|e| e.table.as_ref().map_or(0, |t| t.rows.len().saturating_sub(1)))
                .sum::<usize>()
                .max(1);
            match excluded(config, target, &feature, rule, scenario) {
                None => {
                    selected += count;
                    browser |= feature.tags.iter().chain(&scenario.tags).any(|t| t == crate::browser::TAG);
                }
                Some(why) if why == NAME_FILTER || why == TAG_FILTER => {}
                Some(why) if config.require_browser && Some(why.as_ref()) == target.browser_missing => {
                    return Err(HarnessError::Environment(format!(
                        "cannot run \"{}\": {why}; NOCOBASE_REQUIRE_BROWSER (--require-browser) is set",
                        scenario.name
                    )));
                }
                Some(why) => left_out.push((why.into_owned(), scenario.name.clone())),
            }
        }
    }
    Ok(Selection { count: selected, left_out, browser })
}
