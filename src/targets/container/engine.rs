//! Talking to the Docker engine through bollard: probe, start, wait, remove.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use bollard::Docker;
use bollard::models::{ContainerCreateBody, HostConfig, PortBinding};
use bollard::query_parameters::{
    CreateContainerOptions, CreateImageOptions, ListContainersOptions, LogsOptions, RemoveContainerOptions,
};
use futures::StreamExt as _;
use url::Url;

use super::{ContainerImage, ImageKind, KIND_LABEL, OWNER_LABEL};
use crate::error::{HarnessError, Result};
use crate::report::console::{say, warn};
use crate::secret::{Secret, scrub};
use crate::targets::Launch;
use crate::targets::RunningTarget;

/// How often a starting container is polled.
const POLL: Duration = Duration::from_millis(250);
/// How long the engine may take to answer its first request.
const ENGINE_TIMEOUT: Duration = Duration::from_secs(10);
/// Log lines shown when a container does not become ready.
const LOG_TAIL: usize = 20;

/// Connects to the engine at `host` and agrees on an API version.
async fn connect(host: &str) -> std::result::Result<Docker, String> {
    let docker = Docker::connect_with_host(host).map_err(|e| e.to_string())?;
    match tokio::time::timeout(ENGINE_TIMEOUT, docker.negotiate_version()).await {
        Ok(Ok(docker)) => Ok(docker),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("no answer within {}s", ENGINE_TIMEOUT.as_secs())),
    }
}

/// Whether a Docker engine answers at `host`: its version, or why not (one line).
pub async fn probe_engine(host: &str) -> std::result::Result<String, String> {
    let docker = connect(host).await.map_err(|e| format!("no Docker engine answers at {host} ({e})"))?;
    let version = docker.version().await.map_err(|e| format!("the Docker engine at {host} failed: {e}"))?;
    Ok(format!("Docker {} (API {})", version.version.unwrap_or_default(), version.api_version.unwrap_or_default()))
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_owned())
        .unwrap_or_default()
}

fn owner() -> String {
    format!("{}:{}", hostname(), std::process::id())
}

/// Removes a container, its anonymous volumes included.
async fn remove(docker: &Docker, id: &str) -> std::result::Result<(), bollard::errors::Error> {
    let options = RemoveContainerOptions { force: true, v: true, ..Default::default() };
    match docker.remove_container(id, Some(options)).await {
        Err(bollard::errors::Error::DockerResponseServerError { status_code: 404, .. }) => Ok(()),
        other => other,
    }
}

/// Removes containers that earlier runs on this machine left behind when they were killed
/// outright: their owner label names a process that no longer exists.
async fn remove_orphans(docker: &Docker) {
    let filters = HashMap::from([("label".to_owned(), vec![OWNER_LABEL.to_owned()])]);
    let options = ListContainersOptions { all: true, filters: Some(filters), ..Default::default() };
    let Ok(containers) = docker.list_containers(Some(options)).await else { return };
    let here = hostname();
    for container in containers {
        let Some(owner) = container.labels.as_ref().and_then(|l| l.get(OWNER_LABEL)) else { continue };
        let Some((host, pid)) = owner.rsplit_once(':') else { continue };
        if host != here || std::path::Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        let Some(id) = container.id.as_deref() else { continue };
        let name = container.names.as_ref().and_then(|n| n.first()).map_or(id, |n| n.trim_start_matches('/'));
        if remove(docker, id).await.is_ok() {
            say(&format!("Removed container {name}, left behind by an earlier run that was killed (process {pid})."));
        }
    }
}

