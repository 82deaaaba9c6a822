//! The container target: the server under test in a Docker container, started for the run and
//! removed after it, whether the run passed, failed or was interrupted (Ctrl-C, SIGTERM).
//!
//! [testcontainers](https://docs.rs/testcontainers) runs the container: it creates and starts
//! it, removes it when the run drops it and, through its `watchdog`, when SIGINT or SIGTERM
//! arrives. This module keeps what testcontainers has no notion of — the image catalogue here:
//! two images ([`ImageKind`]), each a [`ContainerImage`] with a pinned tag (never `latest`), its
//! environment and command, the port it listens on and the line it prints once it listens:
//!
//! - `nocobase`: the official `nocobase/nocobase` image at [`NOCOBASE_TAG`], on SQLite, with a
//!   fixed test `APP_KEY` and the run's admin as its root user. It is pulled when missing.
//! - `reference`: the project's own reference server, `FROM scratch`
//!   (`docker/reference/Dockerfile`), built locally by `scripts/build-reference-image.sh`; never
//!   pulled.
//!
//! — and, with the `containers` feature: `start` (the request: a random host port on 127.0.0.1,
//! labels naming the process that started it), `ready` (its log line, then
//! `GET /api/__health_check`; what went wrong, with the container's last log lines), `sweep`
//! (what killed runs left, found by label), `interrupt` (a quiet console while the watchdog
//! removes the container) and `docker` (what is asked of the engine directly, through
//! testcontainers' own client).

use std::collections::BTreeMap;

use super::Launch;
use crate::secret::Secret;

/// The official image's repository.
pub const NOCOBASE_IMAGE: &str = "nocobase/nocobase";
/// The official image's pinned tag: the NocoBase release the snapshots were recorded against.
pub const NOCOBASE_TAG: &str = "2.2.15";
/// The port NocoBase's image listens on: its nginx, in front of the app on 13000 (2.x images).
pub const NOCOBASE_PORT: u16 = 80;
/// Where the official image keeps its SQLite database.
pub const NOCOBASE_DB_STORAGE: &str = "storage/db/nocobase.sqlite";
/// The reference server image's repository, as `scripts/build-reference-image.sh` tags it.
pub const REFERENCE_IMAGE: &str = "nocobase-conformance/reference";
/// The reference server image's tag: the crate's version.
pub const REFERENCE_TAG: &str = env!("CARGO_PKG_VERSION");
/// Where the reference server keeps its data inside its container: a file, so that a restart of
/// the container (`@restart`) keeps it, as NocoBase's own image does.
pub const REFERENCE_DATABASE: &str = "/tmp/reference.sqlite";
/// The port the reference server listens on inside its container.
pub const REFERENCE_PORT: u16 = 13000;
/// What the reference server prints on stdout once it listens (`… listening on http://…/api`).
pub const REFERENCE_LISTENING: &str = "listening on http://";
/// The APP_KEY (JWT secret) of a container started for a run, unless `--app-key` gives another.
/// A test value: the container lives for one run.
pub const TEST_APP_KEY: &str = "lab-test-app-key-0123456789abcdef";
/// A started container is ready once this path answers 200 (NocoBase answers 503 while it starts,
/// its nginx 502 before the app listens).
pub const HEALTH_PATH: &str = "/api/__health_check";
/// Label carried by every container this crate starts: `<hostname>:<pid>` of the starting process.
pub const OWNER_LABEL: &str = "org.nocobase-conformance.owner";
/// Label naming the image kind (`reference` or `nocobase`).
pub const KIND_LABEL: &str = "org.nocobase-conformance.image";

/// Which server the container runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    /// The project's reference server, built locally (`scripts/build-reference-image.sh`).
    Reference,
    /// The official NocoBase image.
    NocoBase,
}

