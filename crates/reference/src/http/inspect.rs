//! Node's `util.inspect` for the plain JSON values that end up in NocoBase error messages, such as
//! Sequelize's `Invalid value { '$includesAny': [ 'milk', 'dog' ] }` for an unknown filter operator.

use serde_json::Value;

const BREAK_LENGTH: usize = 80;

/// Formats `value` as `util.inspect(value)` does with its default options.
pub(crate) fn inspect(value: &Value) -> String {
    render(value, 0, 0)
}

fn render(value: &Value, indent: usize, depth: usize) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => quote(s),
        Value::Array(items) => {
            if items.is_empty() {
                return "[]".to_owned();
            }
            if depth > 2 {
                return "[Array]".to_owned();
            }
            let parts: Vec<String> = items.iter().map(|v| render(v, indent + 2, depth + 1)).collect();
            group('[', ']', &parts, indent)
        }
        Value::Object(map) => {
            if map.is_empty() {
                return "{}".to_owned();
            }
            if depth > 2 {
                return "[Object]".to_owned();
            }
            let parts: Vec<String> =
                map.iter().map(|(k, v)| format!("{}: {}", key(k), render(v, indent + 2, depth + 1))).collect();
            group('{', '}', &parts, indent)
        }
    }
}

fn group(open: char, close: char, parts: &[String], indent: usize) -> String {
    let single = format!("{open} {} {close}", parts.join(", "));
    if single.len() + indent <= BREAK_LENGTH && !single.contains('\n') {
        return single;
    }
    let pad = " ".repeat(indent + 2);
    let inner: Vec<String> = parts.iter().map(|p| format!("{pad}{p}")).collect();
    format!("{open}\n{}\n{}{close}", inner.join(",\n"), " ".repeat(indent))
}

fn key(k: &str) -> String {
    let mut chars = k.chars();
    let identifier = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if identifier { k.to_owned() } else { quote(k) }
}

fn quote(s: &str) -> String {
    // util.inspect prefers single quotes, then double, then backticks.
    let (q, escape) = if !s.contains('\'') {
        ('\'', false)
    } else if !s.contains('"') {
        ('"', false)
    } else if !s.contains('`') {
        ('`', false)
    } else {
        ('\'', true)
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(q);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\\' => out.push_str("\\\\"),
            '\'' if escape => out.push_str("\\'"),
            c => out.push(c),
        }
    }
    out.push(q);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn matches_the_recorded_sequelize_message() {
        // Recording 2.2.15-api/78.
        let value = json!({"$includesAny": ["milk", "dog"]});
        assert_eq!(inspect(&value), "{ '$includesAny': [ 'milk', 'dog' ] }");
    }

    #[test]
    fn identifiers_are_bare_and_quotes_switch() {
        assert_eq!(inspect(&json!({"a_b": 1, "c": null})), "{ a_b: 1, c: null }");
        assert_eq!(inspect(&json!("it's")), "\"it's\"");
    }
}
