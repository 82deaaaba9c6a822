//! The runs that do more than check: `record` (the snapshot steps write a deployment's own
//! snapshots) and `compare` (two sides whose snapshot steps collect their answers).

use std::path::PathBuf;

use super::{RunConfig, TargetSpec, forbidden_dir, sources};
use crate::check::snapshot::{Collected, SnapshotMode};
use crate::cli::{CompareArgs, RunArgs, TargetKind};
use crate::error::Result;

/// `record`: the run of [`RunConfig::from_args`] whose snapshot steps write the answers into the
/// one `--snapshots DIR`.
pub fn recording(args: RunArgs) -> Result<RunConfig> {
    let dir = sources::record_dir(&args.snapshots, forbidden_dir().as_deref())?;
    let mut config = RunConfig::from_args(RunArgs { snapshots: Vec::new(), ..args })?;
    config.snapshots = SnapshotMode::Record(dir);
    Ok(config)
}

/// What `compare` runs and writes.
#[derive(Debug)]
pub struct Comparing {
    /// Side A.
    pub a: RunConfig,
    /// Side B.
    pub b: RunConfig,
    /// The readable report (Markdown, or HTML for `*.html`).
    pub report: Option<PathBuf>,
    /// The JUnit report.
    pub junit: Option<PathBuf>,
}

/// `compare`: side A (the suite's target flags) and side B (`--against`), each collecting its
/// answers instead of checking them and printing no step lines, neither writing reports of its
/// own (the comparison does). A scenario that needs the app key runs only when both sides know
/// theirs.
pub fn comparing(args: CompareArgs) -> Result<Comparing> {
    let (report, junit) = (args.run.report.clone(), args.run.junit.clone());
    let mut b = args.run.clone();
    match args.against.trim() {
        "embedded" => (b.target, b.base_url) = (Some(TargetKind::Embedded), None),
        against if against == "container" || against.starts_with("container:") => {
            (b.target, b.base_url) = (Some(TargetKind::Container), None);
            if let Some(image) = against.strip_prefix("container:") {
                b.image = image.to_owned();
            }
        }
        url => (b.target, b.base_url) = (Some(TargetKind::Live), Some(url.to_owned())),
    }
    if let Some(account) = args.against_account {
        b.account = account;
    }
    b.password = args.against_password.or(b.password);
    b.app_key = args.against_app_key.or(b.app_key);
    let side = |run: RunArgs| -> Result<RunConfig> {
        let mut config = RunConfig::from_args(run)?;
        config.snapshots = SnapshotMode::Collect(Collected::default());
        (config.junit, config.json, config.report, config.github) = (None, None, None, None);
        config.quiet = true;
        Ok(config)
    };
    let (mut a, mut b) = (side(args.run)?, side(b)?);
    if !(a.knows_app_key() && b.knows_app_key()) {
        for config in [&mut a, &mut b] {
            config.exclude_tag("app-key");
        }
    }
    Ok(Comparing { a, b, report, junit })
}

impl RunConfig {
    /// Whether the run will know the target's app key (the embedded server's is its own).
    pub fn knows_app_key(&self) -> bool {
        self.app_key.is_some() || matches!(self.target, TargetSpec::Embedded)
    }

    /// Leaves out the scenarios tagged `tag` (`app-key`), whatever else `--tags` says.
    pub fn exclude_tag(&mut self, tag: &str) {
        use cucumber::gherkin::tagexpr::TagOperation;
        let not = TagOperation::Not(Box::new(TagOperation::Tag(tag.to_owned())));
        self.tags = Some(match self.tags.take() {
            Some(tags) => TagOperation::And(Box::new(tags), Box::new(not)),
            None => not,
        });
    }
}
