//! The readable report (`--report PATH`): the features rendered as living documentation — each
//! feature's narrative, each scenario with every step and its result, failures with their
//! message, screenshots beside the scenario that took them. Markdown, or HTML when the path ends
//! in `.html`. A cucumber writer: it collects events (clones share them, so that every pass of a
//! run with `--retries` adds to one page, a retried scenario showing its last attempt) and the run
//! writes the page when it finishes ([`LivingDoc::write`]).

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use cucumber::event::{self, Cucumber, Feature, Rule, Scenario, Step};
use cucumber::{Event, World, cli, gherkin, parser};

/// What the page says about the run itself.
#[derive(Debug, Clone)]
pub struct RunHeader {
    /// `embedded`, `live` or `container`.
    pub target: String,
    /// The target's NocoBase version.
    pub version: String,
}

#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Passed,
    Failed(String),
    Skipped,
}

#[derive(Debug)]
struct DocStep {
    keyword: String,
    text: String,
    docstring: Option<String>,
    background: bool,
    outcome: Outcome,
}

#[derive(Debug)]
struct DocScenario {
    name: String,
    line: usize,
    tags: Vec<String>,
    snapshot_prefix: String,
    steps: Vec<DocStep>,
    /// How many times it ran (more than once with `--retries`).
    attempts: usize,
}

#[derive(Debug)]
struct DocFeature {
    name: String,
    description: Option<String>,
    file: String,
    scenarios: Vec<DocScenario>,
}

/// The report writer; clones share what it collected.
#[derive(Debug, Clone)]
pub struct LivingDoc {
    path: Option<PathBuf>,
    header: RunHeader,
    features: Arc<Mutex<Vec<DocFeature>>>,
}

/// What the page is made of.
#[derive(Debug)]
struct Page<'a> {
    header: &'a RunHeader,
    features: &'a [DocFeature],
}

impl LivingDoc {
    /// A writer for `path`; with `None` it collects nothing and writes nothing.
    pub fn new(path: Option<PathBuf>, header: RunHeader) -> Self {
        Self { path, header, features: Arc::default() }
    }

    /// Writes the page (nothing without a path).
    pub fn write(&self) -> std::io::Result<()> {
        let Some(path) = &self.path else { return Ok(()) };
        let features = self.features.lock().map_err(|_| std::io::Error::other("the report's state was poisoned"))?;
        Page { header: &self.header, features: &features }.write(path)
    }

    fn scenario(&self, feature: &gherkin::Feature, scenario: &gherkin::Scenario, event: &Scenario<impl World>) {
        let Ok(mut features) = self.features.lock() else { return };
        scenario_event(&mut features, feature, scenario, event);
    }
}

fn feature_mut<'a>(features: &'a mut Vec<DocFeature>, feature: &gherkin::Feature) -> &'a mut DocFeature {
    let file =
        feature.path.as_ref().and_then(|p| p.file_stem()).map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let index = match features.iter().position(|f| f.file == file && f.name == feature.name) {
        Some(i) => i,
        None => {
            features.push(DocFeature {
                name: feature.name.clone(),
                description: feature.description.clone(),
                file,
                scenarios: Vec::new(),
            });
            features.len() - 1
        }
    };
    &mut features[index]
}

