//! Sequelize 6's `whereItemsQuery` / `whereItemQuery` (`dialects/abstract/query-generator.js`)
//! for SQLite: a `where` object becomes the SQL text Sequelize would send — identifiers in
//! backticks (backticks inside removed), values escaped by the column's type ([`super::escape`]),
//! `$a.b$` keys naming joined columns — so SQLite then accepts or refuses exactly what it
//! refuses for NocoBase (`no such column`, `no such function: REGEXP`, a syntax error). The
//! errors Sequelize itself throws are kept word for word: `Invalid value { … }`, `Support for
//! \`{where: 'raw query'}\` has been removed.`, `value.map is not a function`.

use super::FilterError;
use super::escape::{escape, escape_plain};
use super::model::{Model, SqlType};
use crate::js::number::js_string;
use crate::js::{Js, Key, Op};

/// A where key as Sequelize sees it: `undefined`, a column, or an operator.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum WKey {
    Undefined,
    Str(String),
    Op(Op),
}

impl From<&Key> for WKey {
    fn from(key: &Key) -> Self {
        match key {
            Key::Str(s) => WKey::Str(s.clone()),
            Key::Sym(op) => WKey::Op(*op),
        }
    }
}

/// `quoteIdentifier` on SQLite: backticks, with any backtick inside removed.
pub(crate) fn quote_identifier(identifier: &str) -> String {
    format!("`{}`", identifier.replace('`', ""))
}

/// Renders a where object against `model`, whose table is aliased `prefix`.
pub(crate) struct Renderer<'a, 'm> {
    pub(crate) model: &'a Model<'m>,
    pub(crate) prefix: &'a str,
}

fn complex_size(value: &Js) -> usize {
    match value {
        Js::Arr(items) => items.len(),
        Js::Obj(o) => o.complex_keys().len(),
        Js::Str(s) => crate::js::text::utf16_len(s),
        Js::Literal(_) => 1,
        _ => 0,
    }
}

impl Renderer<'_, '_> {
    /// `whereItemsQuery(where, options, binding)`.
    pub(crate) fn items(&self, where_: &Js, binding: &str) -> Result<String, FilterError> {
        if matches!(where_, Js::Null | Js::Undefined) || complex_size(where_) == 0 {
            return Ok(String::new());
        }
        if matches!(where_, Js::Str(_)) {
            return Err(FilterError::Js("Support for `{where: 'raw query'}` has been removed.".into()));
        }
        let binding = if binding.starts_with(' ') { binding.to_owned() } else { format!(" {binding} ") };
        let mut items = Vec::new();
        match where_ {
            Js::Obj(obj) => {
                // Borrowed, not cloned: a clone per level would keep O(depth²) alive in a deep
                // filter.
                let undefined = Js::Undefined;
                for key in obj.complex_keys() {
                    let item = obj.get(&key).unwrap_or(&undefined);
                    items.push(self.item(&WKey::from(&key), item)?);
                }
            }
            other => items.push(self.item(&WKey::Undefined, other)?),
        }
        Ok(items.into_iter().filter(|i| !i.is_empty()).collect::<Vec<_>>().join(&binding))
    }

    fn field(&self, key: &WKey) -> Option<SqlType> {
        match key {
            WKey::Str(name) => self.model.raw_attribute(name),
            _ => None,
        }
    }

