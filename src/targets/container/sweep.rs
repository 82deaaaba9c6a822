//! The containers that runs killed outright (SIGKILL) left, found by the label naming the process
//! that started them (`<hostname>:<pid>`) and removed by the next run; and the removal of this
//! run's own after a start that failed half-way (a container created but never started stays
//! `Created`, and testcontainers keeps no handle on it).

use std::collections::HashMap;
use std::path::Path;

use testcontainers::bollard::Docker;
use testcontainers::bollard::errors::Error as BollardError;
use testcontainers::bollard::query_parameters::{ListContainersOptions, RemoveContainerOptions};

use super::OWNER_LABEL;
use crate::report::console::{say, warn};

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_owned())
        .unwrap_or_default()
}

/// The [`OWNER_LABEL`] of this process's containers.
pub(super) fn owner() -> String {
    format!("{}:{}", hostname(), std::process::id())
}

/// Removes a container (by id or name) and its anonymous volumes; one already gone counts as
/// removed. Says why it could not.
pub(super) async fn remove(docker: &Docker, container: &str) -> bool {
    let options = RemoveContainerOptions { force: true, v: true, ..Default::default() };
    match docker.remove_container(container, Some(options)).await {
        Ok(()) | Err(BollardError::DockerResponseServerError { status_code: 404, .. }) => true,
        Err(e) => {
            warn(&format!("cleanup: could not remove container {container}: {e}"));
            false
        }
    }
}

/// Removes the containers that runs on this machine left when they were killed (their owner
/// process is gone), and says so.
pub(super) async fn remove_orphans(docker: &Docker) {
    let filters = HashMap::from([("label".to_owned(), vec![OWNER_LABEL.to_owned()])]);
    let options = ListContainersOptions { all: true, filters: Some(filters), ..Default::default() };
    let here = hostname();
    for container in docker.list_containers(Some(options)).await.unwrap_or_default() {
        let owner = container.labels.as_ref().and_then(|l| l.get(OWNER_LABEL)).and_then(|o| o.rsplit_once(':'));
        let Some((_, pid)) = owner.filter(|(host, pid)| *host == here && !Path::new(&format!("/proc/{pid}")).exists())
        else {
            continue;
        };
        let name = container.names.as_ref().and_then(|n| n.first()).map(|n| n.trim_start_matches('/'));
        let Some(name) = name.or(container.id.as_deref()) else { continue };
        if remove(docker, name).await {
            say(&format!("Removed container {name}, left behind by an earlier run that was killed (process {pid})."));
        }
    }
}