impl ImageKind {
    /// The name `--image` takes.
    pub fn name(self) -> &'static str {
        match self {
            ImageKind::Reference => "reference",
            ImageKind::NocoBase => "nocobase",
        }
    }

    /// Parses `--image`: `reference` or `nocobase`, optionally `:TAG` for another tag than the
    /// pinned one. `latest` is refused: a run must say which server it checked.
    pub fn parse(spec: &str) -> Result<(Self, Option<String>), String> {
        let (name, tag) = match spec.split_once(':') {
            Some((name, tag)) => (name, Some(tag)),
            None => (spec, None),
        };
        let kind = match name {
            "reference" => ImageKind::Reference,
            "nocobase" => ImageKind::NocoBase,
            _ => {
                return Err(format!(
                    "--image {spec:?}: expected `reference` or `nocobase`, optionally with `:TAG` (e.g. nocobase:{NOCOBASE_TAG})"
                ));
            }
        };
        match tag {
            None => Ok((kind, None)),
            Some("") => Err(format!("--image {spec:?}: the tag after `:` is empty")),
            Some("latest") => Err(format!(
                "--image {spec:?}: `latest` changes under you; pin a version (the pinned one is {name}:{})",
                kind.default_tag()
            )),
            Some(tag) if tag.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)) => {
                Ok((kind, Some(tag.to_owned())))
            }
            Some(tag) => Err(format!("--image {spec:?}: {tag:?} is not a Docker tag")),
        }
    }

    /// The pinned tag.
    pub fn default_tag(self) -> &'static str {
        match self {
            ImageKind::Reference => REFERENCE_TAG,
            ImageKind::NocoBase => NOCOBASE_TAG,
        }
    }
}

/// A container image as the suite starts it.
#[derive(Clone, PartialEq, Eq)]
pub struct ContainerImage {
    /// Which server it is.
    pub kind: ImageKind,
    /// Repository, e.g. `nocobase/nocobase`.
    pub name: String,
    /// Tag, never `latest`.
    pub tag: String,
    /// Environment variables.
    pub env: BTreeMap<String, String>,
    /// Arguments after the image's entrypoint (empty: the image's own command).
    pub cmd: Vec<String>,
    /// The port the server listens on inside the container.
    pub port: u16,
    /// A line the server prints once it listens, waited for before [`HEALTH_PATH`] is polled
    /// (none: the official image prints no such line of its own).
    pub ready_line: Option<&'static str>,
    /// Whether a missing image may be pulled from a registry (never for the local build).
    pub pullable: bool,
}

impl std::fmt::Debug for ContainerImage {
    /// Environment values hold secrets (APP_KEY, the root password): only their names.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContainerImage")
            .field("image", &self.full_name())
            .field("env", &self.env.keys().collect::<Vec<_>>())
            .field("port", &self.port)
            .field("ready_line", &self.ready_line)
            .finish_non_exhaustive()
    }
}

impl ContainerImage {
    /// The official NocoBase image at the pinned tag, on SQLite, with the test APP_KEY and
    /// NocoBase's default root account (`admin@nocobase.com` / `admin123`).
    ///
    /// Variables: <https://docs.nocobase.com/welcome/getting-started/installation/docker-compose>
    /// and <https://docs.nocobase.com/welcome/getting-started/env>.
    pub fn nocobase() -> Self {
        let env = [
            ("APP_KEY", TEST_APP_KEY),
            ("DB_DIALECT", "sqlite"),
            ("DB_STORAGE", NOCOBASE_DB_STORAGE),
            ("INIT_ROOT_EMAIL", "admin@nocobase.com"),
            ("INIT_ROOT_PASSWORD", "admin123"),
            ("TZ", "UTC"),
        ];
        Self {
            kind: ImageKind::NocoBase,
            name: NOCOBASE_IMAGE.to_owned(),
            tag: NOCOBASE_TAG.to_owned(),
            env: env.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect(),
            cmd: Vec::new(),
            port: NOCOBASE_PORT,
            ready_line: None,
            pullable: true,
        }
    }

    /// The reference server image, serving on all interfaces of the container with the test
    /// APP_KEY and the default root account. The secrets go in the environment (as `serve` reads
    /// them), not on the command line that `ps` shows.
    pub fn reference_server() -> Self {
        let env = [
            ("NOCOBASE_APP_KEY", TEST_APP_KEY),
            ("NOCOBASE_ROOT_EMAIL", "admin@nocobase.com"),
            ("NOCOBASE_ROOT_PASSWORD", "admin123"),
        ];
        let port = REFERENCE_PORT.to_string();
        Self {
            kind: ImageKind::Reference,
            name: REFERENCE_IMAGE.to_owned(),
            tag: REFERENCE_TAG.to_owned(),
            env: env.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect(),
            cmd: ["serve", "--host", "0.0.0.0", "--port", &port, "--db", REFERENCE_DATABASE]
                .map(str::to_owned)
                .to_vec(),
            port: REFERENCE_PORT,
            ready_line: Some(REFERENCE_LISTENING),
            pullable: false,
        }
    }

