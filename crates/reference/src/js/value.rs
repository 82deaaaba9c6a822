//! JavaScript values as NocoBase's Node code holds them: numbers are doubles, objects keep
//! JavaScript's key order (array-index keys ascending, then the others in insertion order, then
//! symbols), arrays may hold holes, and Sequelize's operator symbols (`Op.eq`) are keys of their
//! own. Filters are ported from NocoBase's JavaScript onto these, so that every odd input takes
//! the path it takes there.

/// A Sequelize operator symbol (`Op.eq`, `Op.and`, …), with the SQL `OperatorMap` of the SQLite
/// dialect (`sequelize/lib/dialects/abstract/query-generator/operators.js`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Op {
    Eq,
    Ne,
    Gte,
    Gt,
    Lte,
    Lt,
    Not,
    Is,
    In,
    NotIn,
    Like,
    NotLike,
    ILike,
    NotILike,
    StartsWith,
    EndsWith,
    Substring,
    Regexp,
    NotRegexp,
    IRegexp,
    NotIRegexp,
    Between,
    NotBetween,
    Overlap,
    Contains,
    Contained,
    Adjacent,
    StrictLeft,
    StrictRight,
    NoExtendRight,
    NoExtendLeft,
    And,
    Or,
    Any,
    All,
    Values,
    Col,
    Placeholder,
    Join,
    Match,
}

/// Every operator, its `Op` key and its SQL (in `for (key in Op)` order).
const OPERATORS: &[(Op, &str, Option<&str>)] = &[
    (Op::Eq, "eq", Some("=")),
    (Op::Ne, "ne", Some("!=")),
    (Op::Gte, "gte", Some(">=")),
    (Op::Gt, "gt", Some(">")),
    (Op::Lte, "lte", Some("<=")),
    (Op::Lt, "lt", Some("<")),
    (Op::Not, "not", Some("IS NOT")),
    (Op::Is, "is", Some("IS")),
    (Op::In, "in", Some("IN")),
    (Op::NotIn, "notIn", Some("NOT IN")),
    (Op::Like, "like", Some("LIKE")),
    (Op::NotLike, "notLike", Some("NOT LIKE")),
    (Op::ILike, "iLike", Some("ILIKE")),
    (Op::NotILike, "notILike", Some("NOT ILIKE")),
    (Op::StartsWith, "startsWith", Some("LIKE")),
    (Op::EndsWith, "endsWith", Some("LIKE")),
    (Op::Substring, "substring", Some("LIKE")),
    (Op::Regexp, "regexp", Some("REGEXP")),
    (Op::NotRegexp, "notRegexp", Some("NOT REGEXP")),
    (Op::IRegexp, "iRegexp", Some("~*")),
    (Op::NotIRegexp, "notIRegexp", Some("!~*")),
    (Op::Between, "between", Some("BETWEEN")),
    (Op::NotBetween, "notBetween", Some("NOT BETWEEN")),
    (Op::Overlap, "overlap", Some("&&")),
    (Op::Contains, "contains", Some("@>")),
    (Op::Contained, "contained", Some("<@")),
    (Op::Adjacent, "adjacent", Some("-|-")),
    (Op::StrictLeft, "strictLeft", Some("<<")),
    (Op::StrictRight, "strictRight", Some(">>")),
    (Op::NoExtendRight, "noExtendRight", Some("&<")),
    (Op::NoExtendLeft, "noExtendLeft", Some("&>")),
    (Op::And, "and", Some(" AND ")),
    (Op::Or, "or", Some(" OR ")),
    (Op::Any, "any", Some("ANY")),
    (Op::All, "all", Some("ALL")),
    (Op::Values, "values", None),
    (Op::Col, "col", Some("COL")),
    (Op::Placeholder, "placeholder", Some("$$PLACEHOLDER$$")),
    (Op::Join, "join", None),
    (Op::Match, "match", Some("@@")),
];

