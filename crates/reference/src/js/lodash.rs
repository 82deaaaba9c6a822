//! The lodash 4 functions NocoBase builds filters with: `_.set` and `_.get` (paths given as arrays
//! of keys, or as strings read by `castPath`/`stringToPath`: `a.b`, `a[0]`, `a["b.c"]`), with
//! lodash's rules — `__proto__`, `constructor` and `prototype` are never set, a missing step
//! becomes an array when the next key is an index (`isIndex`) and an object otherwise.

use super::value::{Js, Key, Obj, array_index};

/// How far past its end an array may be written: NocoBase's arrays are sparse (`a[1e8] = 1`
/// costs nothing in V8); the reference server keeps arrays dense, so a write further out is
/// dropped rather than allocating the gap.
pub(crate) const MAX_ARRAY_GAP: usize = 10_000;

/// lodash's `isIndex(value)` for a path key: `0`, `17` (no sign, no leading zero), below 2⁵³.
pub(crate) fn is_index(key: &Key) -> bool {
    match key {
        Key::Sym(_) => false,
        Key::Str(s) => {
            (s == "0" || (!s.is_empty() && !s.starts_with('0') && s.bytes().all(|b| b.is_ascii_digit())))
                && s.len() <= 16
                && s.parse::<u64>().is_ok_and(|n| n < 9_007_199_254_740_991)
        }
    }
}

/// `castPath(path, object)` for a string path.
pub(crate) fn cast_path(path: &str, object: &Js) -> Vec<Key> {
    if is_key(path, object) { vec![Key::str(path)] } else { string_to_path(path).into_iter().map(Key::Str).collect() }
}

/// lodash's `isKey`: a plain property name (`/^\w*$/`), one without `.` or `[…]`, or a key
/// the object already has.
fn is_key(path: &str, object: &Js) -> bool {
    let plain = path.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    plain || !is_deep(path) || object.get(path).is_some() || super::OBJECT_PROTOTYPE.contains(&path)
}

/// `reIsDeepProp`: `/\.|\[(?:[^[\]]*|(["'])(?:(?!\1)[^\\]|\\.)*?\1)\]/`.
fn is_deep(path: &str) -> bool {
    let chars: Vec<char> = path.chars().collect();
    if chars.contains(&'.') {
        return true;
    }
    (0..chars.len())
        .any(|i| chars[i] == '[' && (bracket_plain(&chars, i + 1).is_some() || bracket_quoted(&chars, i + 1).is_some()))
}

/// `[^[\]]*\]` from `from`: the index after the `]`.
fn bracket_plain(chars: &[char], from: usize) -> Option<usize> {
    let mut i = from;
    while i < chars.len() && chars[i] != '[' && chars[i] != ']' {
        i += 1;
    }
    (i < chars.len() && chars[i] == ']').then_some(i + 1)
}

/// `(["'])((?:(?!\1)[^\\]|\\.)*?)\1\]` from `from`: the unescaped text and the index after `]`.
fn bracket_quoted(chars: &[char], from: usize) -> Option<(String, usize)> {
    let quote = *chars.get(from).filter(|c| **c == '"' || **c == '\'')?;
    let mut i = from + 1;
    loop {
        let c = *chars.get(i)?;
        if c == quote && chars.get(i + 1) == Some(&']') {
            let raw: String = chars[from + 1..i].iter().collect();
            return Some((unescape(&raw), i + 2));
        }
        if c == '\\' {
            chars.get(i + 1)?;
            i += 2;
        } else if c == quote {
            return None;
        } else {
            i += 1;
        }
    }
}

/// `subString.replace(/\\(\\)?/g, '$1')`.
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if chars.peek() == Some(&'\\') {
                chars.next();
                out.push('\\');
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `[-?\d+(\.\d+)?]` from `from` (after the `[`): the number's text and the index after `]`.
fn bracket_number(chars: &[char], from: usize) -> Option<(String, usize)> {
    let mut i = from;
    if chars.get(i) == Some(&'-') {
        i += 1;
    }
    let digits = i;
    while chars.get(i).is_some_and(char::is_ascii_digit) {
        i += 1;
    }
    if i == digits {
        return None;
    }
    if chars.get(i) == Some(&'.') && chars.get(i + 1).is_some_and(char::is_ascii_digit) {
        i += 1;
        while chars.get(i).is_some_and(char::is_ascii_digit) {
            i += 1;
        }
    }
    (chars.get(i) == Some(&']')).then(|| (chars[from..i].iter().collect(), i + 1))
}

/// lodash's `stringToPath` (`rePropName` applied globally).
pub(crate) fn string_to_path(path: &str) -> Vec<String> {
    let chars: Vec<char> = path.chars().collect();
    let mut out = Vec::new();
    if chars.first() == Some(&'.') {
        out.push(String::new());
    }
    let separator =
        |i: usize| chars.get(i) == Some(&'.') || (chars.get(i) == Some(&'[') && chars.get(i + 1) == Some(&']'));
    let separator_len = |i: usize| if chars.get(i) == Some(&'.') { 1 } else { 2 };
    let mut i = 0;
    while i <= chars.len() {
        if i < chars.len() && !matches!(chars[i], '.' | '[' | ']') {
            let start = i;
            while i < chars.len() && !matches!(chars[i], '.' | '[' | ']') {
                i += 1;
            }
            out.push(chars[start..i].iter().collect());
            continue;
        }
        if chars.get(i) == Some(&'[') {
            if let Some((number, end)) = bracket_number(&chars, i + 1) {
                out.push(number);
                i = end;
                continue;
            }
            if let Some((text, end)) = bracket_quoted(&chars, i + 1) {
                out.push(text);
                i = end;
                continue;
            }
        }
        if separator(i) {
            let after = i + separator_len(i);
            if after >= chars.len() || separator(after) {
                out.push(String::new());
            }
        }
        i += 1;
    }
    out
}

fn forbidden(key: &Key) -> bool {
    matches!(key, Key::Str(s) if s == "__proto__" || s == "constructor" || s == "prototype")
}

/// `obj[key]` of an object or an array (`None` when absent or not a container).
fn child<'a>(container: &'a Js, key: &Key) -> Option<&'a Js> {
    match (container, key) {
        (Js::Obj(o), key) => o.get(key),
        (Js::Arr(items), Key::Str(s)) => {
            array_index(s).and_then(|i| items.get(i as usize)).filter(|v| !matches!(v, Js::Undefined))
        }
        _ => None,
    }
}

