//! insta's `.snap` file format, read and written without insta: the contents of a built-in
//! snapshot (compiled in, so no file to hand insta), and the files `record` writes — byte for
//! byte what `insta::assert_json_snapshot!` writes with the suite's settings (sorted maps, no
//! expression, the scenario as description), so that `cargo insta review` reads them.

use std::path::Path;

use serde_json::Value;

use crate::error::{HarnessError, Result};

/// The `source:` a snapshot names: the module that checks snapshots (insta records the file of
/// its assertion there; nothing reads it back).
const SOURCE: &str = "src/check/snapshot.rs";

/// The JSON a snapshot file holds, `name` naming it in errors.
pub(crate) fn contents(text: &str, name: &str) -> Result<Value> {
    let broken = |reason: String| HarnessError::File { path: name.to_owned(), reason };
    let body = text
        .strip_prefix("---\n")
        .and_then(|rest| rest.split_once("\n---\n"))
        .map(|(_, body)| body)
        .ok_or_else(|| broken("not a snapshot: no `---` header".into()))?;
    serde_json::from_str(body).map_err(|e| broken(format!("its contents are not JSON: {e}")))
}

/// A snapshot file holding `value` (its maps sorted by key, as insta sorts them for the suite),
/// described by `description`.
pub(crate) fn render(description: &str, value: &Value) -> String {
    let value = sorted(value);
    let json = serde_json::to_string_pretty(&value).unwrap_or_else(|_| value.to_string());
    format!("---\nsource: {SOURCE}\ndescription: {}\n---\n{json}\n", yaml_string(description))
}

/// `value` with every map's keys in order.
fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k.clone(), sorted(v))).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// Writes the snapshot file `path` holding `value` (its folder made if missing).
pub(crate) fn write(path: &Path, description: &str, value: &Value) -> Result<()> {
    let cannot = |e: std::io::Error| HarnessError::File { path: path.display().to_string(), reason: e.to_string() };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(cannot)?;
    }
    std::fs::write(path, render(description, value)).map_err(cannot)
}

/// A string as insta's YAML writer writes it: bare, or in double quotes when YAML would read it
/// as something else.
fn yaml_string(text: &str) -> String {
    let special_start = text.starts_with(['&', '*', '?', '|', '-', '<', '>', '=', '!', '%', '@', '.', ' ']);
    let special_char = text.contains(|c: char| {
        matches!(
            c,
            ':' | '{' | '}' | '[' | ']' | ',' | '#' | '`' | '"' | '\'' | '\\' | '\0'..='\x06' | '\t' | '\n' | '\r'
                | '\x0e'..='\x1a' | '\x1c'..='\x1f'
        )
    });
    let reserved = [
        "yes", "Yes", "YES", "no", "No", "NO", "True", "TRUE", "true", "False", "FALSE", "false", "on", "On", "ON",
        "off", "Off", "OFF", "null", "Null", "NULL", "~",
    ]
    .contains(&text);
    let quoted = text.is_empty()
        || special_start
        || text.ends_with(' ')
        || special_char
        || reserved
        || text.starts_with("0x")
        || text.parse::<i64>().is_ok()
        || text.parse::<f64>().is_ok();
    if quoted { serde_json::to_string(text).unwrap_or_else(|_| format!("{text:?}")) } else { text.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The description a snapshot file gives, as written.
    fn description(text: &str) -> String {
        let line = text.lines().find_map(|l| l.strip_prefix("description: ")).expect("a description");
        if line.starts_with('"') { serde_json::from_str(line).expect("a JSON string") } else { line.to_owned() }
    }

    #[test]
    fn every_committed_snapshot_is_read_and_written_back_byte_for_byte() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots");
        let mut checked = 0;
        for entry in std::fs::read_dir(&dir).expect("the snapshots folder").flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "snap") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("readable");
            let value = contents(&text, &path.display().to_string()).expect("JSON contents");
            let by_insta = insta::Snapshot::from_file(&path).expect("insta reads it");
            let insta_text = by_insta.as_text().expect("a text snapshot").to_string();
            assert_eq!(value, serde_json::from_str::<Value>(&insta_text).expect("JSON"), "{}", path.display());
            assert_eq!(render(&description(&text), &value), text, "{}", path.display());
            checked += 1;
        }
        assert!(checked > 0, "no snapshot was checked");
    }

    #[test]
    fn maps_are_written_sorted() {
        let text = render("d", &serde_json::json!({"status": 200, "body": {"b": 1, "a": [{"z": 0, "y": 1}]}}));
        assert!(text.ends_with("{\n  \"body\": {\n    \"a\": [\n      {\n        \"y\": 1,\n        \"z\": 0\n      }\n    ],\n    \"b\": 1\n  },\n  \"status\": 200\n}\n"), "{text}");
    }

    #[test]
    fn descriptions_yaml_would_misread_are_quoted() {
        assert_eq!(yaml_string("Listing the to-dos"), "Listing the to-dos");
        assert_eq!(yaml_string("The key's role"), "\"The key's role\"");
        assert_eq!(yaml_string("Calling with \"X-Role: root\""), "\"Calling with \\\"X-Role: root\\\"\"");
        assert_eq!(yaml_string("true"), "\"true\"");
        assert_eq!(yaml_string("- a list?"), "\"- a list?\"");
    }
}
