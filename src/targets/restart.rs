//! Restarting the target in the middle of a run, for the scenarios that check what outlives a
//! restart (`@restart`): the embedded server restarts on its database file, a container is
//! restarted by the engine (on the same host port), a live deployment with the user's
//! `--restart-command`. Afterwards the run waits until the target is ready again.

use std::sync::Arc;
use std::time::Duration;

use super::embedded::EmbeddedServer;
use super::readiness;
use crate::client::NocoClient;
use crate::error::{HarnessError, Result};

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
            Restart::Container { docker_host, id } => super::container::restart(docker_host, id).await?,
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