impl Op {
    /// The `Op` key: `eq`, `notIn`, … (what `Symbol(…)` shows).
    pub(crate) fn name(self) -> &'static str {
        OPERATORS.iter().find(|(op, ..)| *op == self).map_or("", |(_, name, _)| name)
    }

    /// Sequelize's `OperatorMap[op]` on SQLite (`None` where it has no entry).
    pub(crate) fn sql(self) -> Option<&'static str> {
        OPERATORS.iter().find(|(op, ..)| *op == self).and_then(|(_, _, sql)| *sql)
    }

    /// NocoBase's operator map (`Database.initOperators`): `$` + each `Op` key, its underscored
    /// form and that form without underscores (`$notIn`, `$not_in`, `$notin`).
    pub(crate) fn from_dollar(name: &str) -> Option<Op> {
        let bare = name.strip_prefix('$')?;
        OPERATORS.iter().find_map(|(op, key, _)| {
            let underscored = underscored(key);
            (bare == *key || bare == underscored || bare == underscored.replace('_', "")).then_some(*op)
        })
    }
}

/// Sequelize's `Utils.underscoredIf(key, true)`: `notIn` → `not_in`.
fn underscored(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    for (i, c) in key.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// A property key: a string or an operator symbol.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Key {
    Str(String),
    Sym(Op),
}

impl Key {
    pub(crate) fn str(key: impl Into<String>) -> Self {
        Key::Str(key.into())
    }
}

/// A JavaScript value.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) enum Js {
    /// `undefined`, and the holes of sparse arrays.
    #[default]
    Undefined,
    Null,
    Bool(bool),
    Num(f64),
    /// A string; lone UTF-16 surrogates are kept as [`super::text`] describes.
    Str(String),
    Arr(Vec<Js>),
    Obj(Obj),
    /// `Sequelize.literal(sql)`: SQL text used as it is.
    Literal(String),
}

impl Js {
    pub(crate) fn str(s: impl Into<String>) -> Self {
        Js::Str(s.into())
    }

    /// JavaScript truthiness.
    pub(crate) fn truthy(&self) -> bool {
        match self {
            Js::Undefined | Js::Null => false,
            Js::Bool(b) => *b,
            Js::Num(n) => *n != 0.0 && !n.is_nan(),
            Js::Str(s) => !s.is_empty(),
            Js::Arr(_) | Js::Obj(_) | Js::Literal(_) => true,
        }
    }

    /// `typeof x === 'object' && x !== null` (arrays included).
    pub(crate) fn is_object_like(&self) -> bool {
        matches!(self, Js::Arr(_) | Js::Obj(_) | Js::Literal(_))
    }

    /// `Object.keys(x)` for the values NocoBase walks: an object's string keys, an array's
    /// indexes (holes left out), a string's character indexes; nothing for other primitives.
    pub(crate) fn own_keys(&self) -> Vec<String> {
        match self {
            Js::Obj(o) => o.keys().into_iter().map(str::to_owned).collect(),
            Js::Arr(items) => {
                items.iter().enumerate().filter(|(_, v)| **v != Js::Undefined).map(|(i, _)| i.to_string()).collect()
            }
            Js::Str(s) => (0..super::text::utf16_len(s)).map(|i| i.to_string()).collect(),
            _ => Vec::new(),
        }
    }

    /// `x[key]` for a string key (array indexes and string characters included).
    pub(crate) fn get(&self, key: &str) -> Option<&Js> {
        match self {
            Js::Obj(o) => o.get(&Key::str(key)),
            Js::Arr(items) => array_index(key).and_then(|i| items.get(i as usize)).filter(|v| **v != Js::Undefined),
            _ => None,
        }
    }
}

/// An object: properties in insertion order; [`Obj::keys`] gives JavaScript's order. Past
/// [`INDEXED_FROM`] properties a hash index finds them, so that a body of many keys is read in
/// linear time, not quadratic.
#[derive(Debug, Clone, Default)]
pub(crate) struct Obj {
    entries: Vec<(Key, Js)>,
    index: Option<std::collections::HashMap<Key, usize>>,
}

/// Objects this large get an index.
const INDEXED_FROM: usize = 16;

impl PartialEq for Obj {
    fn eq(&self, other: &Self) -> bool {
        self.entries == other.entries
    }
}

impl Obj {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    pub(crate) fn with(key: Key, value: Js) -> Self {
        Self { entries: vec![(key, value)], index: None }
    }

