//! Named insta snapshots of normalised responses, and what a snapshot step does with its value
//! ([`SnapshotMode`]): check it against the reviewed snapshots (the built-in set, or folders),
//! record it as the target's own baseline (`record`), or collect it for another target's
//! (`compare`).
//!
//! Checking: in a folder, a new or different value is left as `<name>.snap.new` in insta's format
//! for `cargo insta review`, or accepted, as insta's `INSTA_UPDATE` says ([`Pending`]; never
//! written in CI, where `INSTA_UPDATE=no`); a built-in snapshot is compiled in and has no file to
//! review. Either way the failure is reported as a [`Mismatch`] with a short diff. Nothing is
//! printed: insta's own assertion would print to stdout, which `--format json` keeps for JSON.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde_json::Value;

use super::snap_file;
use crate::error::{HarnessError, Result};
use crate::exchange::Exchange;
use crate::mismatch::Mismatch;

/// Where reviewed snapshots are looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotSource {
    /// The set compiled into the binary.
    BuiltIn,
    /// A folder of `.snap` files.
    Dir(PathBuf),
}

impl std::fmt::Display for SnapshotSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SnapshotSource::BuiltIn => f.write_str("the built-in snapshots"),
            SnapshotSource::Dir(dir) => write!(f, "{}", dir.display()),
        }
    }
}

/// What a check does with a new or different value for a snapshot in a folder — insta's
/// `INSTA_UPDATE`, which the configuration reads: `no` (and `auto` in CI) writes nothing, `new`
/// (and `auto` elsewhere) leaves `<name>.snap.new` for `cargo insta review`, `always` accepts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pending {
    /// Write nothing: the check fails.
    #[default]
    Nothing,
    /// Write `<name>.snap.new` beside the reviewed one for review: the check fails.
    Review,
    /// Write it as the reviewed snapshot: the check passes.
    Accept,
}

/// What a snapshot step does with the normalised value it computed.
#[derive(Debug, Clone)]
pub enum SnapshotMode {
    /// Check it against the reviewed snapshots, looked up in these sources in order; in a folder,
    /// a new or different one is written as `pending` says (the built-in ones are never written).
    Check {
        /// Where reviewed snapshots are looked up, in order.
        sources: Vec<SnapshotSource>,
        /// What a new or different value leaves behind.
        pending: Pending,
    },
    /// Write it as a reviewed snapshot into this folder: the target's own baseline.
    Record(PathBuf),
    /// Keep it, to compare with another target's.
    Collect(Collected),
}

/// The values a run's snapshot steps computed, by snapshot name (`compare`).
#[derive(Debug, Clone, Default)]
pub struct Collected(Arc<Mutex<BTreeMap<String, Value>>>);

impl Collected {
    /// Keeps `value` under `name` (a scenario that is retried keeps its last value).
    pub fn keep(&self, name: &str, value: &Value) {
        if let Ok(mut values) = self.0.lock() {
            values.insert(name.to_owned(), value.clone());
        }
    }

    /// Everything kept so far.
    pub fn values(&self) -> BTreeMap<String, Value> {
        self.0.lock().map(|values| values.clone()).unwrap_or_default()
    }
}

/// What a snapshot step does in `mode` with `value`, the snapshot `name` of the scenario
/// `description`.
pub fn handle(
    mode: &SnapshotMode,
    name: &str,
    description: &str,
    value: &Value,
    exchange: Option<&Exchange>,
) -> Result<()> {
    match mode {
        SnapshotMode::Check { sources, pending } => check_in(sources, *pending, name, description, value, exchange),
        SnapshotMode::Record(dir) => snap_file::write(&path_of(dir, name), description, value),
        SnapshotMode::Collect(collected) => {
            collected.keep(name, value);
            Ok(())
        }
    }
}

/// Checks `value` against the first reviewed snapshot `name` found in `sources`. When none has
/// it, a new one is written (as `pending` says) in the first folder, if any.
fn check_in(
    sources: &[SnapshotSource],
    pending: Pending,
    name: &str,
    description: &str,
    value: &Value,
    exchange: Option<&Exchange>,
) -> Result<()> {
    for source in sources {
        match source {
            SnapshotSource::BuiltIn => {
                let Some(text) = crate::builtin::snapshot(name) else { continue };
                let expected = snap_file::contents(text, &format!("built-in snapshot {name}"))?;
                if &expected == value {
                    return Ok(());
                }
                return Err(HarnessError::mismatch(Mismatch::json(
                    format!("snapshot \"{name}\""),
                    &expected,
                    value,
                    exchange,
                )));
            }
            SnapshotSource::Dir(dir) if path_of(dir, name).exists() => {
                return check(dir, name, description, value, exchange, pending);
            }
            SnapshotSource::Dir(_) => {}
        }
    }
    match sources.iter().find_map(|s| match s {
        SnapshotSource::Dir(dir) => Some(dir),
        SnapshotSource::BuiltIn => None,
    }) {
        Some(dir) => check(dir, name, description, value, exchange, pending),
        None => Err(HarnessError::MissingSnapshot {
            name: name.to_owned(),
            path: SnapshotSource::BuiltIn.to_string(),
            hint: "a scenario of your own has no built-in snapshot: record its snapshots against a target you trust (`nocobase-conformance record --snapshots DIR`), read them, and run with --snapshots DIR".into(),
        }),
    }
}

