//! Named insta snapshots of normalised responses, and what a snapshot step does with its value
//! ([`SnapshotMode`]): check it against the reviewed snapshots (the built-in set, or folders),
//! record it as the target's own baseline (`record`), or collect it for another target's
//! (`compare`).
//!
//! Checking: a snapshot that matches passes without touching insta. In a folder, a new or
//! different one goes through `insta::assert_json_snapshot!`, so that insta records it for
//! `cargo insta review` (never in CI, where `INSTA_UPDATE=no`); a built-in one is compiled in and
//! has no file to review. Either way the failure is reported as a [`Mismatch`] with a short diff.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
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

/// What a snapshot step does with the normalised value it computed.
#[derive(Debug, Clone)]
pub enum SnapshotMode {
    /// Check it against the reviewed snapshots, looked up in these sources in order.
    Check(Vec<SnapshotSource>),
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
        SnapshotMode::Check(sources) => check_in(sources, name, description, value, exchange),
        SnapshotMode::Record(dir) => snap_file::write(&path_of(dir, name), description, value),
        SnapshotMode::Collect(collected) => {
            collected.keep(name, value);
            Ok(())
        }
    }
}

/// Checks `value` against the first reviewed snapshot `name` found in `sources`. When none has
/// it, insta records a new one for review in the first folder, if any.
fn check_in(
    sources: &[SnapshotSource],
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
                return check(dir, name, description, value, exchange);
            }
            SnapshotSource::Dir(_) => {}
        }
    }
    match sources.iter().find_map(|s| match s {
        SnapshotSource::Dir(dir) => Some(dir),
        SnapshotSource::BuiltIn => None,
    }) {
        Some(dir) => check(dir, name, description, value, exchange),
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
    let broken = |reason: String| HarnessError::File { path: path.display().to_string(), reason };
    let snapshot = insta::Snapshot::from_file(&path).map_err(|e| broken(format!("not a snapshot: {e}")))?;
    let text = snapshot.as_text().ok_or_else(|| broken("not a text snapshot".into()))?.to_string();
    serde_json::from_str(&text).map(Some).map_err(|e| broken(format!("its contents are not JSON: {e}")))
}

/// Checks `value` against the snapshot `name` in the folder `dir`.
pub fn check(dir: &Path, name: &str, description: &str, value: &Value, exchange: Option<&Exchange>) -> Result<()> {
    let before = stored(dir, name)?;
    if before.as_ref() == Some(value) {
        return Ok(());
    }
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(dir);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_description(description);
    settings.set_omit_expression(true);
    settings.set_sort_maps(true);
    let asserted = settings.bind(|| catch_unwind(AssertUnwindSafe(|| insta::assert_json_snapshot!(name, value))));
    let after = stored(dir, name)?;
    match (asserted, before) {
        // insta accepted it (INSTA_UPDATE=always or INSTA_FORCE_PASS): the file now holds `value`.
        (Ok(()), _) if after.as_ref() == Some(value) => Ok(()),
        (_, None) => {
            let path = path_of(dir, name);
            let hint = if path.with_extension("snap.new").exists() {
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
        (_, Some(expected)) => {
            Err(HarnessError::mismatch(Mismatch::json(format!("snapshot \"{name}\""), &expected, value, exchange)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lowercase_words_joined_by_underscores() {
        assert_eq!(slug("Listing to-dos: page 2 (size 2)"), "listing_to_dos_page_2_size_2");
    }
}
