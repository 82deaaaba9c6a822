//! When the started container is ready: its own "listening" line where the server prints one,
//! then `GET /api/__health_check` on 127.0.0.1 answering 200, all within `--ready-timeout`. A
//! container that stops, or a bound that runs out, is reported with the last answer and the
//! container's last log lines, while the container still exists to be asked.
//!
//! Not testcontainers' own `WaitFor`: it removes a container whose wait fails before returning
//! the error, taking its exit code with it, and its HTTP wait aims at the engine's host (on this
//! kind of machine the bridge gateway), not at the 127.0.0.1 the port is bound to.

use std::time::{Duration, Instant};

use testcontainers::bollard::Docker;
use testcontainers::{ContainerAsync, GenericImage};
use tokio::io::AsyncBufReadExt as _;

use super::ContainerImage;
use super::docker::log_tail;
use super::error::ContainerError;

/// How often the health path is polled.
const POLL: Duration = Duration::from_millis(250);
/// How often the container is asked whether it still runs.
const INSPECT: Duration = Duration::from_secs(1);

/// The container and what it runs.
pub(super) struct Started<'a> {
    /// testcontainers' client, for the log tail.
    pub docker: &'a Docker,
    /// The container.
    pub container: &'a ContainerAsync<GenericImage>,
    /// Its image.
    pub image: &'a ContainerImage,
}

impl Started<'_> {
    /// Waits until the container is ready on `127.0.0.1:port`, or stops, or `bound` runs out.
    pub(super) async fn wait(&self, port: u16, bound: Duration) -> Result<(), ContainerError> {
        let deadline = Instant::now() + bound;
        if let Some(line) = self.image.readiness.log_line {
            match tokio::time::timeout_at(deadline.into(), self.printed(line)).await {
                Ok(true) => {}
                // The log ended: the container stopped (or the stream broke; the poll tells).
                Ok(false) => {}
                Err(_) => return Err(self.not_ready(bound, format!("it has not printed {line:?}")).await),
            }
        }
        let url = format!("http://127.0.0.1:{port}{}", self.image.readiness.path);
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ContainerError::Start { image: self.image.full_name(), reason: e.to_string() })?;
        let mut next_inspect = Instant::now();
        loop {
            if Instant::now() >= next_inspect {
                next_inspect = Instant::now() + INSPECT;
                if let Some(stopped) = self.stopped().await {
                    return Err(stopped);
                }
            }
            let result = http.get(&url).send().await;
            if matches!(&result, Ok(r) if r.status().as_u16() == self.image.readiness.status) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                let last =
                    format!("GET {url} last gave {} (ready means {})", describe(&result), self.image.readiness.status);
                return Err(self.not_ready(bound, last).await);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Whether the container printed a line containing `line` on stdout before its log ended.
    async fn printed(&self, line: &str) -> bool {
        let mut lines = self.container.stdout(true).lines();
        while let Ok(Some(printed)) = lines.next_line().await {
            if printed.contains(line) {
                return true;
            }
        }
        false
    }

    /// The error to report if the container is no longer running.
    pub(super) async fn stopped(&self) -> Option<ContainerError> {
        let exit_code = self.container.exit_code().await.ok()??;
        Some(ContainerError::Stopped {
            kind: self.image.kind.name(),
            image: self.image.full_name(),
            exit_code,
            tail: log_tail(self.docker, self.container.id()).await,
        })
    }

    async fn not_ready(&self, bound: Duration, last: String) -> ContainerError {
        ContainerError::NotReady {
            kind: self.image.kind.name(),
            image: self.image.full_name(),
            secs: bound.as_secs(),
            last,
            tail: log_tail(self.docker, self.container.id()).await,
        }
    }
}

/// What polling the health path last saw.
fn describe(result: &Result<reqwest::Response, reqwest::Error>) -> String {
    match result {
        Ok(response) => format!("HTTP {}", response.status().as_u16()),
        Err(e) if e.is_timeout() => "no answer (timeout)".into(),
        Err(_) => "connection refused or reset (nothing listening yet)".into(),
    }
}
