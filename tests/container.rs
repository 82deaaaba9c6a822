//! The container target end to end (`--target container`), run like a CI job would run it: the
//! whole suite in a reference-server container built from this very build, then a failing run,
//! runs interrupted by SIGINT and by SIGTERM, a killed run, a container that dies while starting
//! and one that cannot start at all — each leaving no container behind (checked with
//! `docker ps -a`, not with the code under test).
//!
//! Without a Docker engine these tests are reported as `ignored` with the reason, never as
//! passed; `NOCOBASE_REQUIRE_DOCKER=1` makes a missing engine a failure instead. Two tests need
//! no engine: what the binary says when there is none, and when `--docker-host` is not
//! `DOCKER_HOST`. `harness = false`, because libtest cannot
//! mark a test ignored once it runs; libtest's flags and output are kept, so `cargo test`,
//! filters and `cargo nextest run` work as for any test binary.

mod common;

use std::io::{BufRead as _, BufReader};
use std::os::unix::process::ExitStatusExt as _;
use std::process::{Child, Command, ExitCode, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use clap::Parser;
use common::{binary, project, text};
use nocobase_conformance::cargo_test::{LibtestArgs, Summary};
use nocobase_conformance::config;
use nocobase_conformance::targets::container;

/// libtest's command line.
#[derive(Debug, Parser)]
struct Args {
    #[command(flatten)]
    libtest: LibtestArgs,
    /// Runs the tests whose name contains this text.
    filter: Option<String>,
}

/// One test: its name, whether it needs an engine, and its body.
struct Test {
    name: &'static str,
    needs_docker: bool,
    body: fn(&Engine) -> Result<String, String>,
}

const TESTS: &[Test] = &[
    Test { name: "without_an_engine_the_container_target_cannot_run", needs_docker: false, body: without_an_engine },
    Test { name: "a_docker_host_flag_other_than_docker_host_is_refused", needs_docker: false, body: other_docker_host },
    Test { name: "the_whole_suite_passes_in_a_reference_container", needs_docker: true, body: whole_suite },
    Test { name: "a_failing_run_removes_its_container", needs_docker: true, body: failing_run },
    Test { name: "an_interrupted_run_removes_its_container", needs_docker: true, body: interrupted_run },
    Test { name: "a_terminated_run_removes_its_container", needs_docker: true, body: terminated_run },
    Test { name: "a_killed_runs_container_is_removed_by_the_next_run", needs_docker: true, body: killed_run },
    Test { name: "a_container_that_stops_while_starting_is_reported", needs_docker: true, body: dies_while_starting },
    Test { name: "a_container_that_cannot_start_is_removed", needs_docker: true, body: cannot_start },
];

/// The engine the tests use, and the images they built on it (removed when dropped).
#[derive(Default)]
struct Engine {
    /// `reference:TAG` of the image built from this build's binary, or why there is none.
    reference: Option<Result<String, String>>,
    /// Full names of the images to remove afterwards.
    built: Vec<String>,
}

impl Drop for Engine {
    fn drop(&mut self) {
        for image in &self.built {
            let _ = Command::new("docker").args(["rmi", "--force", image]).output();
        }
    }
}

impl Engine {
    /// Builds an image of `binary` with the project's script, as `nocobase-conformance/reference:TAG`.
    fn build(&mut self, binary: &str, tag: &str) -> Result<(), String> {
        let full = format!("{}:{tag}", container::REFERENCE_IMAGE);
        let script = project().join("scripts/build-reference-image.sh");
        let out = Command::new(&script)
            .args(["--binary", binary, "--tag", &full])
            .output()
            .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
        self.built.push(full.clone());
        if !out.status.success() {
            return Err(format!("building {full} failed:\n{}", text(&out)));
        }
        Ok(())
    }

    /// Builds `nocobase-conformance/reference:TAG` whose entrypoint is not there: the engine
    /// creates the container, then cannot start it (it stays `Created`).
    fn build_unstartable(&mut self, tag: &str) -> Result<(), String> {
        let full = format!("{}:{tag}", container::REFERENCE_IMAGE);
        let context = tempfile::tempdir().map_err(|e| e.to_string())?;
        let dockerfile = "FROM scratch\nCOPY Dockerfile /Dockerfile\nENTRYPOINT [\"/nocobase-reference\"]\n";
        std::fs::write(context.path().join("Dockerfile"), dockerfile).map_err(|e| e.to_string())?;
        let out = Command::new("docker")
            .args(["build", "--quiet", "--tag", &full])
            .arg(context.path())
            .env("DOCKER_BUILDKIT", "0")
            .output()
            .map_err(|e| format!("cannot run docker build: {e}"))?;
        self.built.push(full.clone());
        if !out.status.success() {
            return Err(format!("building {full} failed:\n{}", text(&out)));
        }
        Ok(())
    }

    /// `--image` of the reference image built from this build.
    fn reference(&self) -> Result<&str, String> {
        match &self.reference {
            Some(Ok(image)) => Ok(image),
            Some(Err(why)) => Err(why.clone()),
            None => Err("the reference image was not built".into()),
        }
    }
}

/// The binary with `args`, as a CI job runs it.
fn suite(args: &[&str]) -> std::process::Command {
    common::command(args)
}

/// Containers whose name says process `pid` started them, running or not (`docker ps -a`).
fn containers_of(pid: u32) -> Result<Vec<String>, String> {
    let out = Command::new("docker")
        .args([
            "ps",
            "--all",
            "--filter",
            &format!("name=nocobase-conformance-reference-{pid}-"),
            "--format",
            "{{.Names}}",
        ])
        .output()
        .map_err(|e| format!("cannot run docker ps: {e}"))?;
    if !out.status.success() {
        return Err(format!("docker ps failed:\n{}", text(&out)));
    }
    Ok(String::from_utf8_lossy(&out.stdout).lines().map(str::to_owned).collect())
}

fn expect_none_left(pid: u32) -> Result<(), String> {
    match containers_of(pid)? {
        left if left.is_empty() => Ok(()),
        left => Err(format!("containers left behind: {left:?}")),
    }
}

/// Runs the suite to the end.
fn run_to_end(args: &[&str]) -> Result<(Output, u32, Duration), String> {
    let started = Instant::now();
    let child = suite(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().map_err(|e| e.to_string())?;
    let pid = child.id();
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    Ok((out, pid, started.elapsed()))
}

/// Starts the suite and returns once its container is ready (stdout says so).
fn start_until_ready(args: &[&str]) -> Result<Child, String> {
    let mut child = suite(args).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().map_err(|e| e.to_string())?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let (ready, wait) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.starts_with("Container ready") {
                let _ = ready.send(());
            }
        }
    });
    match wait.recv_timeout(Duration::from_secs(60)) {
        Ok(()) => Ok(child),
        Err(_) => {
            let _ = child.kill();
            Err("the container was not ready within 60s".into())
        }
    }
}