    fn position(&self, key: &Key) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(key).copied(),
            None => self.entries.iter().position(|(k, _)| k == key),
        }
    }

    fn reindex(&mut self) {
        self.index = (self.entries.len() >= INDEXED_FROM)
            .then(|| self.entries.iter().enumerate().map(|(i, (k, _))| (k.clone(), i)).collect());
    }

    pub(crate) fn get(&self, key: &Key) -> Option<&Js> {
        self.position(key).map(|i| &self.entries[i].1)
    }

    pub(crate) fn get_mut(&mut self, key: &Key) -> Option<&mut Js> {
        self.position(key).map(|i| &mut self.entries[i].1)
    }

    /// `obj[key] = value`: replaces in place, or adds at the end.
    pub(crate) fn insert(&mut self, key: Key, value: Js) {
        if let Some(slot) = self.get_mut(&key) {
            *slot = value;
            return;
        }
        self.entries.push((key.clone(), value));
        match &mut self.index {
            Some(index) => {
                index.insert(key, self.entries.len() - 1);
            }
            None if self.entries.len() >= INDEXED_FROM => self.reindex(),
            None => {}
        }
    }

    pub(crate) fn remove(&mut self, key: &Key) -> Option<Js> {
        let position = self.position(key)?;
        let (_, value) = self.entries.remove(position);
        self.reindex();
        Some(value)
    }

    /// `Object.keys(obj)`: array-index keys in ascending order, then the other string keys in
    /// insertion order.
    pub(crate) fn keys(&self) -> Vec<&str> {
        let mut indexes: Vec<(u32, &str)> = Vec::new();
        let mut others: Vec<&str> = Vec::new();
        for (key, _) in &self.entries {
            if let Key::Str(s) = key {
                match array_index(s) {
                    Some(i) => indexes.push((i, s)),
                    None => others.push(s),
                }
            }
        }
        indexes.sort_by_key(|(i, _)| *i);
        indexes.into_iter().map(|(_, s)| s).chain(others).collect()
    }

    /// The operator symbols among the keys, in insertion order (`getOperators`).
    pub(crate) fn operators(&self) -> Vec<Op> {
        self.entries.iter().filter_map(|(k, _)| if let Key::Sym(op) = k { Some(*op) } else { None }).collect()
    }

    /// Sequelize's `getComplexKeys`: the operators, then `Object.keys`.
    pub(crate) fn complex_keys(&self) -> Vec<Key> {
        let mut out: Vec<Key> = self.operators().into_iter().map(Key::Sym).collect();
        out.extend(self.keys().into_iter().map(Key::str));
        out
    }

    /// `{...a, ...b}` of two objects: `self`'s entries, overwritten and extended by `other`'s.
    pub(crate) fn spread(&self, other: &Obj) -> Obj {
        let mut out = self.clone();
        for (k, v) in &other.entries {
            out.insert(k.clone(), v.clone());
        }
        out
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A canonical array index (`"0"`, `"17"`, never `"01"`), below 2³² − 1.
pub(crate) fn array_index(key: &str) -> Option<u32> {
    if key.is_empty() || (key.len() > 1 && key.starts_with('0')) || !key.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    key.parse::<u64>().ok().filter(|n| *n < u64::from(u32::MAX)).map(|n| n as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_keys_follow_javascripts_order() {
        let mut o = Obj::new();
        for k in ["b", "10", "a", "2", "01"] {
            o.insert(Key::str(k), Js::Null);
        }
        o.insert(Key::Sym(Op::Or), Js::Null);
        assert_eq!(o.keys(), ["2", "10", "b", "a", "01"]);
        assert_eq!(o.complex_keys()[0], Key::Sym(Op::Or));
    }

    #[test]
    fn nocobase_operator_names() {
        assert_eq!(Op::from_dollar("$notIn"), Some(Op::NotIn));
        assert_eq!(Op::from_dollar("$not_in"), Some(Op::NotIn));
        assert_eq!(Op::from_dollar("$notin"), Some(Op::NotIn));
        assert_eq!(Op::from_dollar("$strict_left"), Some(Op::StrictLeft));
        assert_eq!(Op::from_dollar("$foo"), None);
        assert_eq!(Op::from_dollar("eq"), None);
    }
}
