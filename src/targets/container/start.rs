//! Starting the run's container with testcontainers: the request an image of the catalogue
//! makes (its environment — secrets stay off the command line —, its labels, its port bound to a
//! random port of 127.0.0.1), the start, and the guard that removes the container when the run
//! drops it (testcontainers' own drop), or keeps it with `--keep`.

use std::collections::HashMap;
use std::time::Instant;

use testcontainers::bollard::models::PortBinding;
use testcontainers::core::IntoContainerPort as _;
use testcontainers::runners::AsyncRunner as _;
use testcontainers::{ContainerAsync, ContainerRequest, GenericImage, ImageExt as _};
use url::Url;

use super::error::ContainerError;
use super::ready::Started;
use super::{ContainerImage, ImageKind, KIND_LABEL, OWNER_LABEL, REFERENCE_TAG, docker, interrupt, sweep};
use crate::error::{HarnessError, Result};
use crate::report::console::say;
use crate::secret::Secret;
use crate::targets::{Launch, RunningTarget};

/// What testcontainers is asked to start: `image` as the container `name`.
fn request(image: &ContainerImage, name: &str) -> ContainerRequest<GenericImage> {
    let exposed = image.exposed_port();
    let mut request = GenericImage::new(image.name.as_str(), image.tag.as_str())
        .with_exposed_port(image.port.tcp())
        .with_container_name(name)
        .with_label(OWNER_LABEL, sweep::owner())
        .with_label(KIND_LABEL, image.kind.name())
        // testcontainers publishes every port on all interfaces; this one port, on 127.0.0.1 only.
        .with_host_config_modifier(move |host| {
            let binding = PortBinding { host_ip: Some("127.0.0.1".into()), host_port: Some(String::new()) };
            host.publish_all_ports = Some(false);
            host.port_bindings = Some(HashMap::from([(exposed.clone(), Some(vec![binding]))]));
        });
    for (key, value) in &image.env {
        request = request.with_env_var(key, value);
    }
    if !image.cmd.is_empty() {
        request = request.with_cmd(&image.cmd);
    }
    request
}

/// Makes sure the image is on this machine: the official one is pulled (by testcontainers), the
/// local one explained.
async fn ensure_image(
    docker: &testcontainers::bollard::Docker,
    image: &ContainerImage,
    request: ContainerRequest<GenericImage>,
) -> Result<ContainerRequest<GenericImage>, ContainerError> {
    let full_name = image.full_name();
    if docker::has_image(docker, &full_name).await {
        return Ok(request);
    }
    if !image.pullable {
        let tag_flag = if image.tag == REFERENCE_TAG { String::new() } else { format!(" --tag {full_name}") };
        return Err(ContainerError::ImageMissing { image: full_name, tag_flag });
    }
    say(&format!("Pulling {full_name} (once per machine)…"));
    request.pull_image().await.map_err(|e| ContainerError::Pull { image: full_name, reason: e.to_string() })
}

/// Held by [`RunningTarget`]: dropping it removes the container (testcontainers' drop), unless
/// the run keeps it.
struct Guard {
    container: Option<ContainerAsync<GenericImage>>,
    keep: bool,
    quiet: tokio::task::JoinHandle<()>,
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.quiet.abort();
        let Some(container) = self.container.take() else { return };
        if self.keep {
            let id = &container.id()[..container.id().len().min(12)];
            say(&format!("Container {id} kept (--keep); remove it with `docker rm -f {id}`."));
            // testcontainers removes a container when its handle drops: this one is not dropped.
            std::mem::forget(container);
        }
    }
}

/// Starts the container for a run and returns the target once it is ready.
pub async fn start(launch: Launch<'_>, kind: ImageKind, tag: Option<&str>, host: &str) -> Result<RunningTarget> {
    let (docker, _) = docker::connect(host).await?;
    let image = ContainerImage::for_run(kind, tag, launch);
    sweep::remove_orphans(&docker).await;

    let suffix: u32 = rand::RngExt::random(&mut rand::rng());
    let name = format!("nocobase-conformance-{}-{}-{suffix:08x}", kind.name(), std::process::id());
    let request = ensure_image(&docker, &image, request(&image, &name)).await?;
    let since = Instant::now();
    let container = match request.with_startup_timeout(launch.ready_timeout).start().await {
        Ok(container) => container,
        Err(e) => {
            // Created but not started (it stays `Created`), or not started in time: testcontainers
            // keeps no handle on it.
            sweep::remove_own(&docker).await;
            return Err(ContainerError::Start { image: image.full_name(), reason: e.to_string() }.into());
        }
    };
    // From here on, an early return drops `container`, and testcontainers removes it.
    let started = Started { docker: &docker, container: &container, image: &image };
    let port = match container.get_host_port_ipv4(image.port.tcp()).await {
        Ok(port) => port,
        // A container that exited at once has no port mapping any more.
        Err(_) => {
            let stopped = started.stopped().await;
            return Err(stopped.unwrap_or(ContainerError::NoPort { name, port: image.exposed_port() }).into());
        }
    };
    say(&format!(
        "Started container {name} from {} on 127.0.0.1:{port}; waiting for GET {} to answer {}.",
        image.full_name(),
        image.readiness.path,
        image.readiness.status
    ));
    started.wait(port, launch.ready_timeout).await?;
    say(&format!("Container ready {:.1}s after it started.", since.elapsed().as_secs_f64()));

    let quiet = interrupt::quiet_console().map_err(|e| HarnessError::Environment(e.to_string()))?;
    let guard = Guard { container: Some(container), keep: launch.keep, quiet };
    let base_url =
        Url::parse(&format!("http://127.0.0.1:{port}/api")).map_err(|e| HarnessError::Environment(e.to_string()))?;
    let app_key = Some(launch.app_key.cloned().unwrap_or_else(|| Secret::new(super::TEST_APP_KEY)));
    Ok(RunningTarget { base_url, kind: "container", app_key, _guard: Box::new(guard) })
}