    /// `whereItemQuery(key, value, options)`.
    pub(crate) fn item(&self, key: &WKey, value: &Js) -> Result<String, FilterError> {
        if matches!(value, Js::Undefined) {
            let shown = match key {
                WKey::Undefined => "undefined".to_owned(),
                WKey::Str(s) => s.clone(),
                WKey::Op(op) => format!("Symbol({})", op.name()),
            };
            return Err(FilterError::Js(format!("WHERE parameter \"{shown}\" has invalid \"undefined\" value")));
        }
        let field = self.field(key);
        let value_keys: Vec<Key> = match value {
            Js::Obj(o) => o.complex_keys(),
            _ => Vec::new(),
        };
        let is_object = matches!(value, Js::Obj(_));
        let is_array = matches!(value, Js::Arr(_));
        let mut key = key.clone();
        if key == WKey::Undefined {
            if let Js::Str(s) = value {
                return Ok(s.clone());
            }
            if let Js::Obj(o) = value
                && value_keys.len() == 1
            {
                let only = &value_keys[0];
                return self.item(&WKey::from(only), o.get(only).unwrap_or(&Js::Null));
            }
        }
        if matches!(value, Js::Null) {
            return Ok(self.join(&key, "NULL", "IS"));
        }
        if !value.truthy() {
            return Ok(self.join(&key, &escape(value, field)?, "="));
        }
        if let Js::Literal(sql) = value {
            return Ok(sql.clone());
        }
        if let (WKey::Undefined, Js::Arr(items)) = (&key, value) {
            if items.iter().any(|i| matches!(i, Js::Obj(_))) {
                key = WKey::Op(Op::And);
            } else {
                return Err(FilterError::Js(
                    "Support for literal replacements in the `where` object has been removed.".into(),
                ));
            }
        }
        if let WKey::Op(op @ (Op::Or | Op::And | Op::Not)) = key {
            return self.group(op, value);
        }
        if let Js::Obj(o) = value {
            for (op, glue) in [(Op::Or, " OR "), (Op::And, " AND ")] {
                if let Some(inner) = o.get(&Key::Sym(op)).filter(|v| v.truthy()) {
                    return self.bind(glue, &key, inner);
                }
            }
        }
        if is_object && field == Some(SqlType::Json) {
            return Err(FilterError::Js(
                "filters on the inside of JSON fields are not supported by the reference server".into(),
            ));
        }
        if is_object && value_keys.len() > 1 {
            return self.bind(" AND ", &key, value);
        }
        if is_array {
            return self.single(&key, field, Op::In, value);
        }
        if let Js::Obj(o) = value {
            return match value_keys.first() {
                Some(first @ Key::Sym(op)) if op.sql().is_some() => {
                    self.single(&key, field, *op, o.get(first).unwrap_or(&Js::Null))
                }
                _ => self.single(&key, field, Op::Eq, value),
            };
        }
        Ok(self.join(&key, &escape(value, field)?, "="))
    }

    /// `_whereGroupBind`: `$and`, `$or`, `$not` over an array or an object.
    fn group(&self, op: Op, value: &Js) -> Result<String, FilterError> {
        let binding = if op == Op::Or { " OR " } else { " AND " };
        let outer = if op == Op::Not { "NOT " } else { "" };
        let text = if let Js::Arr(items) = value {
            let mut parts = Vec::new();
            for item in items {
                let mut query = self.items(item, " AND ")?;
                if !query.is_empty() && matches!(item, Js::Arr(_) | Js::Obj(_)) && complex_size(item) > 1 {
                    query = format!("({query})");
                }
                if !query.is_empty() {
                    parts.push(query);
                }
            }
            parts.join(binding)
        } else {
            self.items(value, binding)?
        };
        if (op == Op::Or || op == Op::Not) && text.is_empty() {
            return Ok("0 = 1".to_owned());
        }
        Ok(if text.is_empty() { String::new() } else { format!("{outer}({text})") })
    }

    /// `_whereBind`: `key` against each entry of an object or item of an array.
    fn bind(&self, glue: &str, key: &WKey, value: &Js) -> Result<String, FilterError> {
        let mut parts = Vec::new();
        match value {
            Js::Obj(o) => {
                for prop in o.complex_keys() {
                    let item = o.get(&prop).cloned().unwrap_or_default();
                    parts.push(self.item(key, &Js::Obj(crate::js::Obj::with(prop, item)))?);
                }
            }
            Js::Arr(items) => {
                for item in items {
                    parts.push(self.item(key, item)?);
                }
            }
            _ => return Err(FilterError::Js("value.map is not a function".into())),
        }
        let parts: Vec<String> = parts.into_iter().filter(|p| !p.is_empty()).collect();
        Ok(if parts.is_empty() { String::new() } else { format!("({})", parts.join(glue)) })
    }

