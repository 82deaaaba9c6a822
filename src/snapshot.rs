//! Named insta snapshots of normalised responses. A snapshot that matches passes without touching
//! insta; a new or different one goes through `insta::assert_json_snapshot!`, so that insta
//! records it for `cargo insta review` (never in CI, where `INSTA_UPDATE=no`), and the failure is
//! reported as a [`Mismatch`] with a short diff.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::client::Exchange;
use crate::error::{HarnessError, Result};
use crate::report::Mismatch;

/// The file a named snapshot lives in.
pub fn path_of(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.snap"))
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

fn stored(dir: &Path, name: &str) -> Option<Value> {
    let snapshot = insta::Snapshot::from_file(&path_of(dir, name)).ok()?;
    let text = snapshot.as_text()?.to_string();
    serde_json::from_str(&text).ok()
}

/// Checks `value` against the snapshot `name` in `dir`.
pub fn check(dir: &Path, name: &str, description: &str, value: &Value, exchange: Option<&Exchange>) -> Result<()> {
    let before = stored(dir, name);
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
    let after = stored(dir, name);
    match (asserted, before) {
        // insta accepted it (INSTA_UPDATE=always or INSTA_FORCE_PASS): the file now holds `value`.
        (Ok(()), _) if after.as_ref() == Some(value) => Ok(()),
        (_, None) => Err(HarnessError::mismatch(Mismatch::new(
            format!("snapshot \"{name}\""),
            format!("a reviewed snapshot in {}", path_of(dir, name).display()),
            "none exists yet; the new one is pending review (`cargo insta review`) unless INSTA_UPDATE=no",
            exchange,
        ))),
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
