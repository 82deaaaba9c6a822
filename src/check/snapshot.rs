//! Named insta snapshots of normalised responses. A snapshot that matches passes without touching
//! insta; a new or different one goes through `insta::assert_json_snapshot!`, so that insta
//! records it for `cargo insta review` (never in CI, where `INSTA_UPDATE=no`), and the failure is
//! reported as a [`Mismatch`] with a short diff.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::{HarnessError, Result};
use crate::exchange::Exchange;
use crate::mismatch::Mismatch;

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

/// Checks `value` against the snapshot `name` in `dir`.
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
            let pending = path.with_extension("snap.new").exists();
            Err(HarnessError::MissingSnapshot { name: name.to_owned(), path: path.display().to_string(), pending })
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