/// One scenario event into the page: a step's result, or (on a retry) a fresh start.
fn scenario_event(
    features: &mut Vec<DocFeature>,
    feature: &gherkin::Feature,
    scenario: &gherkin::Scenario,
    event: &Scenario<impl World>,
) {
    let entry = feature_mut(features, feature);
    let index = match entry.scenarios.iter().position(|s| s.line == scenario.position.line && s.name == scenario.name) {
        Some(i) => i,
        None => {
            entry.scenarios.push(DocScenario {
                name: scenario.name.clone(),
                line: scenario.position.line,
                tags: scenario.tags.clone(),
                snapshot_prefix: crate::check::snapshot::scenario_prefix(feature, scenario),
                steps: Vec::new(),
                attempts: 0,
            });
            entry.scenarios.len() - 1
        }
    };
    let doc = &mut entry.scenarios[index];
    let (step, ev, background) = match event {
        Scenario::Started => {
            // A retry shows its own steps, not the earlier attempt's.
            doc.attempts += 1;
            doc.steps.clear();
            return;
        }
        Scenario::Step(step, ev) => (step, ev, false),
        Scenario::Background(step, ev) => (step, ev, true),
        _ => return,
    };
    let outcome = match ev {
        Step::Started => return,
        Step::Passed(..) => Outcome::Passed,
        Step::Skipped => Outcome::Skipped,
        Step::Failed(_, _, _, error) => Outcome::Failed(step_error(error)),
    };
    doc.steps.push(DocStep {
        keyword: step.keyword.trim().to_owned(),
        text: step.value.clone(),
        docstring: step.docstring.clone(),
        background,
        outcome,
    });
}

impl DocScenario {
    /// ` *(flaky: passed on attempt 2)*` for a scenario that passed on a retry.
    fn flaky_note(&self) -> String {
        let passed = self.steps.iter().all(|s| s.outcome == Outcome::Passed);
        if passed && self.attempts > 1 {
            format!(" (flaky: passed on attempt {})", self.attempts)
        } else {
            String::new()
        }
    }
}

