//! A validated run configuration, built from the raw command-line flags (which clap may have
//! filled from `NOCOBASE_*` environment variables; no other module reads the environment, which
//! `clippy.toml` enforces): the target, where features and snapshots come from ([`sources`]),
//! what snapshot steps do (check, record, collect), the reports, and GitHub Actions' settings.

#![expect(clippy::disallowed_methods, reason = "this module is the one door to the environment")]

mod base_url;
mod modes;
mod sources;

use std::path::PathBuf;
use std::time::Duration;

pub use self::base_url::parse_base_url;
pub use self::modes::{Comparing, comparing, recording};
use crate::check::snapshot::{Pending, SnapshotMode};
use crate::cli::{Format, RunArgs, TargetKind};
use crate::error::{HarnessError, Result};
use crate::features::FeatureSource;
use crate::report::github::GitHub;
use crate::secret::Secret;
use crate::targets::Launch;
pub use crate::targets::TargetSpec;
use crate::targets::container::{self, ImageKind};

/// Key-only mode: an API key and the collection it was granted.
#[derive(Debug, Clone)]
pub struct KeyOnly {
    /// The key.
    pub key: Secret,
    /// The collection it may read and write.
    pub collection: String,
}

/// Everything a run needs, checked.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// Where to run.
    pub target: TargetSpec,
    /// Admin account.
    pub account: String,
    /// Admin password.
    pub password: Secret,
    /// The target's APP_KEY, when known.
    pub app_key: Option<Secret>,
    /// Where the features come from, in order.
    pub features: Vec<FeatureSource>,
    /// What snapshot steps do: check (against which snapshots), record, or collect.
    pub snapshots: SnapshotMode,
    /// Scenario-name filter.
    pub name: Option<String>,
    /// Tag expression, parsed.
    pub tags: Option<cucumber::gherkin::tagexpr::TagOperation>,
    /// Concurrent scenarios.
    pub concurrency: usize,
    /// Per-request timeout.
    pub timeout: Duration,
    /// How long a starting target may answer 503.
    pub ready_timeout: Duration,
    /// JUnit report path.
    pub junit: Option<PathBuf>,
    /// JSON-lines results path.
    pub json: Option<PathBuf>,
    /// How results are printed (`--format`).
    pub format: Format,
    /// GitHub Actions' settings, when running there (`GITHUB_ACTIONS=true`).
    pub github: Option<GitHub>,
    /// How many more times a scenario that failed transiently runs.
    pub retries: usize,
    /// A flaky scenario fails the run.
    pub fail_on_flaky: bool,
    /// Readable report path (Markdown or HTML); screenshots go next to it.
    pub report: Option<PathBuf>,
    /// Check collection-action responses against the target's OpenAPI document.
    pub validate_openapi: bool,
    /// Keep created data.
    pub keep: bool,
    /// Every scenario builds its own set-up (no shared set-up).
    pub isolated: bool,
    /// The shell command that restarts a live deployment, for the `@restart` scenarios.
    pub restart_command: Option<String>,
    /// Print no step lines, only what comes after them (for the suite's benchmark; no flag).
    pub quiet: bool,
    /// Key-only mode, when an API key is given instead of admin credentials.
    pub key_only: Option<KeyOnly>,
    /// A missing Chromium stops the run instead of leaving the @browser scenarios out.
    pub require_browser: bool,
    /// Chromium, for the @browser scenarios.
    pub chromium: PathBuf,
    /// chromedriver, for the @browser scenarios.
    pub chromedriver: PathBuf,
}