/// The file a named snapshot lives in.
pub fn path_of(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.snap"))
}

/// The prefix of a scenario's snapshot names (and of its screenshot): `<feature file stem>__<scenario
/// slug>`, or the feature's slug for a feature that came from no file.
pub fn scenario_prefix(feature: &cucumber::gherkin::Feature, scenario: &cucumber::gherkin::Scenario) -> String {
    let file = feature.path.as_ref().and_then(|p| p.file_stem()).map(|s| s.to_string_lossy().into_owned());
    format!("{}__{}", file.unwrap_or_else(|| slug(&feature.name)), slug(&scenario.name))
}

/// A snapshot name made of safe characters: `06_crud__listing_to_dos__list`.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_owned()
}

/// The reviewed snapshot, if there is one; a file that exists but cannot be read as one is an
/// error (it would otherwise be overwritten as if new).
pub(crate) fn stored(dir: &Path, name: &str) -> Result<Option<Value>> {
    let path = path_of(dir, name);
    if !path.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path)
        .map_err(|e| HarnessError::File { path: path.display().to_string(), reason: e.to_string() })?;
    snap_file::contents(&text, &path.display().to_string()).map(Some)
}

/// Checks `value` against the snapshot `name` in the folder `dir`; a new or different value is
/// written as `pending` says.
pub fn check(
    dir: &Path,
    name: &str,
    description: &str,
    value: &Value,
    exchange: Option<&Exchange>,
    pending: Pending,
) -> Result<()> {
    let before = stored(dir, name)?;
    if before.as_ref() == Some(value) {
        return Ok(());
    }
    let path = path_of(dir, name);
    match pending {
        Pending::Accept => return snap_file::write(&path, description, value),
        Pending::Review => snap_file::write(&path.with_extension("snap.new"), description, value)?,
        Pending::Nothing => {}
    }
    match before {
        None => {
            let hint = if pending == Pending::Review {
                "a new one is pending review: `cargo insta review`, read it, accept it"
            } else {
                "record it against a target you trust (`nocobase-conformance record --snapshots DIR`, or INSTA_UPDATE=always), then read it before committing"
            };
            Err(HarnessError::MissingSnapshot {
                name: name.to_owned(),
                path: path.display().to_string(),
                hint: hint.into(),
            })
        }
        Some(expected) => {
            Err(HarnessError::mismatch(Mismatch::json(format!("snapshot \"{name}\""), &expected, value, exchange)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_or_changed_value_is_left_for_review_accepted_or_nothing_as_pending_says() {
        let dir = tempfile::tempdir().expect("a folder");
        let (name, value) = ("f__s__label", serde_json::json!({"status": 200}));
        let missing = check(dir.path(), name, "S", &value, None, Pending::Nothing).expect_err("nothing reviewed");
        assert!(
            matches!(missing, HarnessError::MissingSnapshot { .. })
                && std::fs::read_dir(dir.path()).expect("a folder").count() == 0
        );
        let missing = check(dir.path(), name, "S", &value, None, Pending::Review).expect_err("still nothing reviewed");
        assert!(missing.to_string().contains("cargo insta review"), "{missing}");
        assert!(dir.path().join(format!("{name}.snap.new")).is_file());
        check(dir.path(), name, "S", &value, None, Pending::Accept).expect("accepted");
        check(dir.path(), name, "S", &value, None, Pending::Nothing).expect("now reviewed");
        let changed = serde_json::json!({"status": 201});
        let mismatch = check(dir.path(), name, "S", &changed, None, Pending::Nothing).expect_err("changed");
        assert!(mismatch.to_string().contains(".status: 200 → 201"), "{mismatch}");
    }

    #[test]
    fn built_in_snapshots_are_checked_and_never_written() {
        let sources = [SnapshotSource::BuiltIn];
        let name = "01_sign_in__a_wrong_password_is_refused__wrong_password";
        let expected = snap_file::contents(crate::builtin::snapshot(name).expect("built in"), name).expect("JSON");
        check_in(&sources, Pending::Accept, name, "d", &expected, None).expect("the same value passes");
        let wrong = check_in(&sources, Pending::Accept, name, "d", &serde_json::json!({}), None).expect_err("differs");
        assert!(!wrong.is_runtime(), "a difference is a mismatch: {wrong}");
        let unknown = check_in(&sources, Pending::Accept, "mine__x__y", "d", &expected, None).expect_err("none");
        assert!(unknown.to_string().contains("record --snapshots DIR"), "{unknown}");
    }

    #[test]
    fn slugs_are_lowercase_words_joined_by_underscores() {
        assert_eq!(slug("Listing to-dos: page 2 (size 2)"), "listing_to_dos_page_2_size_2");
    }
}
