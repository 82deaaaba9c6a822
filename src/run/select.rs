//! Which scenarios a run takes: the name and tag filters, key-only mode, and the scenarios that
//! cannot run here (no app key, no Chromium), which are left out with the reason — before the
//! target is started, so that a run with nothing to do starts nothing.

use cucumber::gherkin;
use cucumber::tag::Ext as _;

use super::collect::file_of;
use crate::config::RunConfig;
use crate::error::{HarnessError, Result};
use crate::report::results::ScenarioResult;

/// Why a scenario is left out of this run; `browser_missing` says why Chromium cannot run, if so.
pub(super) fn excluded<'a>(
    config: &RunConfig,
    app_key_known: bool,
    browser_missing: Option<&'a str>,
    feature: &gherkin::Feature,
    rule: Option<&gherkin::Rule>,
    scenario: &gherkin::Scenario,
) -> Option<&'a str> {
    let tags: Vec<&String> =
        feature.tags.iter().chain(rule.iter().flat_map(|r| &r.tags)).chain(&scenario.tags).collect();
    if let Some(name) = &config.name
        && !scenario.name.contains(name.as_str())
        && !feature.name.contains(name.as_str())
    {
        return Some("name filter");
    }
    if let Some(op) = &config.tags
        && !op.eval(tags.iter().map(|t| t.as_str()))
    {
        return Some("tag filter");
    }
    if config.key_only.is_some() && !tags.iter().any(|t| t.as_str() == "key-only") {
        return Some("needs admin credentials (key-only mode runs the @key-only scenarios)");
    }
    if !app_key_known && tags.iter().any(|t| t.as_str() == "app-key") {
        return Some("needs the target's app key (--app-key)");
    }
    if let Some(why) = browser_missing.filter(|_| tags.iter().any(|t| t.as_str() == crate::browser::TAG)) {
        return Some(why);
    }
    None
}

/// What [`select`] chose.
pub(super) struct Selection {
    /// The features, read and parsed (Scenario Outlines expanded).
    pub(super) features: Vec<gherkin::Feature>,
    /// How many scenarios run (a Scenario Outline's examples each count).
    pub(super) count: usize,
    /// Those left out for a reason other than the filters, with the reason.
    pub(super) left_out: Vec<ScenarioResult>,
    /// Whether a selected scenario opens the browser.
    pub(super) browser: bool,
}

/// The scenarios selected, before anything starts. Browser scenarios that cannot run stop the run
/// instead when `--require-browser` is set.
pub(super) fn select(config: &RunConfig, app_key_known: bool, browser_missing: Option<&str>) -> Result<Selection> {
    let features = crate::features::load(&config.features)?;
    let mut selected = 0;
    let mut left_out = Vec::new();
    let mut browser = false;
    for feature in &features {
        let scenarios = feature.scenarios.iter().map(|s| (None, s));
        let in_rules = feature.rules.iter().flat_map(|r| r.scenarios.iter().map(move |s| (Some(r), s)));
        for (rule, scenario) in scenarios.chain(in_rules) {
            match excluded(config, app_key_known, browser_missing, feature, rule, scenario) {
                None => {
                    selected += 1;
                    browser |= feature.tags.iter().chain(&scenario.tags).any(|t| t == crate::browser::TAG);
                }
                Some("name filter" | "tag filter") => {}
                Some(why) if config.require_browser && Some(why) == browser_missing => {
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
                        left_out: Some(why.to_owned()),
                    });
                }
            }
        }
    }
    Ok(Selection { features, count: selected, left_out, browser })
}