    /// `_whereParseSingleValueObject`.
    fn single(&self, key: &WKey, field: Option<SqlType>, prop: Op, value: &Js) -> Result<String, FilterError> {
        let mut prop = prop;
        if prop == Op::Not {
            if matches!(value, Js::Arr(_)) {
                prop = Op::NotIn;
            } else if !matches!(value, Js::Null | Js::Bool(_)) {
                prop = Op::Ne;
            }
        }
        let comparator = prop.sql().unwrap_or("=");
        match prop {
            Op::In | Op::NotIn => {
                if let Js::Literal(sql) = value {
                    return Ok(self.join(key, sql, comparator));
                }
                let length = match value {
                    Js::Arr(items) => items.len(),
                    Js::Str(s) => crate::js::text::utf16_len(s),
                    _ => 0,
                };
                if length > 0 {
                    let Js::Arr(items) = value else {
                        return Err(FilterError::Js("value.map is not a function".into()));
                    };
                    let mut escaped = Vec::with_capacity(items.len());
                    for item in items {
                        escaped.push(if matches!(item, Js::Undefined) { String::new() } else { escape(item, field)? });
                    }
                    return Ok(self.join(key, &format!("({})", escaped.join(", ")), comparator));
                }
                return Ok(if prop == Op::In { self.join(key, "(NULL)", comparator) } else { String::new() });
            }
            Op::Any | Op::All => {
                let comparator = format!("= {comparator}");
                return Ok(self.join(key, &format!("({})", escape(value, field)?), &comparator));
            }
            Op::Between | Op::NotBetween => {
                let first = escape(&index_of(value, 0), field)?;
                let second = escape(&index_of(value, 1), field)?;
                return Ok(self.join(key, &format!("{first} AND {second}"), comparator));
            }
            Op::Col => {
                let text = js_string(value);
                let mut parts: Vec<String> = text.split('.').map(str::to_owned).collect();
                if parts.len() > 2 {
                    let last = parts.pop().unwrap_or_default();
                    parts = vec![parts.join("->"), last];
                }
                let columns: Vec<String> = parts.iter().map(|p| quote_identifier(p)).collect();
                return Ok(self.join(key, &columns.join("."), "="));
            }
            Op::StartsWith | Op::EndsWith | Op::Substring => {
                let text = match value {
                    Js::Literal(sql) => sql.clone(),
                    other => js_string(other),
                };
                let pattern = match prop {
                    Op::StartsWith => format!("{text}%"),
                    Op::EndsWith => format!("%{text}"),
                    _ => format!("%{text}%"),
                };
                return Ok(self.join(key, &escape_plain(&Js::Str(pattern))?, "LIKE"));
            }
            _ => {}
        }
        if let Js::Obj(o) = value {
            if let Some(col) = o.get(&Key::Sym(Op::Col)).filter(|v| v.truthy()) {
                let column = self.single(&WKey::Undefined, None, Op::Col, col)?;
                return Ok(self.join(key, &column, comparator));
            }
            for (op, word) in [(Op::Any, "ANY"), (Op::All, "ALL")] {
                if let Some(list) = o.get(&Key::Sym(op)).filter(|v| v.truthy()) {
                    return Ok(self.join(key, &format!("({})", escape(list, field)?), &format!("{comparator} {word}")));
                }
            }
        }
        if matches!(value, Js::Null) && comparator == "=" {
            return Ok(self.join(key, "NULL", "IS"));
        }
        if matches!(value, Js::Null) && comparator == "!=" {
            return Ok(self.join(key, "NULL", "IS NOT"));
        }
        Ok(self.join(key, &escape(value, field)?, comparator))
    }

    /// `_joinKeyValue`: `<key> <comparator> <value>`, or the value alone for an empty key.
    fn join(&self, key: &WKey, value: &str, comparator: &str) -> String {
        let key = match key {
            WKey::Undefined => return value.to_owned(),
            WKey::Str(s) if s.is_empty() => return value.to_owned(),
            WKey::Str(s) => self.safe_key(s),
            WKey::Op(op) => op.sql().unwrap_or("").to_owned(),
        };
        format!("{key} {comparator} {value}")
    }

    /// `_getSafeKey`: `$a.b$` names a joined column, anything else a column of the table.
    fn safe_key(&self, key: &str) -> String {
        if key.len() >= 2 && key.starts_with('$') && key.ends_with('$') {
            let inner = &key[1..key.len() - 1];
            let mut parts: Vec<String> = inner.split('.').map(str::to_owned).collect();
            if parts.len() > 2 {
                let last = parts.pop().unwrap_or_default();
                parts = vec![parts.join("->"), last];
            }
            return parts.iter().map(|p| quote_identifier(p)).collect::<Vec<_>>().join(".");
        }
        format!("{}.{}", quote_identifier(self.prefix), quote_identifier(key))
    }
}

/// `value[i]` for `Op.between`: an array item, a string's character, an object's `"0"`.
fn index_of(value: &Js, i: usize) -> Js {
    match value {
        Js::Arr(items) => items.get(i).cloned().unwrap_or_default(),
        Js::Str(s) => {
            let units = crate::js::text::to_utf16(s);
            units.get(i).map(|u| Js::Str(crate::js::text::from_utf16(&[*u]))).unwrap_or_default()
        }
        Js::Obj(o) => o.get(&Key::Str(i.to_string())).cloned().unwrap_or_default(),
        _ => Js::Undefined,
    }
}
