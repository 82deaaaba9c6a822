//! The command line: `nocobase-conformance run` (the suite), `record` (a deployment's own
//! baseline), `compare` (two deployments), `features` (the built-in set), `serve` (the reference
//! server) and `leftovers`; the suite's flags ([`RunArgs`]) are also those of `cargo test --test
//! conformance -- …` ([`crate::cargo_test`]). Raw flags are parsed here;
//! [`crate::config::RunConfig::from_args`] validates them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use nocobase_reference::cli::ServeArgs;

use crate::secret::Secret;

/// Exit codes, also listed in `--help` and the README.
pub const EXIT_CODES: &str = "Exit codes:
  0  every scenario passed
  1  the target did not conform (a scenario failed against a server that answered)
  2  the suite could not run (bad flags, unreachable or wrong base URL, target never ready,
     refused admin credentials, missing features or snapshots, a step no definition matches,
     Docker or Chromium missing when required)
  130, 143  a --target container run stopped by SIGINT (Ctrl-C) or SIGTERM, after its
     container was removed";

/// NocoBase's "Using API Keys" tutorial as an executable conformance suite.
#[derive(Debug, Parser)]
#[command(name = "nocobase-conformance", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the conformance suite (against the embedded reference server unless --base-url is given).
    #[command(after_help = EXIT_CODES)]
    Run(RunCommand),
    /// Run the suite against a deployment and write its answers as a snapshot set of its own
    /// (--snapshots DIR, insta's format: `cargo insta review` reads it), for later runs to check
    /// with --snapshots DIR. Never writes the built-in snapshots.
    #[command(after_help = RECORD_EXIT_CODES)]
    Record(RunCommand),
    /// Run the same scenarios on two targets and report every difference between their
    /// normalised answers, scenario by scenario (--report, --junit).
    #[command(after_help = COMPARE_EXIT_CODES)]
    Compare(CompareArgs),
    /// The features, snapshots and request bodies built into this binary.
    Features(FeaturesArgs),
    /// Serve the bundled reference server (NocoBase's API-keys surface) until interrupted.
    Serve(ServeArgs),
    /// List (or remove) what runs of the suite left on a live target: API keys, users, roles and
    /// collections whose names end in a run tag (after a run was interrupted, for example).
    #[command(after_help = LEFTOVERS_EXIT_CODES)]
    Leftovers(LeftoversArgs),
    /// Audit a deployment's security: the default admin password, well-known APP_KEYs, forged
    /// tokens, API keys reaching beyond their role, the role mode. Findings say what to do.
    #[command(after_help = AUDIT_EXIT_CODES)]
    Audit(AuditArgs),
}

/// Exit codes of `audit`.
pub const AUDIT_EXIT_CODES: &str = "Exit codes:
  0  no finding
  2  could not audit (bad flags, unreachable target, refused credentials)
  3  the audit found something (each finding is printed with what to do)";

/// Flags of `audit`.
#[derive(Debug, Clone, Args)]
pub struct AuditArgs {
    /// API base URL of the NocoBase to audit, e.g. https://nocobase.example.com/api
    #[arg(long, env = "NOCOBASE_BASE_URL", value_name = "URL")]
    pub base_url: String,

    /// Admin account (username or email).
    #[arg(long, env = "NOCOBASE_ACCOUNT", default_value = "admin@nocobase.com")]
    pub account: String,

    /// Admin password: with it, the audit also issues a key of its own and checks what the key
    /// can reach (and removes it). Without it, that check is listed as not checked.
    #[arg(long, env = "NOCOBASE_PASSWORD", hide_env_values = true, value_parser = secret_arg)]
    pub password: Option<Secret>,

    /// The target's APP_KEY, if known: enables the algorithm-confusion check.
    #[arg(long, env = "NOCOBASE_APP_KEY", hide_env_values = true, value_parser = secret_arg)]
    pub app_key: Option<Secret>,

    /// An API key, to read the role mode with when no admin password is given.
    #[arg(long, env = "NOCOBASE_API_KEY", hide_env_values = true, value_parser = secret_arg)]
    pub api_key: Option<Secret>,

    /// Seconds to wait for any single HTTP response (and for a starting target).
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub timeout: u64,
}

/// Exit codes of `record`.
pub const RECORD_EXIT_CODES: &str = "Exit codes:
  0  every scenario ran and its answers were written
  1  a scenario failed a check of its own (a status, an error) against a server that answered
  2  could not run (bad flags, no --snapshots DIR, unreachable target, refused credentials)";

/// Exit codes of `compare`.
pub const COMPARE_EXIT_CODES: &str = "Exit codes:
  0  the two targets answered alike
  1  they differ (in an answer, or a scenario passed on one and failed on the other)
  2  a side could not run";

/// `run` and `record`: the suite's flags and how results are printed.
#[derive(Debug, Clone, Args)]
pub struct RunCommand {
    /// The suite's flags.
    #[command(flatten)]
    pub run: RunArgs,

