//! The features a run takes: the built-in set ([`crate::builtin`]) or folders of `.feature` files
//! (`--features DIR`, repeatable; `builtin` names the built-in set among them). They are read and
//! parsed once, before anything starts, each under the path a person finds it at
//! (`features/07_use_the_api_key.feature` for a built-in one, the folder's own path otherwise),
//! and handed to cucumber as they are ([`Parsed`], a cucumber parser). `nocobase-conformance
//! features list|export` shows the built-in set ([`command`]).

use std::path::{Path, PathBuf};

use cucumber::feature::Ext as _;
use cucumber::gherkin::{self, GherkinEnv};

use crate::cli::FeaturesCommand;
use crate::error::{HarnessError, Result};
use crate::report::console::{say, warn};

/// The word `--features` and `--snapshots` take for the built-in set.
pub const BUILT_IN: &str = "builtin";

/// Where features come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeatureSource {
    /// The set compiled into the binary.
    BuiltIn,
    /// A folder of `.feature` files (searched recursively).
    Dir(PathBuf),
}

impl FeatureSource {
    /// `builtin`, or a folder.
    pub fn parse(raw: &Path) -> Self {
        if raw.as_os_str() == BUILT_IN { FeatureSource::BuiltIn } else { FeatureSource::Dir(raw.to_path_buf()) }
    }
}

/// Reads and parses the features of `sources`, in order (a folder's files sorted by path);
/// Scenario Outlines are expanded into one scenario per example, as cucumber runs them.
pub fn load(sources: &[FeatureSource]) -> Result<Vec<gherkin::Feature>> {
    let mut features = Vec::new();
    for source in sources {
        match source {
            FeatureSource::BuiltIn => {
                for (name, text) in crate::builtin::features() {
                    let shown = Path::new(crate::builtin::FEATURES_DIR).join(name);
                    features.push(parse(text, shown)?);
                }
            }
            FeatureSource::Dir(dir) => {
                for path in feature_files(dir)? {
                    let text = std::fs::read_to_string(&path)
                        .map_err(|e| HarnessError::File { path: path.display().to_string(), reason: e.to_string() })?;
                    features.push(parse(&text, path)?);
                }
            }
        }
    }
    Ok(features)
}

/// One feature, shown under `path`.
fn parse(text: &str, path: PathBuf) -> Result<gherkin::Feature> {
    let broken = |reason: String| HarnessError::File { path: path.display().to_string(), reason };
    let mut feature = gherkin::Feature::parse(text, GherkinEnv::default()).map_err(|e| broken(e.to_string()))?;
    feature.path = Some(path.clone());
    feature.expand_examples().map_err(|e| broken(e.to_string()))
}

/// The `.feature` files under `dir`, sorted.
fn feature_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let entries = std::fs::read_dir(dir)
        .map_err(|e| HarnessError::File { path: dir.display().to_string(), reason: e.to_string() })?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(feature_files(&path)?);
        } else if path.extension().is_some_and(|e| e == "feature") {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

/// `features list` and `features export DIR`; the exit code.
pub fn command(command: FeaturesCommand) -> u8 {
    match command {
        FeaturesCommand::List => match load(&[FeatureSource::BuiltIn]) {
            Ok(features) => {
                for feature in features {
                    let file = feature.path.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
                    say(&format!("{file}: {}", feature.name));
                    let in_rules = feature.rules.iter().flat_map(|r| &r.scenarios);
                    for scenario in feature.scenarios.iter().chain(in_rules) {
                        let tags: String = scenario.tags.iter().map(|t| format!(" @{t}")).collect();
                        say(&format!("  {}: {}{tags}", scenario.position.line, scenario.name));
                    }
                }
                0
            }
            Err(error) => {
                warn(&format!("error: {error}"));
                2
            }
        },
        FeaturesCommand::Export { dir } => match crate::builtin::export(&dir) {
            Ok(written) => {
                say(&format!(
                    "Wrote {} files into {}: {}/, {}/ and {}/ (run them with --features {}/{} --snapshots {}/{}).",
                    written.len(),
                    dir.display(),
                    crate::builtin::FEATURES_DIR,
                    crate::builtin::SNAPSHOTS_DIR,
                    crate::builtin::REQUESTS_DIR,
                    dir.display(),
                    crate::builtin::FEATURES_DIR,
                    dir.display(),
                    crate::builtin::SNAPSHOTS_DIR,
                ));
                0
            }
            Err(error) => {
                warn(&format!("error: {error}"));
                2
            }
        },
    }
}

/// A cucumber parser that hands over features parsed already.
#[derive(Debug, Clone, Copy, Default)]
pub struct Parsed;

impl cucumber::Parser<Vec<gherkin::Feature>> for Parsed {
    type Cli = cucumber::cli::Empty;
    type Output = futures::stream::Iter<std::vec::IntoIter<cucumber::parser::Result<gherkin::Feature>>>;

    fn parse(self, features: Vec<gherkin::Feature>, _cli: Self::Cli) -> Self::Output {
        futures::stream::iter(features.into_iter().map(Ok).collect::<Vec<_>>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_features_are_shown_under_the_project_s_path_with_outlines_expanded() {
        let features = load(&[FeatureSource::BuiltIn]).expect("the built-in features parse");
        assert_eq!(features.len(), crate::builtin::features().len());
        assert_eq!(features[0].path.as_deref(), Some(Path::new("features/01_sign_in.feature")));
        let outlines = features.iter().flat_map(|f| &f.scenarios).filter(|s| !s.examples.is_empty());
        assert!(outlines.clone().count() > 0 && outlines.clone().all(|s| !s.name.contains('<')), "expanded");
    }

    #[test]
    fn a_folder_s_features_keep_their_path_and_a_broken_one_is_named() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let good = dir.path().join("a.feature");
        std::fs::write(&good, "Feature: A\n  Scenario: B\n    Given the administrator is signed in\n")
            .expect("written");
        std::fs::write(dir.path().join("b.feature"), "not gherkin at all\n").expect("written");
        let error = load(&[FeatureSource::Dir(dir.path().to_path_buf())]).expect_err("b does not parse").to_string();
        assert!(error.contains("b.feature"), "{error}");
        std::fs::remove_file(dir.path().join("b.feature")).expect("removed");
        let features = load(&[FeatureSource::Dir(dir.path().to_path_buf())]).expect("a parses");
        assert_eq!(features[0].path.as_deref(), Some(good.as_path()));
    }
}
