//! The suite's own files, compiled into the binary by `build.rs`: the features, the reviewed
//! snapshots and the request bodies. A run uses them unless `--features DIR` / `--snapshots DIR`
//! say otherwise; `nocobase-conformance features export DIR` writes them out for reading.

use std::path::{Path, PathBuf};

use crate::error::{HarnessError, Result};

mod generated {
    include!(concat!(env!("OUT_DIR"), "/builtin.rs"));
}

/// The name a built-in feature is shown under (`features/07_use_the_api_key.feature`): where it
/// lives in the project, and where `features export` writes it.
pub const FEATURES_DIR: &str = "features";
/// Where `features export` writes the snapshots.
pub const SNAPSHOTS_DIR: &str = "snapshots";
/// Where `features export` writes the request bodies.
pub const REQUESTS_DIR: &str = "fixtures/requests";

/// The built-in features: (file name, Gherkin text), sorted by name.
pub fn features() -> &'static [(&'static str, &'static str)] {
    generated::FEATURES
}

/// The built-in reviewed snapshot called `name` (without `.snap`): the file's text.
pub fn snapshot(name: &str) -> Option<&'static str> {
    let file = format!("{name}.snap");
    generated::SNAPSHOTS.iter().find(|(n, _)| *n == file).map(|(_, text)| *text)
}

/// How many snapshots are built in.
pub fn snapshot_count() -> usize {
    generated::SNAPSHOTS.len()
}

/// Writes the built-in features, snapshots and request bodies under `dir` (`features/`,
/// `snapshots/`, `fixtures/requests/`), as the project holds them; the files written. Existing
/// files of the same name are replaced; nothing else in `dir` is touched.
pub fn export(dir: &Path) -> Result<Vec<PathBuf>> {
    let sets = [
        (FEATURES_DIR, generated::FEATURES),
        (SNAPSHOTS_DIR, generated::SNAPSHOTS),
        (REQUESTS_DIR, generated::REQUESTS),
    ];
    let mut written = Vec::new();
    for (folder, files) in sets {
        let folder = dir.join(folder);
        let cannot = |path: &Path, e: std::io::Error| HarnessError::File {
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        std::fs::create_dir_all(&folder).map_err(|e| cannot(&folder, e))?;
        for (name, text) in files {
            let path = folder.join(name);
            std::fs::write(&path, text).map_err(|e| cannot(&path, e))?;
            written.push(path);
        }
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_features_and_snapshots_are_compiled_in() {
        assert!(features().iter().any(|(name, text)| *name == "01_sign_in.feature" && text.contains("Feature:")));
        assert!(snapshot_count() > 0);
        assert!(snapshot("no such snapshot").is_none());
    }

    #[test]
    fn export_writes_the_three_folders() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let written = export(dir.path()).expect("exported");
        assert_eq!(written.len(), features().len() + snapshot_count() + generated::REQUESTS.len());
        let feature = std::fs::read_to_string(dir.path().join("features/01_sign_in.feature")).expect("written");
        assert_eq!(feature, features()[0].1);
        assert!(dir.path().join("fixtures/requests/collection-todos.json").is_file());
    }
}