    /// The image of `kind` at its pinned tag.
    pub fn of(kind: ImageKind) -> Self {
        match kind {
            ImageKind::Reference => Self::reference_server(),
            ImageKind::NocoBase => Self::nocobase(),
        }
    }

    /// The image configured for a run: its tag, the run's APP_KEY and admin account.
    pub fn for_run(kind: ImageKind, tag: Option<&str>, launch: Launch<'_>) -> Self {
        let image = Self::of(kind);
        let image = match tag {
            Some(tag) => image.with_tag(tag),
            None => image,
        };
        let app_key = launch.app_key.cloned().unwrap_or_else(|| Secret::literal(TEST_APP_KEY));
        image.with_app_key(app_key.expose()).with_root(launch.account, launch.password.expose())
    }

    /// Another tag of the same image.
    pub fn with_tag(mut self, tag: &str) -> Self {
        tag.clone_into(&mut self.tag);
        self
    }

    /// The JWT secret (NocoBase's `APP_KEY`): API keys minted offline must be signed with it.
    pub fn with_app_key(mut self, app_key: &str) -> Self {
        let key = match self.kind {
            ImageKind::NocoBase => "APP_KEY",
            ImageKind::Reference => "NOCOBASE_APP_KEY",
        };
        self.env.insert(key.into(), app_key.to_owned());
        self
    }

    /// The root account created on first start: `account` is an email (`INIT_ROOT_EMAIL`) or a
    /// username (`INIT_ROOT_USERNAME`; the reference server keeps its default email then).
    pub fn with_root(mut self, account: &str, password: &str) -> Self {
        let is_email = account.contains('@');
        match self.kind {
            ImageKind::NocoBase => {
                let key = if is_email { "INIT_ROOT_EMAIL" } else { "INIT_ROOT_USERNAME" };
                self.env.insert(key.into(), account.to_owned());
                self.env.insert("INIT_ROOT_PASSWORD".into(), password.to_owned());
            }
            ImageKind::Reference => {
                if is_email {
                    self.env.insert("NOCOBASE_ROOT_EMAIL".into(), account.to_owned());
                }
                self.env.insert("NOCOBASE_ROOT_PASSWORD".into(), password.to_owned());
            }
        }
        self
    }

    /// `name:tag`.
    pub fn full_name(&self) -> String {
        format!("{}:{}", self.name, self.tag)
    }

    /// `<port>/tcp`, as Docker names an exposed port.
    pub fn exposed_port(&self) -> String {
        format!("{}/tcp", self.port)
    }

    /// `KEY=VALUE` lines for the engine.
    pub fn env_list(&self) -> Vec<String> {
        self.env.iter().map(|(k, v)| format!("{k}={v}")).collect()
    }
}

#[cfg(feature = "containers")]
pub use self::docker::probe_engine;
#[cfg(feature = "containers")]
pub use self::start::{restart, start};

#[cfg(not(feature = "containers"))]
/// Without the `containers` feature there is no engine client.
pub async fn probe_engine(_host: &str) -> Result<String, String> {
    Err("this build has no container support (built without the `containers` feature)".into())
}

#[cfg(not(feature = "containers"))]
/// Without the `containers` feature there is no container to restart.
pub async fn restart(_host: &str, _id: &str) -> crate::error::Result<()> {
    Err(crate::error::HarnessError::Environment("this build has no container support".into()))
}

#[cfg(not(feature = "containers"))]
pub(super) async fn start(
    _launch: Launch<'_>,
    image: ImageKind,
    _tag: Option<&str>,
    _host: &str,
) -> crate::error::Result<super::RunningTarget> {
    Err(crate::error::HarnessError::Environment(format!(
        "--target container (image {}) is not available: this binary was built without the `containers` feature\n  hint: rebuild with `--features containers` (it is on by default)",
        image.name()
    )))
}

#[cfg(feature = "containers")]
mod docker;
#[cfg(feature = "containers")]
mod interrupt;
#[cfg(feature = "containers")]
mod ready;
#[cfg(feature = "containers")]
mod start;
#[cfg(feature = "containers")]
mod sweep;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_official_image_is_pinned_on_sqlite_with_a_test_key_and_root() {
        // Arrange / Act
        let image = ContainerImage::nocobase();

