//! Where the suite runs: the embedded reference server, a live deployment, or a container. Each
//! target ends up as a [`RunningTarget`]: an API base URL, checked by [`readiness`] before any
//! scenario runs, and a guard that stops what was started when dropped.

pub mod container;
mod embedded;
pub mod readiness;

use url::Url;

use crate::config::{RunConfig, TargetSpec};
use crate::error::Result;
use crate::secret::Secret;

/// A target the suite can talk to.
pub struct RunningTarget {
    /// API base URL (`http://127.0.0.1:13000/api`).
    pub base_url: Url,
    /// `embedded`, `live` or `container`.
    pub kind: &'static str,
    /// The target's APP_KEY, when the suite knows it.
    pub app_key: Option<Secret>,
    /// Keeps started servers alive; dropping it stops them.
    _guard: Box<dyn Send + Sync>,
}

impl std::fmt::Debug for RunningTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RunningTarget({} at {})", self.kind, self.base_url)
    }
}

impl RunningTarget {
    /// A target that needs no cleanup (a live deployment).
    pub fn live(base_url: Url, app_key: Option<Secret>) -> Self {
        Self { base_url, kind: "live", app_key, _guard: Box::new(()) }
    }
}

/// Starts (or points at) the configured target.
pub async fn start(config: &RunConfig) -> Result<RunningTarget> {
    match &config.target {
        TargetSpec::Embedded => embedded::start(config).await,
        TargetSpec::Live(url) => Ok(RunningTarget::live(url.clone(), config.app_key.clone())),
        TargetSpec::Container { image, tag, docker_host } => {
            container::start(config, *image, tag.as_deref(), docker_host).await
        }
    }
}