/// The value of `Container ready N.Ns after it started.`
fn ready_after(stdout: &str) -> &str {
    stdout.lines().find_map(|l| l.strip_prefix("Container ready ").and_then(|l| l.split(' ').next())).unwrap_or("?")
}

fn without_an_engine(_: &Engine) -> Result<String, String> {
    // Act
    let out = suite(&["run", "--target", "container"])
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .output()
        .map_err(|e| e.to_string())?;

    // Assert
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.code() != Some(2) {
        return Err(format!("expected exit 2 (could not run), got {:?}\n{}", out.status.code(), text(&out)));
    }
    let expected = if cfg!(feature = "containers") {
        "no Docker engine answers at unix:///nonexistent/docker.sock"
    } else {
        "built without the `containers` feature"
    };
    if !stderr.contains(expected) {
        return Err(format!("the message does not say {expected:?}:\n{stderr}"));
    }
    Ok(String::new())
}

fn other_docker_host(_: &Engine) -> Result<String, String> {
    // Act: testcontainers reads the engine's address from DOCKER_HOST alone.
    let out = suite(&["run", "--target", "container", "--docker-host", "unix:///elsewhere/docker.sock"])
        .env("DOCKER_HOST", "unix:///var/run/docker.sock")
        .output()
        .map_err(|e| e.to_string())?;

    // Assert
    let stderr = String::from_utf8_lossy(&out.stderr);
    let expected = "run with DOCKER_HOST=unix:///elsewhere/docker.sock instead of --docker-host";
    if out.status.code() != Some(2) || !stderr.contains(expected) {
        return Err(format!("expected exit 2 saying {expected:?}, got {:?}\n{}", out.status.code(), text(&out)));
    }
    Ok(String::new())
}

