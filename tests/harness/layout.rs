//! The tree keeps its shape: no import circle between the modules of either crate (a folder
//! counts as one module; inside a folder, between its files), and a `//!` line atop every file.
//! Imports are read from the sources (`crate::a::…`, `super::b`), so the check runs anywhere:
//! `cargo test --test harness layout`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use regex::Regex;

/// Every `.rs` file under `dir`, with its path relative to `dir`.
fn sources(dir: &Path) -> Vec<(String, String)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).expect("a source folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path.strip_prefix(root).expect("under the root").to_string_lossy().replace('\\', "/");
                out.push((relative, std::fs::read_to_string(&path).expect("readable")));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// The crates' source folders.
fn crate_roots() -> Vec<PathBuf> {
    let project = crate::common::project();
    vec![project.join("src"), project.join("crates/reference/src")]
}

/// Lines that are code, not comments.
fn code(text: &str) -> String {
    text.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

/// The names a `use` tree or a path names right after `prefix` (`prefix::a`, `prefix::{a, b::c}`).
fn named_after(text: &str, prefix: &str) -> BTreeSet<String> {
    let single = Regex::new(&format!(r"\b{prefix}::(\w+)")).expect("a pattern");
    let group = Regex::new(&format!(r"\b{prefix}::\{{([^}}]*)\}}")).expect("a pattern");
    let mut names: BTreeSet<String> = single.captures_iter(text).map(|c| c[1].to_owned()).collect();
    for c in group.captures_iter(text) {
        for item in c[1].split(',') {
            if let Some(first) = item.trim().split("::").next().filter(|s| !s.is_empty()) {
                names.insert(first.to_owned());
            }
        }
    }
    names
}

/// The module a file belongs to at the top of its crate: `run/select.rs` → `run`, `cli.rs` → `cli`.
fn top(file: &str) -> &str {
    file.split('/').next().unwrap_or(file).trim_end_matches(".rs")
}

/// A circle in `edges`, if there is one (depth-first search).
fn circle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut found = path[at..].to_vec();
            found.push(node.to_owned());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, edges, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    edges.keys().find_map(|node| visit(node, edges, &mut Vec::new(), &mut done))
}

/// Module → the modules it imports, at the top of a crate (folders as one module).
fn top_level_imports(files: &[(String, String)]) -> BTreeMap<String, BTreeSet<String>> {
    let modules: BTreeSet<&str> = files.iter().map(|(f, _)| top(f)).collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (file, text) in files {
        let from = top(file);
        if matches!(from, "lib" | "main") {
            continue; // the crate root declares every module
        }
        for to in named_after(&code(text), "crate") {
            if to != from && modules.contains(to.as_str()) {
                edges.entry(from.to_owned()).or_default().insert(to);
            }
        }
    }
    edges
}

/// File → the sibling files it imports, inside each folder (`crate::f::x` or `super::x`); the
/// folder's `mod.rs` is the folder itself, not a sibling.
fn in_folder_imports(files: &[(String, String)]) -> BTreeMap<String, BTreeSet<String>> {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (file, text) in files {
        let Some((folder, name)) = file.rsplit_once('/') else { continue };
        if name == "mod.rs" {
            continue;
        }
        let siblings: BTreeSet<String> = files
            .iter()
            .filter_map(|(f, _)| f.strip_prefix(&format!("{folder}/")))
            .filter(|rest| !rest.starts_with("mod.rs"))
            .map(|rest| rest.split('/').next().unwrap_or(rest).trim_end_matches(".rs").to_owned())
            .collect();
        let text = code(text);
        let mut named = named_after(&text, "super");
        named.extend(named_after(&text, &format!("crate::{}", folder.replace('/', "::"))));
        let from = format!("{folder}/{}", name.trim_end_matches(".rs"));
        for to in named.into_iter().filter(|n| siblings.contains(n)) {
            let to = format!("{folder}/{to}");
            if to != from {
                edges.entry(from.clone()).or_default().insert(to);
            }
        }
    }
    edges
}

#[test]
fn no_module_imports_a_module_that_imports_it_back() {
    for root in crate_roots() {
        // Arrange
        let files = sources(&root);

        // Act
        let top_level = circle(&top_level_imports(&files));
        let in_folders = circle(&in_folder_imports(&files));

        // Assert
        assert_eq!(top_level, None, "an import circle between the top-level modules of {}", root.display());
        assert_eq!(in_folders, None, "an import circle between the files of a folder of {}", root.display());
    }
}

#[test]
fn the_circle_finder_finds_a_circle() {
    let files = vec![
        ("a.rs".to_owned(), "use crate::b::X;".to_owned()),
        ("b/mod.rs".to_owned(), "mod c;".to_owned()),
        ("b/c.rs".to_owned(), "use crate::a::Y;\nuse super::d;".to_owned()),
        ("b/d.rs".to_owned(), "// use super::c;\nuse crate::b::{c::Z};".to_owned()),
    ];
    assert_eq!(circle(&top_level_imports(&files)), Some(vec!["a".into(), "b".into(), "a".into()]));
    assert_eq!(circle(&in_folder_imports(&files)), Some(vec!["b/c".into(), "b/d".into(), "b/c".into()]));
}

#[test]
fn every_source_file_opens_with_a_doc_line() {
    let mut undocumented = Vec::new();
    for root in crate_roots() {
        for (file, text) in sources(&root) {
            if !text.trim_start().starts_with("//!") {
                undocumented.push(format!("{}/{file}", root.display()));
            }
        }
    }
    assert_eq!(undocumented, Vec::<String>::new(), "files without a `//!` line at the top");
}