    /// How results are printed: `pretty` for people, or `json`: one JSON object per scenario per
    /// line on stdout (the lines for people go to stderr).
    #[arg(long, value_enum, default_value = "pretty")]
    pub format: Format,
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Format {
    /// Step by step, for people.
    #[default]
    Pretty,
    /// One JSON object per scenario per line on stdout.
    Json,
}

/// Flags of `compare`: side A is the suite's target flags (--base-url, --target, …), side B is
/// --against.
#[derive(Debug, Clone, Args)]
pub struct CompareArgs {
    /// Side A, as for `run`: --base-url URL, or --target embedded|container.
    #[command(flatten)]
    pub run: RunArgs,

    /// Side B: the API base URL of another deployment, `embedded`, or `container[:IMAGE[:TAG]]`.
    #[arg(long, value_name = "TARGET")]
    pub against: String,

    /// Side B's admin account [default: --account].
    #[arg(long, value_name = "ACCOUNT")]
    pub against_account: Option<String>,

    /// Side B's admin password [default: --password].
    #[arg(long, hide_env_values = true, value_parser = secret_arg)]
    pub against_password: Option<Secret>,

    /// Side B's APP_KEY, if known [default: --app-key].
    #[arg(long, hide_env_values = true, value_parser = secret_arg)]
    pub against_app_key: Option<Secret>,
}

/// Flags of `features`.
#[derive(Debug, Clone, Args)]
pub struct FeaturesArgs {
    /// What to do with the built-in set.
    #[command(subcommand)]
    pub command: FeaturesCommand,
}

/// `features` subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum FeaturesCommand {
    /// List the built-in features and their scenarios.
    List,
    /// Write the built-in features, snapshots and request bodies into DIR, as the project holds
    /// them (features/, snapshots/, fixtures/requests/), to read or to start a set of your own.
    Export {
        /// The folder to write into (made if missing).
        dir: PathBuf,
    },
}

/// Exit codes of `leftovers`.
pub const LEFTOVERS_EXIT_CODES: &str = "Exit codes:
  0  nothing is left (or, with --remove, everything found was removed)
  1  something is left
  2  could not look (bad flags, unreachable target, refused credentials)";

/// Flags of `leftovers`.
#[derive(Debug, Clone, Args)]
pub struct LeftoversArgs {
    /// API base URL of the NocoBase to look at, e.g. http://127.0.0.1:13000/api
    #[arg(long, env = "NOCOBASE_BASE_URL", value_name = "URL")]
    pub base_url: String,

    /// Admin account (username or email).
    #[arg(long, env = "NOCOBASE_ACCOUNT", default_value = "admin@nocobase.com")]
    pub account: String,

    /// Admin password [default: admin123].
    #[arg(long, env = "NOCOBASE_PASSWORD", hide_env_values = true, value_parser = secret_arg)]
    pub password: Option<Secret>,

    /// Remove what is found (API keys are only those of the admin: NocoBase lists no one else's).
    #[arg(long)]
    pub remove: bool,

    /// Seconds to wait for any single HTTP response.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub timeout: u64,
}

/// The local Docker engine's socket.
pub const DEFAULT_DOCKER_HOST: &str = "unix:///var/run/docker.sock";

/// Which server the suite runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TargetKind {
    /// The bundled reference server, started in-process with a fresh database.
    Embedded,
    /// A running NocoBase (or reference server) at --base-url.
    Live,
    /// A container started for the run from --image, removed afterwards (needs a Docker engine).
    Container,
}

