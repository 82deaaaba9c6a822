//! `JSON.stringify` of JavaScript values ([`stringify`]) and of the answers the server keeps as
//! `serde_json` values ([`to_json`], [`write_json`]): numbers as
//! JavaScript writes them (`45432386150480445000`, `1e+21`, `-0` as `0`), strings escaped as V8
//! escapes them (lone surrogates as `\udXXX`, see [`super::text`]). Iterative: no value, however
//! deep, recurses on the thread's stack.

use serde_json::Value;

use super::number;
use super::text;
use super::value::{Js, Key};

/// The JSON text of `value`.
pub(crate) fn to_json(value: &Value) -> String {
    let mut out = String::new();
    write_json(value, &mut out);
    out
}

/// Appends the JSON text of `value` to `out`.
pub(crate) fn write_json(value: &Value, out: &mut String) {
    enum Step<'a> {
        Value(&'a Value),
        Text(&'static str),
        Key(&'a str),
    }
    let mut todo = vec![Step::Value(value)];
    while let Some(step) = todo.pop() {
        match step {
            Step::Text(t) => out.push_str(t),
            Step::Key(k) => {
                text::json_quote(k, out);
                out.push(':');
            }
            Step::Value(v) => match v {
                Value::Null => out.push_str("null"),
                Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
                Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
                    (Some(i), _, _) => out.push_str(&i.to_string()),
                    (_, Some(u), _) => out.push_str(&u.to_string()),
                    (_, _, Some(f)) if f.is_finite() => out.push_str(&number::to_string(f)),
                    _ => out.push_str("null"),
                },
                Value::String(s) => text::json_quote(s, out),
                Value::Array(items) => {
                    out.push('[');
                    todo.push(Step::Text("]"));
                    for (i, item) in items.iter().enumerate().rev() {
                        todo.push(Step::Value(item));
                        if i > 0 {
                            todo.push(Step::Text(","));
                        }
                    }
                }
                Value::Object(map) => {
                    out.push('{');
                    todo.push(Step::Text("}"));
                    for (i, (k, item)) in map.iter().enumerate().rev() {
                        todo.push(Step::Value(item));
                        todo.push(Step::Key(k));
                        if i > 0 {
                            todo.push(Step::Text(","));
                        }
                    }
                }
            },
        }
    }
}

/// `JSON.stringify(value)` (`undefined` for `undefined` itself, as JavaScript gives no text).
pub(crate) fn stringify(value: &Js) -> Option<String> {
    if matches!(value, Js::Undefined) {
        return None;
    }
    let mut out = String::new();
    // An explicit stack: (value, index of the next child to write).
    enum Step<'a> {
        Value(&'a Js),
        Text(&'static str),
        Key(&'a str),
    }
    let mut todo = vec![Step::Value(value)];
    while let Some(step) = todo.pop() {
        match step {
            Step::Text(t) => out.push_str(t),
            Step::Key(k) => {
                text::json_quote(k, &mut out);
                out.push(':');
            }
            Step::Value(v) => match v {
                Js::Undefined | Js::Null => out.push_str("null"),
                Js::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
                Js::Num(n) if n.is_finite() => out.push_str(&number::to_string(*n)),
                Js::Num(_) => out.push_str("null"),
                Js::Str(s) | Js::Literal(s) => text::json_quote(s, &mut out),
                Js::Arr(items) => {
                    out.push('[');
                    todo.push(Step::Text("]"));
                    for (i, item) in items.iter().enumerate().rev() {
                        todo.push(Step::Value(item));
                        if i > 0 {
                            todo.push(Step::Text(","));
                        }
                    }
                }
                Js::Obj(obj) => {
                    out.push('{');
                    todo.push(Step::Text("}"));
                    let entries: Vec<(&str, &Js)> = obj
                        .keys()
                        .into_iter()
                        .filter_map(|k| obj.get(&Key::str(k)).map(|v| (k, v)))
                        .filter(|(_, v)| !matches!(v, Js::Undefined))
                        .collect();
                    for (i, (k, v)) in entries.into_iter().enumerate().rev() {
                        todo.push(Step::Value(v));
                        todo.push(Step::Key(k));
                        if i > 0 {
                            todo.push(Step::Text(","));
                        }
                    }
                }
            },
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_and_strings_as_javascript_writes_them() {
        let d = format!("x\u{1}{}", text::from_utf16(&[0xD800]));
        let value = json!({"a": 45432386150480445440.0_f64, "b": 1.5, "c": [1, -0.0_f64], "d": d});
        assert_eq!(to_json(&value), "{\"a\":45432386150480445000,\"b\":1.5,\"c\":[1,0],\"d\":\"x\\u0001\\ud800\"}");
    }
}
