//! The Docker engine as testcontainers finds it (`DOCKER_HOST`, else the local socket), asked
//! directly, through testcontainers' own client (its bollard re-export), only for what
//! testcontainers has no call for: whether it answers, whether an image is here, a container's
//! last log lines.

use std::time::Duration;

use futures::StreamExt as _;
use testcontainers::bollard::Docker;
use testcontainers::bollard::query_parameters::LogsOptions;
use testcontainers::core::client::docker_client_instance;

use crate::error::HarnessError;
use crate::secret::scrub;

/// testcontainers' client, and the engine's version, once the engine (which `host` names) answered.
pub(super) async fn connect(host: &str) -> Result<(Docker, String), HarnessError> {
    let answer = match docker_client_instance().await {
        Ok(docker) => match tokio::time::timeout(Duration::from_secs(10), docker.version()).await {
            Ok(Ok(v)) => {
                let version =
                    format!("Docker {} (API {})", v.version.unwrap_or_default(), v.api_version.unwrap_or_default());
                return Ok((docker, version));
            }
            Ok(Err(e)) => e.to_string(),
            Err(_) => "no answer within 10s".to_owned(),
        },
        Err(e) => e.to_string(),
    };
    let hint = too_new(&answer).unwrap_or("start Docker (e.g. `dockerd &`), or point DOCKER_HOST at an engine");
    Err(HarnessError::Environment(format!(
        "--target container: no Docker engine answers at {host} ({answer})\n  hint: {hint}"
    )))
}

/// What to do when the engine refuses the Docker API version the client asks for.
pub(super) fn too_new(answer: &str) -> Option<&'static str> {
    answer.contains("is too new").then_some(
        "the engine is older than the Docker API the client asks for (a testcontainers or bollard upgrade?): keep the bollard Cargo.lock pins, or upgrade the engine (README, Containers)",
    )
}

/// Whether a Docker engine answers at `host`: its version, or why not (one line).
pub async fn probe_engine(host: &str) -> Result<String, String> {
    connect(host).await.map(|(_, version)| version).map_err(|e| e.to_string().lines().next().unwrap_or_default().into())
}

/// Whether the image `name:tag` is on this machine.
pub(super) async fn has_image(docker: &Docker, image: &str) -> bool {
    docker.inspect_image(image).await.is_ok()
}

/// The container's last 20 lines (stdout and stderr, interleaved), scrubbed and indented.
pub(super) async fn log_tail(docker: &Docker, id: &str) -> String {
    let options = LogsOptions { stdout: true, stderr: true, tail: "20".into(), ..Default::default() };
    let mut text = String::new();
    let mut stream = docker.logs(id, Some(options));
    while let Some(Ok(chunk)) = stream.next().await {
        text.push_str(&String::from_utf8_lossy(&chunk.into_bytes()));
    }
    let lines: Vec<String> =
        text.lines().filter(|l| !l.trim().is_empty()).map(|l| format!("  | {}", scrub(l))).collect();
    if lines.is_empty() { "  (the container wrote nothing)".into() } else { lines.join("\n") }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_engine_refusing_the_clients_api_version_gets_a_hint() {
        let refused = "Docker responded with status code 400: client version 1.53 is too new. Maximum supported API version is 1.41";
        assert!(super::too_new(refused).is_some_and(|hint| hint.contains("keep the bollard Cargo.lock pins")));
        assert_eq!(super::too_new("Socket not found: No such file or directory"), None);
    }
}
