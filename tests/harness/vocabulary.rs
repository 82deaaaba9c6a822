//! The README's step vocabulary cannot go stale: it is the list of step definitions read from
//! `src/steps/*.rs` (`#[given(…)]`, `#[when(…)]`, `#[then(…)]`), and this test fails, printing
//! the list to paste, when the README's block differs.

use std::sync::LazyLock;

use regex::Regex;

use super::support::project;

const BEGIN: &str = "<!-- steps:begin";
const END: &str = "<!-- steps:end -->";

/// A step attribute: its keyword, and its cucumber expression, regex or plain text.
static STEP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r##"(?s)#\[(given|when|then)\(\s*(?:(expr|regex)\s*=\s*)?(?:r#"(.*?)"#|"((?:[^"\\]|\\.)*)")\s*,?\s*\)\]"##,
    )
    .expect("valid")
});

/// The vocabulary as the README lists it: per file, each step with its keyword.
fn vocabulary() -> String {
    let dir = project().join("src/steps");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("src/steps")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    let mut out = String::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable");
        let steps: Vec<String> = STEP
            .captures_iter(&text)
            .map(|c| {
                let keyword = match &c[1] {
                    "given" => "Given",
                    "when" => "When",
                    _ => "Then",
                };
                let raw = c.get(3).or(c.get(4)).map(|m| m.as_str()).unwrap_or_default();
                let step = if c.get(3).is_some() { raw.to_owned() } else { raw.replace("\\\"", "\"") };
                let kind = if c.get(2).is_some_and(|k| k.as_str() == "regex") { " *(regex)*" } else { "" };
                format!("- {keyword} `{step}`{kind}\n")
            })
            .collect();
        if steps.is_empty() {
            continue;
        }
        let name = file.file_name().expect("a name").to_string_lossy().into_owned();
        out.push_str(&format!("\n`src/steps/{name}`\n\n"));
        out.extend(steps);
    }
    out
}

#[test]
fn the_readme_lists_every_step_definition_and_nothing_else() {
    let readme = std::fs::read_to_string(project().join("README.md")).expect("README.md");
    let start = readme.find(BEGIN).expect("the README has a step vocabulary block");
    let body_start = start + readme[start..].find("-->").expect("the begin marker closes") + 3;
    let end = readme.find(END).expect("the block ends");
    let listed = &readme[body_start..end];
    let expected = vocabulary();
    assert!(expected.matches("\n- ").count() > 50, "the steps were read: {expected}");
    assert_eq!(
        listed.trim(),
        expected.trim(),
        "the README's step vocabulary differs from src/steps; paste this between the markers:\n{expected}"
    );
}

#[test]
fn the_reader_finds_each_kind_of_step_attribute() {
    let text = r##"#[given(expr = "a {string}")]
#[when("plain \"quoted\"")]
#[then(
    regex = r#"^x (.+)$"#
)]"##;
    let found: Vec<String> = STEP
        .captures_iter(text)
        .map(|c| c.get(3).or(c.get(4)).map(|m| m.as_str().to_owned()).unwrap_or_default())
        .collect();
    assert_eq!(found, ["a {string}", "plain \\\"quoted\\\"", "^x (.+)$"]);
}
