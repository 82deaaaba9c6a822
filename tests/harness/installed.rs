//! The binary stands on its own: a copy of it, run from an empty folder with the source tree
//! forbidden (`NOCOBASE_FORBIDDEN_DIR`) — and, where the machine allows a private mount
//! namespace, with the source tree hidden under an empty mount — runs the whole suite with the
//! features and snapshots built into it, and writes nothing where it runs. `features export`
//! writes the built-in set out as the project holds it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::support::{project, temp_dir};

/// A copy of the binary under test in `dir`, outside the source tree (whose `target/` holds it).
fn installed_copy(dir: &Path) -> PathBuf {
    let copy = dir.join("nocobase-conformance");
    std::fs::copy(crate::common::binary(), &copy).expect("the binary is copied");
    copy
}

/// `binary args…` run in `cwd` as CI would, with the source tree forbidden.
fn run_in(cwd: &Path, program: &Path, args: &[&str]) -> Output {
    let mut command = Command::new(program);
    crate::common::as_ci_runs_it(&mut command);
    command.args(args).current_dir(cwd).env("NOCOBASE_FORBIDDEN_DIR", project());
    command.output().expect("the binary runs")
}

/// The scenarios of the built-in features, as `features list` counts them.
fn built_in_scenarios(binary: &Path, cwd: &Path) -> usize {
    let out = run_in(cwd, binary, &["features", "list"]);
    assert_eq!(out.status.code(), Some(0), "{}", crate::common::text(&out));
    String::from_utf8_lossy(&out.stdout).lines().filter(|l| l.starts_with("  ")).count()
}

/// How many scenarios ran and passed, from cucumber's summary (`71 scenarios (71 passed)`).
fn passed(stdout: &str) -> Option<usize> {
    let line = stdout.lines().find(|l| l.contains(" scenarios (") || l.contains(" scenario ("))?;
    let inside = line.split_once('(')?.1.trim_end_matches(')');
    inside.strip_suffix(" passed")?.parse().ok()
}

#[test]
fn a_copy_of_the_binary_runs_the_whole_suite_from_an_empty_folder_without_the_source_tree() {
    // Arrange: the binary alone in one folder, an empty folder to run in.
    let (bin, work) = (temp_dir("bin"), temp_dir("work"));
    let binary = installed_copy(bin.path());
    let scenarios = built_in_scenarios(&binary, work.path());

    // Act
    let out = run_in(work.path(), &binary, &["run"]);

    // Assert: every built-in scenario that can run here ran and passed; nothing was written.
    let all = crate::common::text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let ran = passed(&stdout).unwrap_or_else(|| panic!("a summary: {all}"));
    let left_out = stdout.lines().filter(|l| l.trim_start().starts_with("not run: ")).count();
    assert!(ran > 0 && ran <= scenarios && (ran == scenarios || left_out > 0), "{ran} of {scenarios}: {all}");
    assert_eq!(std::fs::read_dir(work.path()).expect("readable").count(), 0, "the run wrote nothing where it ran");

    // And where a private mount namespace is allowed: with the source tree truly gone.
    let hidden = Command::new("unshare")
        .args(["--mount", "sh", "-c", r#"mount -t tmpfs tmpfs "$0" && cd "$1" && exec "$2" run --name "$3""#])
        .arg(project())
        .arg(work.path())
        .arg(&binary)
        .arg("Signing in")
        .env("NO_COLOR", "1")
        .output();
    match hidden {
        Ok(out) if out.status.code() == Some(0) => {
            assert!(String::from_utf8_lossy(&out.stdout).contains("passed"), "{}", crate::common::text(&out));
        }
        Ok(out) if String::from_utf8_lossy(&out.stderr).contains("unshare:") => {
            eprintln!(
                "no private mount namespace here (the NOCOBASE_FORBIDDEN_DIR run above stands): {}",
                crate::common::text(&out)
            );
        }
        Ok(out) => panic!("the run without the source tree failed: {}", crate::common::text(&out)),
        Err(e) => eprintln!("unshare is not installed ({e}); the NOCOBASE_FORBIDDEN_DIR run above stands"),
    }
}

#[test]
fn the_source_tree_is_refused_when_forbidden() {
    let work = temp_dir("forbidden");
    let features = project().join("features");
    let out = run_in(
        work.path(),
        Path::new(crate::common::binary()),
        &["run", "--features", features.to_str().expect("UTF-8")],
    );
    assert_eq!(out.status.code(), Some(2), "{}", crate::common::text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("NOCOBASE_FORBIDDEN_DIR"), "{}", crate::common::text(&out));
}

#[test]
fn features_export_writes_the_built_in_set_as_the_project_holds_it_and_it_runs() {
    // Arrange
    let (work, out_dir) = (temp_dir("export-cwd"), temp_dir("export"));
    let binary = Path::new(crate::common::binary());

    // Act
    let exported = run_in(work.path(), binary, &["features", "export", out_dir.path().to_str().expect("UTF-8")]);

    // Assert: the same files as the checkout's, byte for byte.
    assert_eq!(exported.status.code(), Some(0), "{}", crate::common::text(&exported));
    for folder in ["features", "snapshots", "fixtures/requests"] {
        let mine = std::fs::read_dir(project().join(folder)).expect("the checkout's").flatten();
        let mine: Vec<PathBuf> = mine.map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e != "new")).collect();
        assert!(!mine.is_empty());
        for file in mine {
            let copy = out_dir.path().join(folder).join(file.file_name().expect("a name"));
            assert_eq!(std::fs::read(&copy).ok(), std::fs::read(&file).ok(), "{}", copy.display());
        }
    }
    let features = out_dir.path().join("features");
    let snapshots = out_dir.path().join("snapshots");
    let args = [
        "run",
        "--features",
        features.to_str().expect("UTF-8"),
        "--snapshots",
        snapshots.to_str().expect("UTF-8"),
        "--name",
        "Signing in",
    ];
    let ran = run_in(work.path(), binary, &args);
    assert_eq!(ran.status.code(), Some(0), "the exported set runs: {}", crate::common::text(&ran));
}