impl RunConfig {
    /// What starting the target takes from this configuration.
    pub fn launch(&self) -> Launch<'_> {
        Launch {
            account: &self.account,
            password: &self.password,
            app_key: self.app_key.as_ref(),
            ready_timeout: self.ready_timeout,
            keep: self.keep,
            restart_command: self.restart_command.as_deref(),
        }
    }

    /// Validates raw flags.
    pub fn from_args(args: RunArgs) -> Result<Self> {
        let target_kind = match (args.target, &args.base_url) {
            (Some(kind), _) => kind,
            (None, Some(_)) => TargetKind::Live,
            (None, None) => TargetKind::Embedded,
        };
        let target = match target_kind {
            TargetKind::Embedded => {
                if args.base_url.is_some() {
                    return Err(HarnessError::Config(
                        "--target embedded starts its own server; drop --base-url or use --target live".into(),
                    ));
                }
                TargetSpec::Embedded
            }
            TargetKind::Live => {
                let raw = args.base_url.as_deref().ok_or_else(|| {
                    HarnessError::Config("--target live needs --base-url (e.g. http://127.0.0.1:13000/api)".into())
                })?;
                TargetSpec::Live(parse_base_url(raw)?)
            }
            TargetKind::Container => {
                if args.base_url.is_some() {
                    return Err(HarnessError::Config(
                        "--target container starts its own server; drop --base-url or use --target live".into(),
                    ));
                }
                let (image, tag) = ImageKind::parse(&args.image).map_err(HarnessError::Config)?;
                // The container client (testcontainers) reads the engine's address from DOCKER_HOST only.
                if args.docker_host != docker_host() {
                    return Err(HarnessError::Config(format!(
                        "--docker-host {0}: the container client (testcontainers) takes the engine's address from DOCKER_HOST only, which says {1}\n  hint: run with DOCKER_HOST={0} instead of --docker-host",
                        args.docker_host,
                        docker_host()
                    )));
                }
                TargetSpec::Container { image, tag, docker_host: args.docker_host.clone() }
            }
        };
        if args.restart_command.is_some() && !matches!(target, TargetSpec::Live(_)) {
            return Err(HarnessError::Config(
                "--restart-command restarts a deployment at --base-url; the embedded server and a container restart by themselves".into(),
            ));
        }
        let forbidden = forbidden_dir();
        let features = sources::features(&args.features, forbidden.as_deref())?;
        let snapshots = SnapshotMode::Check {
            sources: sources::snapshots(&args.snapshots, forbidden.as_deref())?,
            pending: pending(),
        };
        // The reference server takes scenarios in parallel wherever it runs; NocoBase on SQLite
        // does not (see the README).
        let reference_server =
            matches!(target, TargetSpec::Embedded | TargetSpec::Container { image: ImageKind::Reference, .. });
        let concurrency = args.concurrency.unwrap_or(if reference_server { 8 } else { 1 });
        if concurrency == 0 {
            return Err(HarnessError::Config("--concurrency must be at least 1".into()));
        }
        if args.timeout == 0 || args.ready_timeout == 0 {
            return Err(HarnessError::Config("--timeout and --ready-timeout must be at least 1 second".into()));
        }
        let key_only = match args.api_key.filter(|k| !k.expose().is_empty()) {
            Some(key) if matches!(target, TargetSpec::Live(_)) => {
                if !valid_identifier(&args.collection) {
                    return Err(HarnessError::Config(format!(
                        "--collection {:?} is not a collection name",
                        args.collection
                    )));
                }
                Some(KeyOnly { key, collection: args.collection.clone() })
            }
            Some(_) => return Err(HarnessError::Config("--api-key needs a live target (--base-url)".into())),
            None => None,
        };
        let app_key = match args.app_key.filter(|k| !k.expose().is_empty()) {
            Some(key) => Some(key),
            // A container is started with a key the suite chooses, so it is known.
            None if matches!(target, TargetSpec::Container { .. }) => Some(Secret::new(container::TEST_APP_KEY)),
            None => None,
        };
        let tags = match args.tags.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            Some(expr) => Some(expr.parse::<cucumber::gherkin::tagexpr::TagOperation>().map_err(|e| {
                HarnessError::Config(format!(
                    "--tags {expr:?} is not a tag expression ({e}); e.g. \"@browser and not @app-key\""
                ))
            })?),
            None => None,
        };
        Ok(Self {
            target,
            account: args.account,
            password: args.password.unwrap_or_else(|| Secret::new("admin123")),
            app_key,
            features,
            snapshots,
            name: args.name,
            tags,
            concurrency,
            timeout: Duration::from_secs(args.timeout),
            ready_timeout: Duration::from_secs(args.ready_timeout),
            junit: args.junit,
            json: args.json,
            format: Format::Pretty,
            github: github(),
            retries: args.retries,
            fail_on_flaky: args.fail_on_flaky,
            report: args.report,
            validate_openapi: args.validate_openapi,
            keep: args.keep,
            isolated: args.isolated,
            restart_command: args.restart_command.filter(|c| !c.trim().is_empty()),
            quiet: false,
            key_only,
            require_browser: args.require_browser,
            chromium: args.chromium,
            chromedriver: args.chromedriver,
        })
    }
}

