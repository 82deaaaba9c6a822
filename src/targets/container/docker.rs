//! The Docker engine as testcontainers finds it (`DOCKER_HOST`, else the local socket), asked
//! directly — through testcontainers' own client, its bollard re-export — only for what
//! testcontainers has no call for: whether it answers, whether an image is here, a container's
//! last log lines.

use std::time::Duration;

use futures::StreamExt as _;
use testcontainers::bollard::Docker;
use testcontainers::bollard::query_parameters::LogsOptions;
use testcontainers::core::client::docker_client_instance;

use super::error::ContainerError;
use crate::secret::scrub;

/// How long the engine may take to answer its first request.
const ENGINE_TIMEOUT: Duration = Duration::from_secs(10);
/// Log lines shown when a container does not become ready.
const LOG_TAIL: usize = 20;

/// testcontainers' client, once the engine answered: its version line. testcontainers reads the
/// engine's address from `DOCKER_HOST` alone; `host` (which the configuration checked is the
/// same) names it in messages.
pub(super) async fn connect(host: &str) -> Result<(Docker, String), ContainerError> {
    let no_engine = |reason: String| ContainerError::NoEngine { host: host.to_owned(), reason };
    let docker = docker_client_instance().await.map_err(|e| no_engine(e.to_string()))?;
    let version = match tokio::time::timeout(ENGINE_TIMEOUT, docker.version()).await {
        Ok(Ok(version)) => version,
        Ok(Err(e)) => return Err(no_engine(e.to_string())),
        Err(_) => return Err(no_engine(format!("no answer within {}s", ENGINE_TIMEOUT.as_secs()))),
    };
    let line =
        format!("Docker {} (API {})", version.version.unwrap_or_default(), version.api_version.unwrap_or_default());
    Ok((docker, line))
}

/// Whether a Docker engine answers at `host`: its version, or why not (one line).
pub async fn probe_engine(host: &str) -> Result<String, String> {
    connect(host).await.map(|(_, version)| version).map_err(|e| {
        let message = e.to_string();
        message.lines().next().unwrap_or_default().trim_start_matches("--target container: ").to_owned()
    })
}

/// Whether the image `name:tag` is on this machine.
pub(super) async fn has_image(docker: &Docker, image: &str) -> bool {
    docker.inspect_image(image).await.is_ok()
}

/// The last lines the container wrote (stdout and stderr, interleaved), scrubbed and indented.
pub(super) async fn log_tail(docker: &Docker, id: &str) -> String {
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
