//! The harness's error type. Every variant says whether it means "the target did not conform"
//! (a finding about the server under test) or "the suite could not run" (configuration, network,
//! a target that is not NocoBase): the two lead to different exit codes.

use std::time::Duration;

/// What can go wrong in a run.
#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    /// A flag or setting is invalid.
    #[error("invalid configuration: {0}")]
    Config(String),

    /// Nothing answered at the target's address.
    #[error("cannot reach {url}: {reason}\n  hint: is NocoBase running there? Start it, or pass another --base-url")]
    Unreachable {
        /// The URL tried.
        url: String,
        /// What the network layer said.
        reason: String,
    },

    /// The target did not answer in time.
    #[error(
        "{url} did not answer within {after:?}\n  hint: the server may be overloaded or hung; raise --timeout if it is only slow"
    )]
    Timeout {
        /// The URL tried.
        url: String,
        /// How long we waited.
        after: Duration,
    },

    /// The target answered, but not like NocoBase's API.
    #[error("{url} does not look like NocoBase's API: {what}\n  hint: {hint}")]
    NotNocoBase {
        /// The URL tried.
        url: String,
        /// What came back.
        what: String,
        /// What to do about it.
        hint: String,
    },

    /// The target kept answering 503 while starting.
    #[error(
        "{url} was still starting after {waited:?} (last answer: {last})\n  hint: NocoBase answers 503 APP_INITIALIZING/APP_COMMANDING while it starts; raise --ready-timeout or check its log"
    )]
    NotReady {
        /// The URL polled.
        url: String,
        /// How long we waited.
        waited: Duration,
        /// The last status and body seen.
        last: String,
    },

    /// The admin credentials were refused.
    #[error(
        "signing in as {account} was refused: {status} {message}\n  hint: pass the admin's credentials with --account and --password (or NOCOBASE_ACCOUNT / NOCOBASE_PASSWORD)"
    )]
    SignInRejected {
        /// The account used.
        account: String,
        /// The HTTP status.
        status: u16,
        /// NocoBase's message.
        message: String,
    },

    /// The API key given for key-only mode cannot do what the key-only scenarios need.
    #[error("the API key cannot be used on {collection}: {status} {message}\n  hint: {hint}")]
    KeyNotUsable {
        /// The collection it was checked on.
        collection: String,
        /// The HTTP status.
        status: u16,
        /// NocoBase's message.
        message: String,
        /// What to do about it.
        hint: String,
    },

    /// Any other HTTP failure below the level of a response.
    #[error("HTTP request {method} {url} failed: {reason}")]
    Transport {
        /// Method.
        method: String,
        /// URL.
        url: String,
        /// Cause.
        reason: String,
    },

    /// The target answered something other than what NocoBase answers.
    #[error("{0}")]
    Mismatch(Box<crate::mismatch::Mismatch>),

    /// A file the suite needs could not be read or written.
    #[error("{path}: {reason}")]
    File {
        /// The path.
        path: String,
        /// What happened.
        reason: String,
    },

    /// A step checks a response against a snapshot nobody has reviewed yet.
    #[error("no reviewed snapshot \"{name}\" ({path})\n  hint: {hint}")]
    MissingSnapshot {
        /// Snapshot name.
        name: String,
        /// Where it should be.
        path: String,
        /// What to do: review the one insta wrote, or record one.
        hint: String,
    },

    /// A scenario could not be run as written (an unknown name, a missing prerequisite).
    #[error("the scenario cannot run: {0}")]
    Scenario(String),

    /// Docker or another required tool is missing.
    #[error("{0}")]
    Environment(String),
}

impl HarnessError {
    /// True when the error means the suite could not run, rather than a conformance finding.
    pub fn is_runtime(&self) -> bool {
        !matches!(self, HarnessError::Mismatch(_))
    }

    /// True when the failure may pass on another try: no answer (unreachable, timed out, the
    /// connection failed) or a server error (5xx) where none was expected. Never a mismatch of a
    /// proper answer. `--retries` re-runs only scenarios that failed so.
    pub fn is_transient(&self) -> bool {
        match self {
            HarnessError::Unreachable { .. } | HarnessError::Timeout { .. } | HarnessError::Transport { .. } => true,
            HarnessError::Mismatch(mismatch) => mismatch.unexpected_server_error(),
            _ => false,
        }
    }

    /// A mismatch from a report.
    pub fn mismatch(m: crate::mismatch::Mismatch) -> Self {
        HarnessError::Mismatch(Box::new(m))
    }
}

/// Result with [`HarnessError`].
pub type Result<T, E = HarnessError> = std::result::Result<T, E>;
