//! Containers found by the label naming the process that started them (`<hostname>:<pid>`):
//! those that runs killed outright (SIGKILL) left, removed by the next run, and this run's own
//! after a start that failed half-way (a container testcontainers created but could not start
//! stays `Created`, and testcontainers keeps no handle on it).

use std::collections::HashMap;

use testcontainers::bollard::Docker;
use testcontainers::bollard::errors::Error as BollardError;
use testcontainers::bollard::models::ContainerSummary;
use testcontainers::bollard::query_parameters::{ListContainersOptions, RemoveContainerOptions};

use super::OWNER_LABEL;
use crate::report::console::{say, warn};

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_owned())
        .unwrap_or_default()
}

/// The [`OWNER_LABEL`] value of this process's containers.
pub(super) fn owner() -> String {
    format!("{}:{}", hostname(), std::process::id())
}

/// Containers, running or not, carrying the label filter `label` (`KEY` or `KEY=VALUE`).
async fn labelled(docker: &Docker, label: &str) -> Vec<ContainerSummary> {
    let filters = HashMap::from([("label".to_owned(), vec![label.to_owned()])]);
    let options = ListContainersOptions { all: true, filters: Some(filters), ..Default::default() };
    docker.list_containers(Some(options)).await.unwrap_or_default()
}

/// Removes a container, its anonymous volumes included; one already gone counts as removed.
async fn remove(docker: &Docker, id: &str) -> Result<(), BollardError> {
    let options = RemoveContainerOptions { force: true, v: true, ..Default::default() };
    match docker.remove_container(id, Some(options)).await {
        Err(BollardError::DockerResponseServerError { status_code: 404, .. }) => Ok(()),
        other => other,
    }
}

fn name(container: &ContainerSummary) -> &str {
    let id = container.id.as_deref().unwrap_or_default();
    container.names.as_ref().and_then(|n| n.first()).map_or(id, |n| n.trim_start_matches('/'))
}

/// Removes the containers that earlier runs on this machine left when they were killed: their
/// owner label names a process that no longer exists. Says what it removed.
pub(super) async fn remove_orphans(docker: &Docker) {
    let here = hostname();
    for container in labelled(docker, OWNER_LABEL).await {
        let Some(owner) = container.labels.as_ref().and_then(|l| l.get(OWNER_LABEL)) else { continue };
        let Some((host, pid)) = owner.rsplit_once(':') else { continue };
        if host != here || std::path::Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        let Some(id) = container.id.as_deref() else { continue };
        if remove(docker, id).await.is_ok() {
            let name = name(&container);
            say(&format!("Removed container {name}, left behind by an earlier run that was killed (process {pid})."));
        }
    }
}

/// Removes this process's containers (after a failed start).
pub(super) async fn remove_own(docker: &Docker) {
    for container in labelled(docker, &format!("{OWNER_LABEL}={}", owner())).await {
        let Some(id) = container.id.as_deref() else { continue };
        if let Err(e) = remove(docker, id).await {
            warn(&format!("cleanup: could not remove container {}: {e}", name(&container)));
        }
    }
}
