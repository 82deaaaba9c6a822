//! What can go wrong with the run's container, each with its hint; a run reports it as the
//! harness's [`HarnessError::Environment`] ("the suite could not run", exit 2).

use crate::error::HarnessError;

/// Why the container target could not be started.
#[derive(Debug, thiserror::Error)]
pub(super) enum ContainerError {
    /// Nothing answers at the engine's address, or it refuses the client.
    #[error("--target container: no Docker engine answers at {host} ({reason})\n  hint: {}", engine_hint(reason))]
    NoEngine {
        /// The engine's address.
        host: String,
        /// What the client said.
        reason: String,
    },

    /// The locally built image is not there.
    #[error(
        "the image {image} is not on this machine\n  hint: build it with scripts/build-reference-image.sh{tag_flag}"
    )]
    ImageMissing {
        /// `name:tag`.
        image: String,
        /// ` --tag name:tag` when it is not the default tag, else empty.
        tag_flag: String,
    },

    /// The official image could not be pulled.
    #[error(
        "cannot pull {image}: {reason}\n  hint: the official image needs registry access (or `docker load`); without it, build this crate's reference server image with scripts/build-reference-image.sh and run with --image reference"
    )]
    Pull {
        /// `name:tag`.
        image: String,
        /// What the engine said.
        reason: String,
    },

    /// Creating or starting the container failed (what was created is removed).
    #[error("cannot start a container from {image}: {reason}{}", too_new(reason).map(|h| format!("\n  hint: {h}")).unwrap_or_default())]
    Start {
        /// `name:tag`.
        image: String,
        /// What testcontainers said.
        reason: String,
    },

    /// The container publishes no host port for the server's port.
    #[error("the container {name} has no host port for {port}")]
    NoPort {
        /// The container's name.
        name: String,
        /// `<port>/tcp`.
        port: String,
    },

    /// The container stopped before it was ready.
    #[error(
        "the {kind} container ({image}) stopped before it was ready (exit code {exit_code})\n  its last lines:\n{tail}"
    )]
    Stopped {
        /// `reference` or `nocobase`.
        kind: &'static str,
        /// `name:tag`.
        image: String,
        /// The container's exit code.
        exit_code: i64,
        /// Its last log lines, scrubbed and indented.
        tail: String,
    },

    /// The container did not become ready within `--ready-timeout`.
    #[error(
        "the {kind} container ({image}) was not ready after {secs}s: {last}\n  its last lines:\n{tail}\n  hint: NocoBase answers 503 while it starts (and its nginx 502 before that); its first start installs the database. Raise --ready-timeout."
    )]
    NotReady {
        /// `reference` or `nocobase`.
        kind: &'static str,
        /// `name:tag`.
        image: String,
        /// `--ready-timeout`.
        secs: u64,
        /// What the last check saw.
        last: String,
        /// Its last log lines, scrubbed and indented.
        tail: String,
    },
}

/// What to do about an engine that refuses the Docker API version the client sends.
fn too_new(reason: &str) -> Option<&'static str> {
    reason.contains("is too new").then_some(
        "this engine is older than the Docker API the client now asks for (a testcontainers or bollard upgrade?); keep the bollard that Cargo.lock pins, or upgrade the engine (README, Containers)",
    )
}

/// What to do when no engine answers.
fn engine_hint(reason: &str) -> &'static str {
    too_new(reason).unwrap_or("start Docker (e.g. `dockerd &`), or point DOCKER_HOST at an engine")
}

impl From<ContainerError> for HarnessError {
    fn from(error: ContainerError) -> Self {
        HarnessError::Environment(error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_engine_that_refuses_the_clients_version_says_what_to_do() {
        let error = ContainerError::NoEngine {
            host: "unix:///var/run/docker.sock".into(),
            reason: "Docker responded with status code 400: client version 1.53 is too new. Maximum supported API version is 1.41".into(),
        };
        let shown = error.to_string();
        assert!(shown.contains("client version 1.53 is too new"), "{shown}");
        assert!(shown.contains("keep the bollard that Cargo.lock pins"), "{shown}");
    }

    #[test]
    fn a_missing_socket_says_start_docker() {
        let error = ContainerError::NoEngine {
            host: "unix:///nonexistent/docker.sock".into(),
            reason: "Socket not found: No such file or directory".into(),
        };
        assert!(error.to_string().contains("start Docker"));
    }
}