        // Assert
        assert_eq!(image.full_name(), "nocobase/nocobase:2.2.15");
        assert_eq!(image.exposed_port(), "80/tcp");
        assert_eq!(image.ready_line, None, "the official image prints no line of its own: only the health check");
        assert_eq!(
            image.env_list(),
            [
                "APP_KEY=lab-test-app-key-0123456789abcdef",
                "DB_DIALECT=sqlite",
                "DB_STORAGE=storage/db/nocobase.sqlite",
                "INIT_ROOT_EMAIL=admin@nocobase.com",
                "INIT_ROOT_PASSWORD=admin123",
                "TZ=UTC",
            ]
        );
        assert!(image.cmd.is_empty(), "the image's own entrypoint starts nginx and NocoBase");
        assert!(image.pullable);
    }

    #[test]
    fn the_official_image_takes_the_runs_key_and_admin() {
        let image =
            ContainerImage::nocobase().with_app_key("k3y").with_root("ops@example.com", "s3cret").with_tag("2.2.16");
        assert_eq!(image.full_name(), "nocobase/nocobase:2.2.16");
        assert_eq!(image.env["APP_KEY"], "k3y");
        assert_eq!(image.env["INIT_ROOT_EMAIL"], "ops@example.com");
        assert_eq!(image.env["INIT_ROOT_PASSWORD"], "s3cret");

        let by_username = ContainerImage::nocobase().with_root("ops", "s3cret");
        assert_eq!(by_username.env["INIT_ROOT_USERNAME"], "ops");
    }

    #[test]
    fn the_reference_image_serves_on_all_interfaces_with_the_test_key() {
        let image = ContainerImage::reference_server();
        assert_eq!(image.full_name(), format!("nocobase-conformance/reference:{}", env!("CARGO_PKG_VERSION")));
        assert_eq!(image.exposed_port(), "13000/tcp");
        assert_eq!(image.ready_line, Some("listening on http://"));
        assert_eq!(
            image.cmd.join(" "),
            "serve --host 0.0.0.0 --port 13000 --db /tmp/reference.sqlite",
            "no secret on the command line"
        );
        assert_eq!(
            image.env_list(),
            [
                "NOCOBASE_APP_KEY=lab-test-app-key-0123456789abcdef",
                "NOCOBASE_ROOT_EMAIL=admin@nocobase.com",
                "NOCOBASE_ROOT_PASSWORD=admin123",
            ]
        );
        assert!(!image.pullable, "the reference image is built locally, never pulled");

        let configured = image.with_app_key("k3y").with_root("ops@example.com", "s3cret");
        assert_eq!(configured.cmd.join(" "), "serve --host 0.0.0.0 --port 13000 --db /tmp/reference.sqlite");
        assert_eq!(
            configured.env_list(),
            ["NOCOBASE_APP_KEY=k3y", "NOCOBASE_ROOT_EMAIL=ops@example.com", "NOCOBASE_ROOT_PASSWORD=s3cret"]
        );
        let by_username = ContainerImage::reference_server().with_root("ops", "s3cret");
        assert_eq!(by_username.env["NOCOBASE_ROOT_EMAIL"], "admin@nocobase.com", "the default email stays");
    }

    #[test]
    fn debug_output_shows_no_secret() {
        let image =
            ContainerImage::nocobase().with_app_key("k3y-that-is-secret").with_root("a@b.c", "pw-that-is-secret");
        let shown = format!("{image:?}");
        assert!(!shown.contains("that-is-secret"), "{shown}");
        assert!(shown.contains("nocobase/nocobase:2.2.15"), "{shown}");
    }

    #[test]
    fn image_flags_are_a_kind_and_an_optional_pinned_tag() {
        assert_eq!(ImageKind::parse("reference"), Ok((ImageKind::Reference, None)));
        assert_eq!(ImageKind::parse("nocobase"), Ok((ImageKind::NocoBase, None)));
        assert_eq!(ImageKind::parse("nocobase:2.2.16"), Ok((ImageKind::NocoBase, Some("2.2.16".into()))));
        assert_eq!(ImageKind::parse("reference:test-42"), Ok((ImageKind::Reference, Some("test-42".into()))));
        assert!(ImageKind::parse("nocobase:latest").is_err_and(|e| e.contains("pin a version")));
        assert!(ImageKind::parse("postgres").is_err());
        assert!(ImageKind::parse("nocobase:").is_err());
        assert!(ImageKind::parse("nocobase:a/b").is_err());
    }
}