/// Makes sure the image is on this machine: pulls the official one, explains how to build
/// the local one.
async fn ensure_image(docker: &Docker, image: &ContainerImage) -> Result<()> {
    let reference = image.full_name();
    if docker.inspect_image(&reference).await.is_ok() {
        return Ok(());
    }
    if !image.pullable {
        return Err(HarnessError::Environment(format!(
            "the image {reference} is not on this machine\n  hint: build it with scripts/build-reference-image.sh{}",
            if image.tag == super::REFERENCE_TAG { String::new() } else { format!(" --tag {reference}") }
        )));
    }
    say(&format!("Pulling {reference} (once per machine)…"));
    let options =
        CreateImageOptions { from_image: Some(image.name.clone()), tag: Some(image.tag.clone()), ..Default::default() };
    let mut progress = docker.create_image(Some(options), None, None);
    while let Some(step) = progress.next().await {
        if let Err(e) = step {
            return Err(HarnessError::Environment(format!(
                "cannot pull {reference}: {e}\n  hint: the official image needs registry access (or `docker load`); without it, build this crate's reference server image with scripts/build-reference-image.sh and run with --image reference"
            )));
        }
    }
    Ok(())
}

/// The last lines the container wrote.
async fn log_tail(docker: &Docker, id: &str) -> String {
    let options = LogsOptions { stdout: true, stderr: true, tail: LOG_TAIL.to_string(), ..Default::default() };
    let mut lines = String::new();
    let mut stream = docker.logs(id, Some(options));
    while let Some(Ok(chunk)) = stream.next().await {
        lines.push_str(&String::from_utf8_lossy(&chunk.into_bytes()));
    }
    let lines: Vec<&str> = lines.lines().filter(|l| !l.trim().is_empty()).collect();
    if lines.is_empty() {
        return "  (the container wrote nothing)".into();
    }
    lines.iter().map(|l| format!("  | {}", scrub(l))).collect::<Vec<_>>().join("\n")
}

/// Where the run's container is in its life. Shared by the guard and the signal watcher, so
/// that exactly one of them removes it and the other waits until that is done.
enum Life {
    /// Not created yet.
    Unborn,
    /// Created: its id.
    Alive(String),
    /// Being removed.
    Removing,
    /// Removed, or kept with --keep.
    Gone,
}

/// The container's [`Life`], and how to remove it.
struct Container {
    docker: Docker,
    life: Mutex<Life>,
    changed: Condvar,
    /// The exit code of the signal that interrupted the run (130, 143), or 0.
    interrupted: AtomicI32,
}

impl Container {
    fn born(&self, id: &str) {
        if let Ok(mut life) = self.life.lock() {
            *life = Life::Alive(id.to_owned());
        }
    }

    /// Removes the container unless it is already gone; if another thread is removing it,
    /// waits for that. Blocks: call it off the async runtime's threads, or where blocking is
    /// acceptable (a drop at the end of the run).
    fn remove_now(&self) {
        let Ok(mut life) = self.life.lock() else { return };
        loop {
            match std::mem::replace(&mut *life, Life::Removing) {
                Life::Alive(id) => {
                    drop(life);
                    if let Err(e) = remove_blocking(&self.docker, &id) {
                        warn(&format!("cleanup: could not remove container {}: {e}", short(&id)));
                    }
                    if let Ok(mut life) = self.life.lock() {
                        *life = Life::Gone;
                    }
                    self.changed.notify_all();
                    return;
                }
                Life::Removing => match self.changed.wait(life) {
                    Ok(guard) => life = guard,
                    Err(_) => return,
                },
                Life::Unborn | Life::Gone => {
                    *life = Life::Gone;
                    return;
                }
            }
        }
    }

    /// Leaves the container running (--keep): its id, if it was created.
    fn keep(&self) -> Option<String> {
        let mut life = self.life.lock().ok()?;
        match std::mem::replace(&mut *life, Life::Gone) {
            Life::Alive(id) => Some(id),
            other => {
                *life = other;
                None
            }
        }
    }
}

/// Removes a container from a thread of its own (with its own runtime), so that it works
/// from a drop or a signal, inside the run's runtime or outside it.
fn remove_blocking(docker: &Docker, id: &str) -> std::result::Result<(), String> {
    let (docker, id) = (docker.clone(), id.to_owned());
    let removal = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
        runtime.block_on(remove(&docker, &id)).map_err(|e| e.to_string())
    });
    removal.join().unwrap_or_else(|_| Err("the removal thread panicked".into()))
}