fn whole_suite(engine: &Engine) -> Result<String, String> {
    // Act
    let (out, pid, took) = run_to_end(&["run", "--target", "container", "--image", engine.reference()?])?;

    // Assert
    let stdout = String::from_utf8_lossy(&out.stdout);
    if out.status.code() != Some(0) {
        return Err(format!("expected every scenario to pass (exit 0), got {:?}\n{}", out.status.code(), text(&out)));
    }
    let summary = stdout.lines().find(|l| l.contains(" scenarios (")).unwrap_or_default().trim().to_owned();
    if !stdout.contains("against the container target") || summary.contains("failed") || summary.contains("skipped") {
        return Err(format!("not a whole passing run on the container target:\n{stdout}"));
    }
    expect_none_left(pid)?;
    Ok(format!("{summary}; container ready in {}; whole run {:.1}s", ready_after(&stdout), took.as_secs_f64()))
}

fn failing_run(engine: &Engine) -> Result<String, String> {
    // Arrange: the deliberately failing feature of the harness tests.
    let fixtures = project().join("tests/fixtures/failing");
    let (features, snapshots) = (fixtures.join("features"), fixtures.join("snapshots"));

    // Act
    let (out, pid, _) = run_to_end(&[
        "run",
        "--target",
        "container",
        "--image",
        engine.reference()?,
        "--features",
        &features.to_string_lossy(),
        "--snapshots",
        &snapshots.to_string_lossy(),
    ])?;

    // Assert
    if out.status.code() != Some(1) {
        return Err(format!("expected a conformance failure (exit 1), got {:?}\n{}", out.status.code(), text(&out)));
    }
    expect_none_left(pid)?;
    Ok(String::new())
}

/// Stops a run with `signal` once its container is ready: testcontainers' watchdog removes the
/// container, then the run ends as the signal would (a shell shows `exit_code`).
fn stopped_run(engine: &Engine, signal: &str, number: i32, exit_code: i32) -> Result<String, String> {
    // Arrange: the whole suite, one scenario at a time, so that it is still running.
    let mut child =
        start_until_ready(&["run", "--target", "container", "--image", engine.reference()?, "--concurrency", "1"])?;
    let pid = child.id();
    std::thread::sleep(Duration::from_millis(300));

    // Act
    let kill = Command::new("kill").args([signal, &pid.to_string()]).status().map_err(|e| e.to_string())?;
    let status = child.wait().map_err(|e| e.to_string())?;

    // Assert
    if !kill.success() || (status.signal() != Some(number) && status.code() != Some(exit_code)) {
        return Err(format!("expected the run to end by {signal} (exit {exit_code}), got {status}"));
    }
    expect_none_left(pid)?;
    Ok(String::new())
}

fn interrupted_run(engine: &Engine) -> Result<String, String> {
    stopped_run(engine, "-INT", 2, 130)
}

fn terminated_run(engine: &Engine) -> Result<String, String> {
    stopped_run(engine, "-TERM", 15, 143)
}

