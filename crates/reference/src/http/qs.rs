//! A query-string parser with the semantics of the `qs` package as NocoBase configures it
//! (`strictNullHandling`, `arrayLimit: 100`, depth 5): `a[b][c]=1` nests, `a[]=x&a[]=y` and
//! `a=x&a=y` make arrays, `a[0]=x` makes an array when the index is small, `a` alone is `null`.

use percent_encoding::percent_decode_str;
use serde_json::{Map, Value};

const ARRAY_LIMIT: usize = 100;
const DEPTH: usize = 5;
const PARAMETER_LIMIT: usize = 1000;

/// A node while the query is being assembled; arrays keep their explicit indexes until the end.
#[derive(Debug, Clone)]
enum Node {
    Leaf(Value),
    Array(Vec<(usize, Node)>),
    Object(Vec<(String, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
enum Segment {
    Key(String),
    Push,
    Index(usize),
}

/// Parses a raw query string (without the leading `?`) into a JSON object.
pub(crate) fn parse(query: &str) -> Map<String, Value> {
    let mut root: Vec<(String, Node)> = Vec::new();
    for part in query.split('&').filter(|p| !p.is_empty()).take(PARAMETER_LIMIT) {
        let (raw_key, raw_value) = split_pair(part);
        let key = decode(raw_key);
        if key.is_empty() {
            continue;
        }
        let (head, rest) = segments(&key);
        // `allowPrototypes: false`: a key naming an `Object.prototype` property is dropped,
        // at the top or any depth (recordings 2.2.15-offpath/537-541).
        if crate::js::OBJECT_PROTOTYPE.contains(&head.as_str())
            || rest.iter().any(|s| matches!(s, Segment::Key(k) if crate::js::OBJECT_PROTOTYPE.contains(&k.as_str())))
        {
            continue;
        }
        let leaf = match raw_value {
            Some(v) => Value::String(decode(v)),
            None => Value::Null,
        };
        insert_into_object(&mut root, head, &rest, Node::Leaf(leaf));
    }
    let mut out = Map::new();
    for (k, node) in root {
        out.insert(k, finish(node));
    }
    out
}

fn split_pair(part: &str) -> (&str, Option<&str>) {
    // qs splits at "]=" when the key holds brackets, else at the first "=".
    let pos = match part.find("]=") {
        Some(p) => Some(p + 1),
        None => part.find('='),
    };
    match pos {
        Some(p) => (&part[..p], Some(&part[p + 1..])),
        None => (part, None),
    }
}

/// A query component: `+` as a space, then percent-decoding (kept as it is when not UTF-8).
pub(crate) fn decode_component(raw: &str) -> String {
    decode(raw)
}

fn decode(raw: &str) -> String {
    let spaced = raw.replace('+', " ");
    let decoded = percent_decode_str(&spaced).decode_utf8().map(|c| c.into_owned()).unwrap_or(spaced);
    crate::js::text::from_outside(decoded)
}

/// `a[b][]` → ("a", [Key b, Push]); deeper than `DEPTH` keeps the rest as one literal key.
fn segments(key: &str) -> (String, Vec<Segment>) {
    let Some(open) = key.find('[').filter(|&i| i > 0) else {
        return (key.to_owned(), Vec::new());
    };
    let head = key[..open].to_owned();
    let mut rest = &key[open..];
    let mut out = Vec::new();
    while rest.starts_with('[') && out.len() < DEPTH {
        let Some(close) = rest.find(']') else { break };
        let inner = &rest[1..close];
        out.push(if inner.is_empty() {
            Segment::Push
        } else if let Ok(index) = inner.parse::<usize>() {
            if index <= ARRAY_LIMIT && inner == index.to_string() {
                Segment::Index(index)
            } else {
                Segment::Key(inner.to_owned())
            }
        } else {
            Segment::Key(inner.to_owned())
        });
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        out.push(Segment::Key(rest.to_owned()));
    }
    (head, out)
}

fn insert_into_object(fields: &mut Vec<(String, Node)>, key: String, path: &[Segment], leaf: Node) {
    let pos = fields.iter().position(|(k, _)| *k == key);
    match (pos, path.is_empty()) {
        (Some(i), true) => {
            let existing = std::mem::replace(&mut fields[i].1, Node::Leaf(Value::Null));
            fields[i].1 = combine(existing, leaf);
        }
        (None, true) => fields.push((key, leaf)),
        (Some(i), false) => insert_into(&mut fields[i].1, path, leaf),
        (None, false) => {
            let mut child = empty_for(&path[0]);
            insert_into(&mut child, path, leaf);
            fields.push((key, child));
        }
    }
}

fn empty_for(segment: &Segment) -> Node {
    match segment {
        Segment::Key(_) => Node::Object(Vec::new()),
        Segment::Push | Segment::Index(_) => Node::Array(Vec::new()),
    }
}

fn insert_into(node: &mut Node, path: &[Segment], leaf: Node) {
    let (first, rest) = (&path[0], &path[1..]);
    // A key segment on an array turns the array into an object keyed by index, as qs does.
    if let (Node::Array(items), Segment::Key(_)) = (&*node, first) {
        let fields = items.iter().map(|(i, n)| (i.to_string(), n.clone())).collect();
        *node = Node::Object(fields);
    }
    if let Node::Leaf(value) = &*node {
        // `a=1&a[b]=2`: qs keeps both; we make the earlier value an array element / key.
        let old = Node::Leaf(value.clone());
        *node = match first {
            Segment::Key(_) => Node::Object(vec![("0".to_owned(), old)]),
            _ => Node::Array(vec![(0, old)]),
        };
    }
    match (node, first) {
        (Node::Object(fields), Segment::Key(k)) => insert_into_object(fields, k.clone(), rest, leaf),
        (Node::Object(fields), Segment::Push) => {
            let next = fields.len().to_string();
            insert_into_object(fields, next, rest, leaf)
        }
        (Node::Object(fields), Segment::Index(i)) => insert_into_object(fields, i.to_string(), rest, leaf),
        (Node::Array(items), Segment::Push) => {
            let next = items.iter().map(|(i, _)| i + 1).max().unwrap_or(0);
            if rest.is_empty() {
                items.push((next, leaf));
            } else {
                let mut child = empty_for(&rest[0]);
                insert_into(&mut child, rest, leaf);
                items.push((next, child));
            }
        }
        (Node::Array(items), Segment::Index(i)) => match items.iter().position(|(j, _)| j == i) {
            Some(p) if rest.is_empty() => {
                let existing = std::mem::replace(&mut items[p].1, Node::Leaf(Value::Null));
                items[p].1 = combine(existing, leaf);
            }
            Some(p) => insert_into(&mut items[p].1, rest, leaf),
            None if rest.is_empty() => items.push((*i, leaf)),
            None => {
                let mut child = empty_for(&rest[0]);
                insert_into(&mut child, rest, leaf);
                items.push((*i, child));
            }
        },
        (Node::Array(_), Segment::Key(_)) | (Node::Leaf(_), _) => {
            unreachable!("arrays and leaves were converted above")
        }
    }
}

/// Repeated keys: `a=1&a=2` → `["1","2"]`.
fn combine(existing: Node, new: Node) -> Node {
    match existing {
        Node::Array(mut items) => {
            let next = items.iter().map(|(i, _)| i + 1).max().unwrap_or(0);
            items.push((next, new));
            Node::Array(items)
        }
        other => Node::Array(vec![(0, other), (1, new)]),
    }
}

fn finish(node: Node) -> Value {
    match node {
        Node::Leaf(v) => v,
        Node::Array(mut items) => {
            items.sort_by_key(|(i, _)| *i);
            Value::Array(items.into_iter().map(|(_, n)| finish(n)).collect())
        }
        Node::Object(fields) => Value::Object(fields.into_iter().map(|(k, n)| (k, finish(n))).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn qs(s: &str) -> Value {
        Value::Object(parse(s))
    }

    #[test]
    fn brackets_nest() {
        assert_eq!(qs("filter[title][$includes]=dog"), json!({"filter":{"title":{"$includes":"dog"}}}));
    }

    #[test]
    fn arrays_from_pushes_indexes_and_repeats() {
        assert_eq!(qs("appends[]=a&appends[]=b"), json!({"appends":["a","b"]}));
        assert_eq!(qs("a[1]=y&a[0]=x"), json!({"a":["x","y"]}));
        assert_eq!(qs("a=1&a=2"), json!({"a":["1","2"]}));
        assert_eq!(
            qs("filter[$or][0][title]=sleep&filter[$or][1][title]=eat+food"),
            json!({"filter":{"$or":[{"title":"sleep"},{"title":"eat food"}]}})
        );
    }

    #[test]
    fn strict_null_and_decoding() {
        assert_eq!(qs("paginate&x=%7B%22a%22%3A1%7D"), json!({"paginate":null,"x":"{\"a\":1}"}));
        assert_eq!(qs("a[101]=x"), json!({"a":{"101":"x"}}));
    }
}
