//! Which scenarios a run takes: the name and tag filters, key-only mode, and the scenarios that
//! cannot run here (no app key, no Chromium, no restart, another database), left out with the
//! reason. Chosen before the target starts, so that a run with nothing to do starts nothing, and
//! again once the target said what it is (its app key, its database, whether it restarts).

use std::borrow::Cow;

use cucumber::gherkin;
use cucumber::tag::Ext as _;

use super::collect::file_of;
use crate::config::RunConfig;
use crate::error::{HarnessError, Result};
use crate::report::results::ScenarioResult;

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
    /// Those left out for a reason other than the filters, with the reason.
    pub(super) left_out: Vec<ScenarioResult>,
    /// Whether a selected scenario opens the browser.
    pub(super) browser: bool,
}

/// The scenarios selected, before anything starts. Browser scenarios that cannot run stop the run
/// instead when `--require-browser` is set.
pub(super) fn select(config: &RunConfig, features: &[gherkin::Feature], target: &Target<'_>) -> Result<Selection> {
    let mut selected = 0;
    let mut left_out = Vec::new();
    let mut browser = false;
    for feature in features {
        let scenarios = feature.scenarios.iter().map(|s| (None, s));
        let in_rules = feature.rules.iter().flat_map(|r| r.scenarios.iter().map(move |s| (Some(r), s)));
        for (rule, scenario) in scenarios.chain(in_rules) {
            match excluded(config, target, feature, rule, scenario) {
                None => {
                    selected += 1;
                    browser |= feature.tags.iter().chain(&scenario.tags).any(|t| t == crate::browser::TAG);
                }
                Some(why) if why == NAME_FILTER || why == TAG_FILTER => {}
                Some(why) if config.require_browser && Some(why.as_ref()) == target.browser_missing => {
                    return Err(HarnessError::Environment(format!(
                        "cannot run \"{}\": {why}; NOCOBASE_REQUIRE_BROWSER (--require-browser) is set",
                        scenario.name
                    )));
                }
                Some(why) => {
                    let tags = feature.tags.iter().chain(rule.iter().flat_map(|r| &r.tags)).chain(&scenario.tags);
                    left_out.push(ScenarioResult {
                        file: file_of(feature),
                        feature: feature.name.clone(),
                        rule: rule.map(|r| r.name.clone()),
                        scenario: scenario.name.clone(),
                        line: scenario.position.line,
                        column: scenario.position.col,
                        tags: tags.cloned().collect(),
                        attempts: Vec::new(),
                        left_out: Some(why.into_owned()),
                    });
                }
            }
        }
    }
    Ok(Selection { count: selected, left_out, browser })
}