impl Page<'_> {
    fn write(&self, path: &Path) -> std::io::Result<()> {
        let html = path.extension().is_some_and(|e| e == "html" || e == "htm");
        let page = if html { self.render_html(path) } else { self.render_markdown(path) };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut file = crate::report::console::CleanOutput::new(std::fs::File::create(path)?);
        file.write_all(page.as_bytes())?;
        file.flush()
    }

    fn counts(&self) -> (usize, usize) {
        let scenarios: Vec<&DocScenario> = self.features.iter().flat_map(|f| &f.scenarios).collect();
        let failed = scenarios.iter().filter(|s| s.steps.iter().any(|st| st.outcome != Outcome::Passed)).count();
        (scenarios.len(), failed)
    }

    /// The scenario's screenshot, saved by its browser step as `<snapshot prefix>.png`.
    fn screenshot(report: &Path, scenario: &DocScenario) -> Option<String> {
        let name = format!("{}.png", scenario.snapshot_prefix);
        report.parent()?.join(&name).is_file().then_some(name)
    }

    fn render_markdown(&self, path: &Path) -> String {
        let (total, failed) = self.counts();
        let mut out = String::new();
        let _ = writeln!(out, "# NocoBase \"Using API Keys\" tutorial — conformance report\n");
        let _ = writeln!(
            out,
            "Target: **{}** (NocoBase {}). {} scenarios: {} passed, {} failed.\n",
            self.header.target,
            self.header.version,
            total,
            total - failed,
            failed
        );
        for feature in self.features {
            let _ = writeln!(out, "## {}\n", feature.name);
            if let Some(description) = &feature.description {
                for line in description.lines() {
                    let _ = writeln!(out, "> {}", line.trim());
                }
                out.push('\n');
            }
            for scenario in &feature.scenarios {
                let mark = if scenario.steps.iter().all(|s| s.outcome == Outcome::Passed) { "✔" } else { "✘" };
                let tags = if scenario.tags.is_empty() {
                    String::new()
                } else {
                    format!(" `@{}`", scenario.tags.join("` `@"))
                };
                let _ = writeln!(out, "### {mark} {}{tags}{}\n", scenario.name, scenario.flaky_note());
                for step in &scenario.steps {
                    let mark = match step.outcome {
                        Outcome::Passed => "✔",
                        Outcome::Failed(_) => "✘",
                        Outcome::Skipped => "⏭",
                    };
                    let background = if step.background { " *(background)*" } else { "" };
                    let _ =
                        writeln!(out, "- {mark} **{}** {}{background}", step.keyword, step.text.replace('|', "\\|"));
                    if let Some(doc) = &step.docstring {
                        let _ = writeln!(out, "\n  ```json\n  {}\n  ```\n", doc.trim().replace('\n', "\n  "));
                    }
                    if let Outcome::Failed(message) = &step.outcome {
                        let _ = writeln!(out, "\n  ```text\n  {}\n  ```\n", message.trim().replace('\n', "\n  "));
                    }
                }
                if let Some(png) = Self::screenshot(path, scenario) {
                    let _ = writeln!(out, "\n![{}]({png})", scenario.name);
                }
                out.push('\n');
            }
        }
        out
    }

    fn render_html(&self, path: &Path) -> String {
        let (total, failed) = self.counts();
        let mut out = String::from(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>NocoBase API keys — conformance report</title>\
             <style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.45}\
             .pass{color:#1a7f37}.fail{color:#cf222e}.skip{color:#9a6700}blockquote{color:#555;border-left:3px solid #ddd;margin:0;padding-left:1rem}\
             pre{background:#f6f8fa;padding:.6rem;overflow:auto}li{margin:.15rem 0}img{max-width:100%;border:1px solid #ddd}</style></head><body>",
        );
        let _ = write!(
            out,
            "<h1>NocoBase \"Using API Keys\" tutorial — conformance report</h1><p>Target: <b>{}</b> (NocoBase {}). {} scenarios: {} passed, {} failed.</p>",
            escape(&self.header.target),
            escape(&self.header.version),
            total,
            total - failed,
            failed
        );
        for feature in self.features {
            let _ = write!(out, "<h2>{}</h2>", escape(&feature.name));
            if let Some(description) = &feature.description {
                let _ = write!(out, "<blockquote>{}</blockquote>", escape(description).replace('\n', "<br>"));
            }
            for scenario in &feature.scenarios {
                let ok = scenario.steps.iter().all(|s| s.outcome == Outcome::Passed);
                let _ = write!(
                    out,
                    "<h3 class=\"{}\">{} {}{}</h3><ul>",
                    if ok { "pass" } else { "fail" },
                    if ok { "✔" } else { "✘" },
                    escape(&scenario.name),
                    escape(&scenario.flaky_note())
                );
                for step in &scenario.steps {
                    let (class, mark) = match step.outcome {
                        Outcome::Passed => ("pass", "✔"),
                        Outcome::Failed(_) => ("fail", "✘"),
                        Outcome::Skipped => ("skip", "⏭"),
                    };
                    let _ = write!(
                        out,
                        "<li class=\"{class}\">{mark} <b>{}</b> {}",
                        escape(&step.keyword),
                        escape(&step.text)
                    );
                    if let Some(doc) = &step.docstring {
                        let _ = write!(out, "<pre>{}</pre>", escape(doc));
                    }
                    if let Outcome::Failed(message) = &step.outcome {
                        let _ = write!(out, "<pre>{}</pre>", escape(message));
                    }
                    out.push_str("</li>");
                }
                out.push_str("</ul>");
                if let Some(png) = Self::screenshot(path, scenario) {
                    let _ = write!(out, "<img src=\"{}\" alt=\"{}\">", escape(&png), escape(&scenario.name));
                }
            }
        }
        out.push_str("</body></html>\n");
        out
    }
}

fn step_error(error: &event::StepError) -> String {
    error.to_string().replace("Step panicked. Captured output: ", "")
}

/// `text` with the characters HTML and XML give a meaning (`& < > "`) escaped.
pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

impl<W: World> cucumber::Writer<W> for LivingDoc {
    type Cli = cli::Empty;

    async fn handle_event(&mut self, event: parser::Result<Event<Cucumber<W>>>, _cli: &Self::Cli) {
        if self.path.is_none() {
            return;
        }
        let Ok(event) = event else { return };
        match event.value {
            Cucumber::Feature(feature, Feature::Scenario(scenario, retryable)) => {
                self.scenario(&feature, &scenario, &retryable.event);
            }
            Cucumber::Feature(feature, Feature::Rule(_, Rule::Scenario(scenario, retryable))) => {
                self.scenario(&feature, &scenario, &retryable.event);
            }
            _ => {}
        }
    }
}

impl cucumber::writer::NonTransforming for LivingDoc {}