/// Held by [`RunningTarget`]: removes the container when dropped.
struct ContainerGuard {
    container: Arc<Container>,
    keep: bool,
    signals: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for ContainerGuard {
    fn drop(&mut self) {
        let interrupted = self.container.interrupted.load(Ordering::SeqCst);
        if let Some(task) = self.signals.take().filter(|_| interrupted == 0) {
            task.abort();
        }
        if interrupted != 0 {
            // The signal watcher is removing the container: wait for it, then end as it would.
            self.container.remove_now();
            std::process::exit(interrupted);
        }
        if self.keep {
            if let Some(id) = self.container.keep() {
                say(&format!("Container {} kept (--keep); remove it with `docker rm -f {}`.", short(&id), short(&id)));
            }
            return;
        }
        self.container.remove_now();
    }
}

fn short(id: &str) -> &str {
    &id[..id.len().min(12)]
}

/// On SIGINT or SIGTERM: remove the container (if it exists yet), then end the process as
/// the signal would have (exit 130 or 143).
fn watch_signals(container: Arc<Container>) -> Result<tokio::task::JoinHandle<()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt()).map_err(|e| HarnessError::Environment(e.to_string()))?;
    let mut terminate = signal(SignalKind::terminate()).map_err(|e| HarnessError::Environment(e.to_string()))?;
    Ok(tokio::spawn(async move {
        let code = tokio::select! {
            _ = interrupt.recv() => 130,
            _ = terminate.recv() => 143,
        };
        container.interrupted.store(code, Ordering::SeqCst);
        let _ = tokio::task::spawn_blocking(move || {
            // Holding stdout stops the report here: the scenarios still running would
            // otherwise fail one after another on the console once the server is gone.
            let _quiet = std::io::stdout().lock();
            warn("\ninterrupted: removing the container, then stopping");
            container.remove_now();
            std::process::exit(code);
        })
        .await;
    }))
}

/// What polling the health path last saw.
fn describe(result: &std::result::Result<reqwest::Response, reqwest::Error>) -> String {
    match result {
        Ok(response) => format!("HTTP {}", response.status().as_u16()),
        Err(e) if e.is_timeout() => "no answer (timeout)".into(),
        Err(_) => "connection refused or reset (nothing listening yet)".into(),
    }
}

/// The error to report if the container is no longer running.
async fn stopped(docker: &Docker, id: &str, image: &ContainerImage) -> Option<HarnessError> {
    let state = docker.inspect_container(id, None).await.ok()?.state?;
    if state.running != Some(false) {
        return None;
    }
    Some(HarnessError::Environment(format!(
        "the {} container ({}) stopped before it was ready (exit code {}){}\n  its last lines:\n{}",
        image.kind.name(),
        image.full_name(),
        state.exit_code.unwrap_or_default(),
        state.error.filter(|e| !e.is_empty()).map(|e| format!(": {e}")).unwrap_or_default(),
        log_tail(docker, id).await
    )))
}

