//! Where the suite runs: the embedded reference server, a live deployment, or a container. Each
//! target ends up as a [`RunningTarget`]: an API base URL, checked by [`readiness`] before any
//! scenario runs, and a guard that stops what was started when dropped; and how it restarts
//! ([`Restart`]) for the scenarios that check what outlives a restart (`@restart`).

pub mod container;
pub mod embedded;
pub mod readiness;

use std::sync::Arc;
use std::time::Duration;

use url::Url;

use self::container::ImageKind;
use self::embedded::EmbeddedServer;
use crate::client::NocoClient;
use crate::error::{HarnessError, Result};
use crate::secret::Secret;

/// Where the suite runs.
#[derive(Debug, Clone)]
pub enum TargetSpec {
    /// The reference server in this process.
    Embedded,
    /// A running server at this API base URL.
    Live(Url),
    /// A container started for the run.
    Container {
        /// Which server's image.
        image: ImageKind,
        /// Another tag than the image's pinned one.
        tag: Option<String>,
        /// The Docker engine's address (`unix:///var/run/docker.sock`, `tcp://…`).
        docker_host: String,
    },
}

/// What starting a target takes from the run: the admin account a started server gets as its
/// root user, the app key, how long it may take to be ready, and whether to keep it afterwards.
#[derive(Debug, Clone, Copy)]
pub struct Launch<'a> {
    /// The admin account (username or email).
    pub account: &'a str,
    /// Its password.
    pub password: &'a Secret,
    /// The app key (JWT secret) given with `--app-key`, if any.
    pub app_key: Option<&'a Secret>,
    /// How long a starting target may answer 503.
    pub ready_timeout: Duration,
    /// Leave a started container in place.
    pub keep: bool,
    /// The shell command that restarts a live deployment (`--restart-command`).
    pub restart_command: Option<&'a str>,
}

/// A target the suite can talk to.
pub struct RunningTarget {
    /// API base URL (`http://127.0.0.1:13000/api`).
    pub base_url: Url,
    /// `embedded`, `live` or `container`.
    pub kind: &'static str,
    /// The target's APP_KEY, when the suite knows it.
    pub app_key: Option<Secret>,
    /// How it restarts, for the `@restart` scenarios.
    pub restart: Restart,
    /// Keeps started servers alive; dropping it stops them.
    _guard: Box<dyn Send + Sync>,
}

impl std::fmt::Debug for RunningTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RunningTarget({} at {})", self.kind, self.base_url)
    }
}

impl RunningTarget {
    /// A target that needs no cleanup (a live deployment), restarted with `restart_command`.
    pub fn live(base_url: Url, app_key: Option<Secret>, restart_command: Option<&str>) -> Self {
        let restart = match restart_command {
            Some(command) => Restart::Command(command.to_owned()),
            None => Restart::Unable("needs --restart-command to restart the deployment"),
        };
        Self { base_url, kind: "live", app_key, restart, _guard: Box::new(()) }
    }
}

/// Starts (or points at) the target.
pub async fn start(spec: &TargetSpec, launch: Launch<'_>) -> Result<RunningTarget> {
    match spec {
        TargetSpec::Embedded => embedded::start(launch).await,
        TargetSpec::Live(url) => Ok(RunningTarget::live(url.clone(), launch.app_key.cloned(), launch.restart_command)),
        TargetSpec::Container { image, tag, docker_host } => {
            container::start(launch, *image, tag.as_deref(), docker_host).await
        }
    }
}

/// How a target restarts, if it can.
#[derive(Debug, Clone)]
pub enum Restart {
    /// The embedded reference server.
    Embedded(Arc<EmbeddedServer>),
    /// A container: the engine restarts it.
    Container {
        /// The engine's address.
        docker_host: String,
        /// The container's id.
        id: String,
    },
    /// A live deployment: a shell command that restarts it (`--restart-command`).
    Command(String),
    /// It cannot: why.
    Unable(&'static str),
}

impl Restart {
    /// Why the target cannot restart, if it cannot.
    pub fn missing(&self) -> Option<&'static str> {
        match self {
            Restart::Unable(why) => Some(why),
            _ => None,
        }
    }

    /// Restarts the target and waits until it answers again (`ready_timeout` at most).
    pub async fn restart(&self, client: &NocoClient, ready_timeout: Duration) -> Result<()> {
        match self {
            Restart::Embedded(server) => server.restart().await?,
            Restart::Container { docker_host, id } => container::restart(docker_host, id).await?,
            Restart::Command(command) => {
                let status = tokio::process::Command::new("sh")
                    .arg("-c")
                    .arg(command)
                    .kill_on_drop(true)
                    .status()
                    .await
                    .map_err(|e| HarnessError::Environment(format!("cannot run the --restart-command: {e}")))?;
                if !status.success() {
                    return Err(HarnessError::Environment(format!("the --restart-command failed ({status})")));
                }
            }
            Restart::Unable(why) => return Err(HarnessError::Environment((*why).to_owned())),
        }
        readiness::wait_until_ready(client, ready_timeout).await
    }
}