fn killed_run(engine: &Engine) -> Result<String, String> {
    // Arrange: a run killed outright cannot clean up.
    let mut killed =
        start_until_ready(&["run", "--target", "container", "--image", engine.reference()?, "--concurrency", "1"])?;
    let killed_pid = killed.id();
    killed.kill().map_err(|e| e.to_string())?;
    let _ = killed.wait();
    if containers_of(killed_pid)?.is_empty() {
        return Err("the killed run's container is already gone: nothing left to test".into());
    }

    // Act: the next run.
    let (out, pid, _) =
        run_to_end(&["run", "--target", "container", "--image", engine.reference()?, "--name", "Signing in returns"])?;

    // Assert
    let stdout = String::from_utf8_lossy(&out.stdout);
    if out.status.code() != Some(0)
        || !stdout.contains(&format!("Removed container nocobase-conformance-reference-{killed_pid}-"))
    {
        return Err(format!("the next run did not remove the killed run's container\n{}", text(&out)));
    }
    expect_none_left(killed_pid)?;
    expect_none_left(pid)?;
    Ok(String::new())
}

fn dies_while_starting(_: &Engine) -> Result<String, String> {
    // Arrange: an image whose program exits at once (`false serve …`).
    let mut images = Engine::default();
    let tag = format!("test-false-{}", std::process::id());
    images.build("/bin/false", &tag)?;

    // Act
    let (out, pid, _) = run_to_end(&["run", "--target", "container", "--image", &format!("reference:{tag}")])?;

    // Assert
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.code() != Some(2) || !stderr.contains("stopped before it was ready (exit code 1)") {
        return Err(format!(
            "expected exit 2 saying the container stopped, got {:?}\n{}",
            out.status.code(),
            text(&out)
        ));
    }
    expect_none_left(pid)?;
    Ok(String::new())
}

fn cannot_start(_: &Engine) -> Result<String, String> {
    // Arrange: an image the engine creates a container of, then cannot start.
    let mut images = Engine::default();
    let tag = format!("test-noexec-{}", std::process::id());
    images.build_unstartable(&tag)?;

    // Act
    let (out, pid, _) = run_to_end(&["run", "--target", "container", "--image", &format!("reference:{tag}")])?;

    // Assert
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.code() != Some(2) || !stderr.contains("cannot start a container from") {
        return Err(format!("expected exit 2 saying it cannot start, got {:?}\n{}", out.status.code(), text(&out)));
    }
    expect_none_left(pid)?;
    Ok(String::new())
}

/// Why the tests that need an engine cannot run, if they cannot.
fn engine_missing() -> Option<String> {
    let host = config::docker_host();
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => return Some(format!("cannot start a runtime: {e}")),
    };
    runtime.block_on(container::probe_engine(&host)).err()
}

fn main() -> ExitCode {
    let args = Args::parse();
    let libtest = &args.libtest;
    let names: Vec<&str> = TESTS.iter().map(|t| t.name).collect();
    let selected: Vec<&Test> = libtest
        .select(&names, args.filter.as_deref())
        .into_iter()
        .filter_map(|name| TESTS.iter().find(|t| t.name == name))
        .collect();
    if libtest.list {
        libtest.list(&selected.iter().map(|t| t.name).collect::<Vec<_>>());
        return ExitCode::SUCCESS;
    }
    if libtest.ignored {
        return Summary::start(0, TESTS.len()).finish();
    }

    let mut summary = Summary::start(selected.len(), TESTS.len());
    let missing = selected.iter().any(|t| t.needs_docker).then(engine_missing).flatten();
    let required = config::docker_required();
    let mut engine = Engine::default();
    if missing.is_none() && selected.iter().any(|t| t.needs_docker) {
        let tag = format!("test-{}", std::process::id());
        engine.reference = Some(engine.build(binary(), &tag).map(|()| format!("reference:{tag}")));
    }
    for test in &selected {
        let outcome = match (&missing, test.needs_docker) {
            (Some(why), true) if !required => {
                summary.ignored(test.name, &format!("{why} (NOCOBASE_REQUIRE_DOCKER=1 makes this a failure)"));
                continue;
            }
            (Some(why), true) => Err(format!("{why}, and NOCOBASE_REQUIRE_DOCKER is set")),
            _ => (test.body)(&engine),
        };
        match outcome {
            Ok(note) => summary.passed(test.name, &note),
            Err(why) => summary.failed(test.name, why),
        }
    }
    drop(engine);
    summary.finish()
}