/// Waits until the container answers its readiness check, or exits, or the bound runs out.
async fn wait_ready(docker: &Docker, id: &str, image: &ContainerImage, url: &str, bound: Duration) -> Result<Duration> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| HarnessError::Environment(e.to_string()))?;
    let started = Instant::now();
    let mut next_inspect = Instant::now();
    loop {
        let result = http.get(url).send().await;
        if matches!(&result, Ok(r) if r.status().as_u16() == image.readiness.status) {
            return Ok(started.elapsed());
        }
        let last = describe(&result);
        if Instant::now() >= next_inspect {
            next_inspect = Instant::now() + Duration::from_secs(1);
            if let Some(stopped) = stopped(docker, id, image).await {
                return Err(stopped);
            }
        }
        if started.elapsed() >= bound {
            return Err(HarnessError::Environment(format!(
                "the {} container ({}) was not ready after {}s: GET {url} last gave {last} (ready means {})\n  its last lines:\n{}\n  hint: NocoBase answers 503 while it starts (and its nginx 502 before that); its first start installs the database. Raise --ready-timeout.",
                image.kind.name(),
                image.full_name(),
                bound.as_secs(),
                image.readiness.status,
                log_tail(docker, id).await
            )));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Starts the container for a run and returns the target once it is ready.
pub async fn start(launch: Launch<'_>, kind: ImageKind, tag: Option<&str>, host: &str) -> Result<RunningTarget> {
    let docker = connect(host).await.map_err(|e| {
        HarnessError::Environment(format!(
            "--target container: no Docker engine answers at {host} ({e})\n  hint: start Docker (e.g. `dockerd &`), or point --docker-host / DOCKER_HOST at an engine"
        ))
    })?;
    let image = ContainerImage::for_run(kind, tag, launch);
    remove_orphans(&docker).await;
    ensure_image(&docker, &image).await?;

    let container = Arc::new(Container {
        docker: docker.clone(),
        life: Mutex::new(Life::Unborn),
        changed: Condvar::new(),
        interrupted: AtomicI32::new(0),
    });
    let signals = watch_signals(Arc::clone(&container))?;
    let mut guard = ContainerGuard { container: Arc::clone(&container), keep: false, signals: Some(signals) };

    let suffix: u32 = rand::RngExt::random(&mut rand::rng());
    let name = format!("nocobase-conformance-{}-{}-{suffix:08x}", kind.name(), std::process::id());
    let labels = HashMap::from([(OWNER_LABEL.to_owned(), owner()), (KIND_LABEL.to_owned(), kind.name().to_owned())]);
    let binding = PortBinding { host_ip: Some("127.0.0.1".into()), host_port: Some(String::new()) };
    let body = ContainerCreateBody {
        image: Some(image.full_name()),
        cmd: (!image.cmd.is_empty()).then(|| image.cmd.clone()),
        env: Some(image.env_list()),
        exposed_ports: Some(vec![image.exposed_port()]),
        labels: Some(labels),
        host_config: Some(HostConfig {
            port_bindings: Some(HashMap::from([(image.exposed_port(), Some(vec![binding]))])),
            ..Default::default()
        }),
        ..Default::default()
    };
    let options = CreateContainerOptions { name: Some(name.clone()), ..Default::default() };
    let created = docker
        .create_container(Some(options), body)
        .await
        .map_err(|e| HarnessError::Environment(format!("cannot create a container from {}: {e}", image.full_name())))?;
    container.born(&created.id);
    let started = Instant::now();
    docker
        .start_container(&created.id, None)
        .await
        .map_err(|e| HarnessError::Environment(format!("cannot start the container {name}: {e}")))?;
    let port = docker
        .inspect_container(&created.id, None)
        .await
        .ok()
        .and_then(|c| c.network_settings?.ports?.get(&image.exposed_port()).cloned().flatten())
        .and_then(|bindings| bindings.into_iter().find_map(|b| b.host_port?.parse::<u16>().ok()));
    let Some(port) = port else {
        // A container that exited at once has no port mapping any more.
        return Err(stopped(&docker, &created.id, &image).await.unwrap_or_else(|| {
            HarnessError::Environment(format!("the container {name} has no host port for {}", image.exposed_port()))
        }));
    };
    let health = format!("http://127.0.0.1:{port}{}", image.readiness.path);
    say(&format!(
        "Started container {name} from {} on 127.0.0.1:{port}; waiting for GET {} to answer {}.",
        image.full_name(),
        image.readiness.path,
        image.readiness.status
    ));
    wait_ready(&docker, &created.id, &image, &health, launch.ready_timeout).await?;
    say(&format!("Container ready {:.1}s after it started.", started.elapsed().as_secs_f64()));

    guard.keep = launch.keep;
    let base_url =
        Url::parse(&format!("http://127.0.0.1:{port}/api")).map_err(|e| HarnessError::Environment(e.to_string()))?;
    let app_key = Some(launch.app_key.cloned().unwrap_or_else(|| Secret::new(super::TEST_APP_KEY)));
    Ok(RunningTarget { base_url, kind: "container", app_key, _guard: Box::new(guard) })
}