/// `container[key] = value` on an object or an array; `false` when the array write was dropped.
fn assign(container: &mut Js, key: &Key, value: Js) {
    match (container, key) {
        (Js::Obj(o), key) => o.insert(key.clone(), value),
        (Js::Arr(items), Key::Str(s)) => {
            if let Some(i) = array_index(s).map(|i| i as usize) {
                if i < items.len() {
                    items[i] = value;
                } else if i - items.len() <= MAX_ARRAY_GAP {
                    items.resize(i, Js::Undefined);
                    items.push(value);
                }
            }
        }
        _ => {}
    }
}

/// `_.set(object, path, value)` with an array path.
pub(crate) fn set(object: &mut Js, path: &[Key], value: Js) {
    if !object.is_object_like() || path.is_empty() {
        return;
    }
    let mut nested: &mut Js = object;
    let last = path.len() - 1;
    let mut value = Some(value);
    for (index, key) in path.iter().enumerate() {
        if forbidden(key) {
            return;
        }
        if index == last {
            assign(nested, key, value.take().unwrap_or_default());
            return;
        }
        let existing = child(nested, key).filter(|v| v.is_object_like()).is_some();
        if !existing {
            let fresh = if is_index(&path[index + 1]) { Js::Arr(Vec::new()) } else { Js::Obj(Obj::new()) };
            assign(nested, key, fresh);
        }
        let next = match (nested, key) {
            (Js::Obj(o), key) => o.get_mut(key),
            (Js::Arr(items), Key::Str(s)) => array_index(s).and_then(|i| items.get_mut(i as usize)),
            _ => None,
        };
        match next {
            Some(n) if n.is_object_like() => nested = n,
            _ => return,
        }
    }
}

/// `_.get(object, path)` with an array path.
pub(crate) fn get<'a>(object: &'a Js, path: &[Key]) -> Option<&'a Js> {
    let mut current = object;
    for key in path {
        current = child(current, key)?;
    }
    if path.is_empty() { None } else { Some(current) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_paths_as_lodash_reads_them() {
        assert_eq!(string_to_path("a.b"), ["a", "b"]);
        assert_eq!(string_to_path("a[0].b"), ["a", "0", "b"]);
        assert_eq!(string_to_path("a[\"b.c\"]"), ["a", "b.c"]);
        assert_eq!(string_to_path(".a"), ["", "a"]);
        assert_eq!(string_to_path("a..b"), ["a", "", "b"]);
        assert_eq!(string_to_path("a."), ["a", ""]);
        assert_eq!(cast_path("title.$foo", &Js::Obj(Obj::new())), [Key::str("title"), Key::str("$foo")]);
        assert_eq!(cast_path("", &Js::Obj(Obj::new())), [Key::str("")]);
        assert_eq!(cast_path("a b", &Js::Obj(Obj::new())), [Key::str("a b")]);
    }

    #[test]
    fn set_builds_arrays_for_index_keys_and_skips_prototype_keys() {
        let mut o = Js::Obj(Obj::new());
        set(&mut o, &[Key::str("$and"), Key::str("0"), Key::str("a")], Js::Num(1.0));
        set(&mut o, &[Key::str("__proto__"), Key::str("x")], Js::Num(1.0));
        set(&mut o, &[Key::str("t"), Key::str("constructor")], Js::Num(1.0));
        let expected = crate::js::json::parse(r#"{"$and":[{"a":1}],"t":{}}"#).expect("json").value;
        assert_eq!(o, expected);
        assert_eq!(get(&o, &[Key::str("$and"), Key::str("0"), Key::str("a")]), Some(&Js::Num(1.0)));
    }
}