/// GitHub Actions' settings when `GITHUB_ACTIONS` is `true`: where the job summary goes
/// (`GITHUB_STEP_SUMMARY`) and the checkout (`GITHUB_WORKSPACE`).
fn github() -> Option<GitHub> {
    let path = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    switched_on("GITHUB_ACTIONS")
        .then(|| GitHub { summary: path("GITHUB_STEP_SUMMARY"), workspace: path("GITHUB_WORKSPACE") })
}

/// What a check leaves for a new or different snapshot in a folder, as insta's `INSTA_UPDATE`
/// says: `no` nothing, `always` accepts it, `new`/`unseen` a `.snap.new` to review, and `auto`
/// (or unset) a `.snap.new` except in CI (`CI` set), where nothing.
fn pending() -> Pending {
    match std::env::var("INSTA_UPDATE").unwrap_or_default().trim() {
        "no" => Pending::Nothing,
        "always" | "force" => Pending::Accept,
        "new" | "unseen" => Pending::Review,
        _ if std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "0" && v != "false") => Pending::Nothing,
        _ => Pending::Review,
    }
}

/// `NOCOBASE_FORBIDDEN_DIR`: a folder the run must read nothing from. The tests set it to the
/// source tree, to show that an installed binary needs no checkout.
fn forbidden_dir() -> Option<PathBuf> {
    std::env::var_os("NOCOBASE_FORBIDDEN_DIR").filter(|v| !v.is_empty()).map(PathBuf::from)
}

/// The Docker engine's address, for code that checks for an engine outside a run (the container
/// tests): `DOCKER_HOST`, else the local socket.
pub fn docker_host() -> String {
    std::env::var("DOCKER_HOST")
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| crate::cli::DEFAULT_DOCKER_HOST.to_owned())
}

/// Whether a missing Docker engine is a failure rather than a reason to skip the container tests:
/// `NOCOBASE_REQUIRE_DOCKER` set to 1/true/yes/on.
pub fn docker_required() -> bool {
    switched_on("NOCOBASE_REQUIRE_DOCKER")
}

/// Whether a missing Chromium is a failure rather than a reason to skip a browser test outside a
/// run (a run reads `--require-browser`, whose value clap takes from the same variable).
pub fn browser_required() -> bool {
    switched_on("NOCOBASE_REQUIRE_BROWSER")
}

/// Whether the environment variable `name` is 1/true/yes/on.
fn switched_on(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on"))
}

fn valid_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;

    /// The suite's flags alone.
    #[derive(Debug, clap::Parser)]
    struct Flags {
        #[command(flatten)]
        run: RunArgs,
    }

    fn container_args(image: &str) -> RunArgs {
        let cli = Flags::try_parse_from(["conformance", "--target", "container", "--image", image]);
        // Whatever NOCOBASE_* the environment holds, these flags are the test's.
        RunArgs { base_url: None, app_key: None, api_key: None, concurrency: None, ..cli.expect("valid flags").run }
    }

    #[test]
    fn a_container_target_knows_its_key_and_runs_the_reference_server_in_parallel() {
        // Act
        let reference = RunConfig::from_args(container_args("reference")).expect("valid");
        let nocobase = RunConfig::from_args(container_args("nocobase:2.2.16")).expect("valid");

        // Assert
        assert!(matches!(reference.target, TargetSpec::Container { image: ImageKind::Reference, tag: None, .. }));
        assert!(
            matches!(&nocobase.target, TargetSpec::Container { image: ImageKind::NocoBase, tag: Some(t), .. } if t == "2.2.16")
        );
        assert_eq!(reference.app_key.as_ref().map(Secret::expose), Some(container::TEST_APP_KEY));
        assert_eq!((reference.concurrency, nocobase.concurrency), (8, 1));
    }

    #[test]
    fn a_container_target_refuses_latest_and_a_base_url() {
        assert!(RunConfig::from_args(container_args("nocobase:latest")).is_err());
        let mut with_url = container_args("reference");
        with_url.base_url = Some("http://127.0.0.1:13000/api".into());
        assert!(RunConfig::from_args(with_url).is_err());
    }
}
