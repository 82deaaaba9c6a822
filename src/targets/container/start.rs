//! Starting the run's container with testcontainers: the request an image of the catalogue
//! makes (its environment, so that secrets stay off the command line; its labels; its port bound
//! to a random port of 127.0.0.1 only), started and handed to the run, which removes it by
//! dropping it (testcontainers' own drop) unless `--keep` keeps it.

use std::collections::HashMap;
use std::time::Instant;

use testcontainers::bollard::models::PortBinding;
use testcontainers::core::IntoContainerPort as _;
use testcontainers::core::client::ClientError;
use testcontainers::runners::AsyncRunner as _;
use testcontainers::{ContainerRequest, GenericImage, ImageExt as _, TestcontainersError};
use url::Url;

use super::ready::Started;
use super::{ContainerImage, HEALTH_PATH, ImageKind, KIND_LABEL, OWNER_LABEL, REFERENCE_TAG, docker, interrupt, sweep};
use crate::error::{HarnessError, Result};
use crate::report::console::say;
use crate::secret::Secret;
use crate::targets::{Launch, Restart, RunningTarget};

/// A free port of 127.0.0.1 for the container: chosen here rather than by the engine, so that a
/// restart of the container (`@restart`) keeps it.
fn free_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")
        .map_err(|e| HarnessError::Environment(format!("no free port on 127.0.0.1: {e}")))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| HarnessError::Environment(e.to_string()))
}

/// What testcontainers is asked to start: `image` as the container `name`, on `host_port`.
fn request(image: &ContainerImage, name: &str, host_port: u16) -> ContainerRequest<GenericImage> {
    let exposed = image.exposed_port();
    let mut request = GenericImage::new(image.name.as_str(), image.tag.as_str())
        .with_exposed_port(image.port.tcp())
        .with_container_name(name)
        .with_label(OWNER_LABEL, sweep::owner())
        .with_label(KIND_LABEL, image.kind.name())
        // testcontainers publishes every port on all interfaces: this one, on 127.0.0.1 only.
        .with_host_config_modifier(move |host| {
            let binding = PortBinding { host_ip: Some("127.0.0.1".into()), host_port: Some(host_port.to_string()) };
            host.publish_all_ports = Some(false);
            host.port_bindings = Some(HashMap::from([(exposed.clone(), Some(vec![binding]))]));
        });
    for (key, value) in &image.env {
        request = request.with_env_var(key, value);
    }
    if image.cmd.is_empty() { request } else { request.with_cmd(&image.cmd) }
}

/// Makes sure a local image is here: it is never pulled (a registry could serve anything under
/// its name). testcontainers pulls the official one when it is missing.
async fn check_image(docker: &testcontainers::bollard::Docker, image: &ContainerImage) -> Result<()> {
    let full_name = image.full_name();
    if docker::has_image(docker, &full_name).await {
        return Ok(());
    } else if image.pullable {
        say(&format!("Pulling {full_name} (once per machine)…"));
        return Ok(());
    }
    let tag = if image.tag == REFERENCE_TAG { String::new() } else { format!(" --tag {full_name}") };
    Err(HarnessError::Environment(format!(
        "the image {full_name} is not on this machine\n  hint: build it with scripts/build-reference-image.sh{tag}"
    )))
}

/// The hint for a failed start.
fn start_hint(error: &TestcontainersError) -> String {
    let hint = match error {
        TestcontainersError::Client(ClientError::PullImage { .. }) => Some(
            "the official image needs registry access (or `docker load`); without it, build this crate's reference server image with scripts/build-reference-image.sh and run with --image reference",
        ),
        _ => docker::too_new(&error.to_string()),
    };
    hint.map(|h| format!("\n  hint: {h}")).unwrap_or_default()
}

/// Restarts the run's container (the engine keeps its port and its files).
pub async fn restart(host: &str, id: &str) -> Result<()> {
    let (docker, _) = docker::connect(host).await?;
    docker
        .restart_container(id, None::<testcontainers::bollard::query_parameters::RestartContainerOptions>)
        .await
        .map_err(|e| HarnessError::Environment(format!("the engine could not restart the container: {e}")))
}

/// Starts the container for a run and returns the target once it is ready.
pub async fn start(launch: Launch<'_>, kind: ImageKind, tag: Option<&str>, host: &str) -> Result<RunningTarget> {
    let (docker, _) = docker::connect(host).await?;
    let image = ContainerImage::for_run(kind, tag, launch);
    sweep::remove_orphans(&docker).await;
    let suffix: u32 = rand::RngExt::random(&mut rand::rng());
    let name = format!("nocobase-conformance-{}-{}-{suffix:08x}", kind.name(), std::process::id());
    check_image(&docker, &image).await?;

    let since = Instant::now();
    let container = match request(&image, &name, free_port()?).with_startup_timeout(launch.ready_timeout).start().await
    {
        Ok(container) => container,
        Err(e) => {
            // Created but never started (it stays `Created`), or not in time: testcontainers
            // keeps no handle on it.
            sweep::remove(&docker, &name).await;
            let (image, hint) = (image.full_name(), start_hint(&e));
            return Err(HarnessError::Environment(format!("cannot start a container from {image}: {e}{hint}")));
        }
    };
    // From here on, returning drops `container`, and testcontainers removes it.
    let started = Started { docker: &docker, container: &container, image: &image };
    let Ok(port) = container.get_host_port_ipv4(image.port.tcp()).await else {
        // A container that exited at once has no port mapping any more.
        let no_port =
            || HarnessError::Environment(format!("the container {name} has no host port for {}", image.exposed_port()));
        return Err(started.stopped().await.unwrap_or_else(no_port));
    };
    let full_name = image.full_name();
    say(&format!(
        "Started container {name} from {full_name} on 127.0.0.1:{port}; waiting for GET {HEALTH_PATH} to answer 200."
    ));
    started.wait(port, launch.ready_timeout).await?;
    say(&format!("Container ready {:.1}s after it started.", since.elapsed().as_secs_f64()));

    let container_id = container.id().to_owned();
    interrupt::quiet_console().map_err(|e| HarnessError::Environment(e.to_string()))?;
    // RunningTarget holds the container: testcontainers removes it when the run drops it.
    let _guard: Box<dyn Send + Sync> = if launch.keep {
        let id = &container.id()[..container.id().len().min(12)];
        say(&format!("Container {id} is kept after the run (--keep); remove it with `docker rm -f {id}`."));
        std::mem::forget(container);
        Box::new(())
    } else {
        Box::new(container)
    };
    let base_url =
        Url::parse(&format!("http://127.0.0.1:{port}/api")).map_err(|e| HarnessError::Environment(e.to_string()))?;
    let app_key = Some(launch.app_key.cloned().unwrap_or_else(|| Secret::new(super::TEST_APP_KEY)));
    let restart = Restart::Container { docker_host: host.to_owned(), id: container_id };
    Ok(RunningTarget { base_url, kind: "container", app_key, restart, _guard })
}
