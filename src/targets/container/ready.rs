//! When the run's container is ready: its server's own "listening" line where it prints one,
//! then `GET /api/__health_check` on 127.0.0.1 answering 200, all within `--ready-timeout`. A
//! container that stops, or a bound that runs out, is reported with the exit code or the last
//! answer, and the container's last log lines, while the container is still there to ask.
//!
//! Not testcontainers' `WaitFor`: it removes a container whose wait fails before it returns the
//! error, exit code and log with it, and its HTTP wait aims at the engine's host address (on this
//! kind of machine the bridge gateway), not at the 127.0.0.1 the port is bound to.

use std::time::{Duration, Instant};

use testcontainers::bollard::Docker;
use testcontainers::{ContainerAsync, GenericImage};
use tokio::io::AsyncBufReadExt as _;

use super::docker::log_tail;
use super::{ContainerImage, HEALTH_PATH};
use crate::error::HarnessError;

const NOT_READY_HINT: &str = "\n  hint: NocoBase answers 503 while it starts (and its nginx 502 before that); its first start installs the database. Raise --ready-timeout.";

/// The run's container, and what it runs.
pub(super) struct Started<'a> {
    pub(super) docker: &'a Docker,
    pub(super) container: &'a ContainerAsync<GenericImage>,
    pub(super) image: &'a ContainerImage,
}

impl Started<'_> {
    /// Waits until the container is ready on `127.0.0.1:port`, or stops, or `bound` runs out.
    pub(super) async fn wait(&self, port: u16, bound: Duration) -> Result<(), HarnessError> {
        let (deadline, secs) = (Instant::now() + bound, bound.as_secs());
        if let Some(line) = self.image.ready_line {
            // A log that ends before the line (the container stopped) falls through to the poll,
            // which says so.
            if tokio::time::timeout_at(deadline.into(), self.printed(line)).await.is_err() {
                let what = format!("was not ready after {secs}s: it has not printed {line:?}");
                return Err(self.failed(&what, NOT_READY_HINT).await);
            }
        }
        let url = format!("http://127.0.0.1:{port}{HEALTH_PATH}");
        let http = crate::client::http()
            .timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| HarnessError::Environment(e.to_string()))?;
        let mut next_inspect = Instant::now();
        loop {
            if Instant::now() >= next_inspect {
                next_inspect = Instant::now() + Duration::from_secs(1);
                if let Some(stopped) = self.stopped().await {
                    return Err(stopped);
                }
            }
            let answer = http.get(&url).send().await;
            if matches!(&answer, Ok(r) if r.status() == reqwest::StatusCode::OK) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                let last = match &answer {
                    Ok(response) => format!("HTTP {}", response.status().as_u16()),
                    Err(e) if e.is_timeout() => "no answer (timeout)".into(),
                    Err(_) => "connection refused or reset (nothing listening yet)".into(),
                };
                let what = format!("was not ready after {secs}s: GET {url} last gave {last} (ready means 200)");
                return Err(self.failed(&what, NOT_READY_HINT).await);
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// Returns once the container printed a line containing `line` on stdout, or its log ended.
    async fn printed(&self, line: &str) {
        let mut lines = self.container.stdout(true).lines();
        while let Ok(Some(printed)) = lines.next_line().await {
            if printed.contains(line) {
                return;
            }
        }
    }

    /// The error to report if the container is no longer running.
    pub(super) async fn stopped(&self) -> Option<HarnessError> {
        let code = self.container.exit_code().await.ok()??;
        Some(self.failed(&format!("stopped before it was ready (exit code {code})"), "").await)
    }

    /// "the reference container (image) `what`", its last lines, and `hint`.
    async fn failed(&self, what: &str, hint: &str) -> HarnessError {
        let (kind, image) = (self.image.kind.name(), self.image.full_name());
        let tail = log_tail(self.docker, self.container.id()).await;
        HarnessError::Environment(format!("the {kind} container ({image}) {what}\n  its last lines:\n{tail}{hint}"))
    }
}
