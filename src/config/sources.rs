//! Where a run's features and snapshots come from: the built-in set by default, else the folders
//! of `--features` / `--snapshots` (repeatable; `builtin` names the built-in set among them), and
//! the one folder `record` writes. A folder under `NOCOBASE_FORBIDDEN_DIR` is refused: the tests
//! forbid the source tree, to show that an installed binary reads nothing from a checkout.

use std::path::{Path, PathBuf};

use crate::check::snapshot::SnapshotSource;
use crate::error::{HarnessError, Result};
use crate::features::{BUILT_IN, FeatureSource};

/// The feature sources `--features` names (the built-in set when it names none).
pub(super) fn features(raw: &[PathBuf], forbidden: Option<&Path>) -> Result<Vec<FeatureSource>> {
    if raw.is_empty() {
        return Ok(vec![FeatureSource::BuiltIn]);
    }
    raw.iter()
        .map(|path| match FeatureSource::parse(path) {
            FeatureSource::Dir(dir) => {
                allowed("--features", &dir, forbidden)?;
                if !dir.is_dir() {
                    return Err(HarnessError::Config(format!(
                        "--features {}: no such folder (a folder of .feature files, or `{BUILT_IN}`)",
                        dir.display()
                    )));
                }
                Ok(FeatureSource::Dir(dir))
            }
            built_in => Ok(built_in),
        })
        .collect()
}

/// The snapshot sources `--snapshots` names, looked up in order (the built-in set when it names
/// none).
pub(super) fn snapshots(raw: &[PathBuf], forbidden: Option<&Path>) -> Result<Vec<SnapshotSource>> {
    if raw.is_empty() {
        return Ok(vec![SnapshotSource::BuiltIn]);
    }
    raw.iter()
        .map(|path| {
            if path.as_os_str() == BUILT_IN {
                return Ok(SnapshotSource::BuiltIn);
            }
            allowed("--snapshots", path, forbidden)?;
            if !path.is_dir() {
                return Err(HarnessError::Config(format!(
                    "--snapshots {}: no such folder (reviewed snapshots, e.g. made by `nocobase-conformance record --snapshots DIR`, or `{BUILT_IN}`)",
                    path.display()
                )));
            }
            Ok(SnapshotSource::Dir(path.clone()))
        })
        .collect()
}

/// The one folder `record` writes into (made if missing); never the built-in set.
pub(super) fn record_dir(raw: &[PathBuf], forbidden: Option<&Path>) -> Result<PathBuf> {
    match raw {
        [dir] if dir.as_os_str() != BUILT_IN => {
            allowed("--snapshots", dir, forbidden)?;
            Ok(dir.clone())
        }
        _ => Err(HarnessError::Config(
            "record needs one --snapshots DIR: the folder to write the deployment's snapshots into (the built-in ones are never written)".into(),
        )),
    }
}

/// Refuses `path` when it is under the forbidden folder.
fn allowed(flag: &str, path: &Path, forbidden: Option<&Path>) -> Result<()> {
    let Some(forbidden) = forbidden else { return Ok(()) };
    let absolute = |p: &Path| {
        std::fs::canonicalize(p)
            .or_else(|_| std::env::current_dir().map(|cwd| cwd.join(p)))
            .unwrap_or_else(|_| p.to_path_buf())
    };
    if absolute(path).starts_with(absolute(forbidden)) {
        return Err(HarnessError::Config(format!(
            "{flag} {} is under NOCOBASE_FORBIDDEN_DIR ({}), which this run may not read",
            path.display(),
            forbidden.display()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_set_is_the_default_and_folders_replace_or_join_it() {
        assert_eq!(features(&[], None).expect("valid"), [FeatureSource::BuiltIn]);
        assert_eq!(snapshots(&[], None).expect("valid"), [SnapshotSource::BuiltIn]);
        let dir = tempfile::tempdir().expect("a folder");
        let both = [PathBuf::from(BUILT_IN), dir.path().to_path_buf()];
        assert_eq!(
            features(&both, None).expect("valid"),
            [FeatureSource::BuiltIn, FeatureSource::Dir(dir.path().to_path_buf())]
        );
        assert!(features(&[dir.path().join("missing")], None).is_err());
        assert!(snapshots(&[dir.path().join("missing")], None).is_err());
    }

    #[test]
    fn a_forbidden_folder_is_refused_and_record_writes_one_folder() {
        let dir = tempfile::tempdir().expect("a folder");
        let inner = dir.path().join("features");
        std::fs::create_dir(&inner).expect("made");
        let refused = features(std::slice::from_ref(&inner), Some(dir.path())).expect_err("forbidden").to_string();
        assert!(refused.contains("NOCOBASE_FORBIDDEN_DIR"), "{refused}");
        assert!(record_dir(&[], None).is_err());
        assert!(record_dir(&[PathBuf::from(BUILT_IN)], None).is_err(), "never the built-in set");
        assert_eq!(record_dir(std::slice::from_ref(&inner), None).expect("one folder"), inner);
    }
}