/// Flags of a suite run.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// Target kind [default: live when --base-url is given, else embedded].
    #[arg(long, value_enum, env = "NOCOBASE_TARGET")]
    pub target: Option<TargetKind>,

    /// API base URL of a running NocoBase, e.g. http://127.0.0.1:13000/api
    #[arg(long, env = "NOCOBASE_BASE_URL", value_name = "URL")]
    pub base_url: Option<String>,

    /// Admin account (username or email) the suite signs in with to set things up.
    #[arg(long, env = "NOCOBASE_ACCOUNT", default_value = "admin@nocobase.com")]
    pub account: String,

    /// Admin password [default: admin123, NocoBase's install default].
    #[arg(long, env = "NOCOBASE_PASSWORD", hide_env_values = true, value_parser = secret_arg)]
    pub password: Option<Secret>,

    /// The target's APP_KEY, if known: enables the scenario that mints a key offline.
    /// For the embedded target it is the server's key [default: a random one].
    #[arg(long, env = "NOCOBASE_APP_KEY", hide_env_values = true, value_parser = secret_arg)]
    pub app_key: Option<Secret>,

    /// Key-only mode: run only the scenarios a key alone can run (reading and writing the records
    /// of --collection), with this API key and no admin credentials.
    #[arg(long, env = "NOCOBASE_API_KEY", hide_env_values = true, value_parser = secret_arg)]
    pub api_key: Option<Secret>,

    /// The collection the --api-key was granted.
    #[arg(long, value_name = "NAME", default_value = "todos")]
    pub collection: String,

    /// Image for --target container: `nocobase` (the official nocobase/nocobase image at the
    /// pinned tag, pulled when missing) or `reference` (this crate's reference server, built
    /// locally by scripts/build-reference-image.sh); `:TAG` picks another tag (never `latest`).
    #[arg(long, env = "NOCOBASE_IMAGE", default_value = "nocobase", value_name = "IMAGE[:TAG]")]
    pub image: String,

    /// Docker engine for --target container.
    #[arg(long, env = "DOCKER_HOST", hide_env_values = true, value_name = "URL", default_value = DEFAULT_DOCKER_HOST)]
    pub docker_host: String,

    /// Folder of .feature files to run instead of the built-in ones; repeat it to add folders, and
    /// name the built-in set among them `builtin` [default: builtin].
    #[arg(long, value_name = "DIR", env = "NOCOBASE_FEATURES", action = clap::ArgAction::Append)]
    pub features: Vec<PathBuf>,

    /// Folder of reviewed snapshots to check against instead of the built-in ones; repeat it to
    /// add folders (looked up in order), and name the built-in set among them `builtin`
    /// [default: builtin]. For `record`: the one folder to write.
    #[arg(long, value_name = "DIR", env = "NOCOBASE_SNAPSHOTS", action = clap::ArgAction::Append)]
    pub snapshots: Vec<PathBuf>,

    /// Run only scenarios whose name, or whose feature's name, contains this text.
    #[arg(long = "name", short = 'n', value_name = "TEXT")]
    pub name: Option<String>,

    /// Run only scenarios matching this tag expression, e.g. "@crud and not @slow".
    #[arg(long, value_name = "EXPR")]
    pub tags: Option<String>,

    /// Scenarios run at the same time [default: 8 on the reference server (embedded or in a
    /// container), 1 on live or containerised NocoBase].
    #[arg(long, value_name = "N")]
    pub concurrency: Option<usize>,

    /// Seconds to wait for any single HTTP response.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub timeout: u64,

    /// Seconds to wait for a starting target to become ready (it answers 503 meanwhile).
    #[arg(long, value_name = "SECS", default_value_t = 180)]
    pub ready_timeout: u64,

    /// Check every response to a collection action against the target's own OpenAPI document
    /// (`swagger:get`), where the target serves one.
    #[arg(long, value_name = "BOOL", default_value_t = true, num_args = 0..=1, default_missing_value = "true", action = clap::ArgAction::Set)]
    pub validate_openapi: bool,

    /// Write a JUnit XML report here (flaky scenarios as `flakyFailure`).
    #[arg(long, value_name = "PATH")]
    pub junit: Option<PathBuf>,

    /// Write the results as JSON lines here: one object per scenario (status, duration, the step
    /// and the mismatch that failed).
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,

    /// Re-run a scenario that failed without a proper answer — a transport error, or a 5xx where
    /// none was expected — up to N more times; one that then passes is reported FLAKY. A mismatch
    /// is never retried.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub retries: usize,

    /// A flaky scenario fails the run (exit 1) instead of passing it with a warning.
    #[arg(long)]
    pub fail_on_flaky: bool,

    /// Write a readable report of the run (Markdown; HTML when PATH ends in .html). Browser
    /// scenarios put their screenshots next to it.
    #[arg(long, value_name = "PATH")]
    pub report: Option<PathBuf>,

    /// A shell command that restarts the deployment at --base-url (and returns once it is
    /// stopped and started again; the suite then waits until it answers), for the scenarios that
    /// check what outlives a restart. Without it they are listed as not run.
    #[arg(long, env = "NOCOBASE_RESTART_COMMAND", value_name = "COMMAND")]
    pub restart_command: Option<String>,

    /// Every scenario builds its own set-up, instead of taking over the set-up of an earlier
    /// scenario that had the same one and only read (slower; for comparison and debugging).
    #[arg(long)]
    pub isolated: bool,

    /// Leave what the scenarios create in place (for debugging a live deployment), and the
    /// container of --target container.
    #[arg(long)]
    pub keep: bool,

    /// Fail (exit 2) instead of leaving the @browser scenarios out when Chromium is missing.
    #[arg(long, env = "NOCOBASE_REQUIRE_BROWSER", value_parser = clap::builder::BoolishValueParser::new())]
    pub require_browser: bool,

    /// Chromium for the @browser scenarios (Debian's `chromium` package).
    #[arg(long, value_name = "PATH", env = "NOCOBASE_CHROMIUM", default_value = crate::browser::CHROMIUM)]
    pub chromium: PathBuf,

    /// chromedriver for the @browser scenarios (Debian's `chromium-driver` package).
    #[arg(long, value_name = "PATH", env = "NOCOBASE_CHROMEDRIVER", default_value = crate::browser::CHROMEDRIVER)]
    pub chromedriver: PathBuf,
}

/// A secret flag's value, registered for scrubbing the moment it is read, so that no `Debug` of
/// the flags can show it.
fn secret_arg(value: &str) -> Result<Secret, std::convert::Infallible> {
    Ok(Secret::new(value))
}
