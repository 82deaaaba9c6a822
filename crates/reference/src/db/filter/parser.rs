//! NocoBase's `FilterParser` (`packages/core/database/src/filter-parser.ts`): the filter is
//! flattened (`flat`: `{"$and":[{"a":1}]}` → `$and.0.a`), each dotted key is walked — a known
//! operator becomes its Sequelize symbol, a function operator (`$eq`, `$includes`, …) computes
//! its fragment from the value and ends the key, an association name joins its target and must
//! be followed by one of the target's attributes or associations (else `<x> neither <assoc>'s
//! association nor <assoc>'s attribute`), anything else is kept as a plain key — and the paths
//! are `_.set` into Sequelize's `where`. Columns are not checked here: SQLite does that.

use super::FilterError;
use super::model::Model;
use super::operators::{self, OpCtx};
use crate::js::{Js, Key, Obj, Op, lodash};

/// A parsed filter: Sequelize's `where` and the associations it joins.
pub(crate) struct Parsed {
    pub(crate) where_: Js,
    pub(crate) includes: Includes,
}

/// The include tree: each node an association joined under its parent (`None`: the filtered
/// collection), in the order the filter names them.
#[derive(Debug, Default)]
pub(crate) struct Includes {
    pub(crate) nodes: Vec<(Option<usize>, String)>,
    index: std::collections::HashMap<(Option<usize>, String), usize>,
}

impl Includes {
    /// The node of association `name` under `parent`, added on first use.
    fn node(&mut self, parent: Option<usize>, name: &str) -> usize {
        if let Some(found) = self.index.get(&(parent, name.to_owned())) {
            return *found;
        }
        let id = self.nodes.len();
        self.nodes.push((parent, name.to_owned()));
        self.index.insert((parent, name.to_owned()), id);
        id
    }
}

/// `new FilterParser(filter, { collection }).toSequelizeParams()`.
pub(crate) fn parse(filter: &Js, model: &Model<'_>) -> Result<Parsed, FilterError> {
    let mut includes = Includes::default();
    if !filter.truthy() {
        return Ok(Parsed { where_: Js::Obj(Obj::new()), includes });
    }
    let filter = prepare(filter);
    let mut flattened: Vec<(String, Js)> = Vec::new();
    flatten(&filter, &mut String::new(), &mut flattened);
    let mut holder = Obj::new();
    for (key, value) in flattened {
        if key != "__proto__" {
            holder.insert(Key::Str(key), value);
        }
    }
    let mut where_ = Js::Obj(Obj::new());
    let mut skip_prefix: Option<String> = None;
    for key in holder.keys() {
        let mut value = holder.get(&Key::str(key)).cloned().unwrap_or_default();
        if skip_prefix.as_deref().is_some_and(|p| key.starts_with(p)) {
            continue;
        }
        if (key == "$or" || key == "$and") && matches!(&value, Js::Arr(items) if items.is_empty()) {
            continue;
        }
        let mut keys: std::collections::VecDeque<&str> = key.split('.').collect();
        let mut paths: Vec<Key> = Vec::new();
        let mut origins: Vec<&str> = Vec::new();
        while let Some(first) = keys.pop_front() {
            origins.push(first);
            if first.starts_with('$') {
                if operators::is_function(first) {
                    let prefix = origins.join(".");
                    let path = lodash::cast_path(&prefix, &filter);
                    let query_value = lodash::get(&filter, &path).cloned().unwrap_or_default();
                    let (field_name, full_name) = field_name_from_query_path(&prefix);
                    let ctx = OpCtx { path: &prefix, full_name: &full_name, field_name: field_name.as_deref(), model };
                    value = operators::apply(first, &query_value, &ctx)?;
                    skip_prefix = Some(prefix);
                    break;
                }
                match Op::from_dollar(first) {
                    Some(op) => paths.push(Key::Sym(op)),
                    None => paths.push(Key::str(first)),
                }
                continue;
            }
            if !crate::js::number::parse_int(first).is_nan() {
                paths.push(Key::str(first));
                continue;
            }
            let Some(association) = model.association(first) else {
                paths.push(Key::str(first));
                continue;
            };
            let mut association_keys: Vec<String> = vec![first.to_owned()];
            let mut node = includes.node(None, first);
            let mut target = model.target(&association);
            while let Some(current) = target.take() {
                let attr = keys.pop_front();
                if let Some(a) = attr {
                    origins.push(a);
                }
                match attr {
                    Some(a) if current.has_raw_attribute(a) => association_keys.push(a.to_owned()),
                    Some(a) if current.association(a).is_some() => {
                        association_keys.push(a.to_owned());
                        node = includes.node(Some(node), a);
                        let next = current.association(a).and_then(|n| current.target(&n));
                        target = next;
                    }
                    _ => {
                        return Err(FilterError::Js(format!(
                            "{} neither {first}'s association nor {first}'s attribute",
                            attr.unwrap_or("undefined")
                        )));
                    }
                }
            }
            if association_keys.len() > 1 {
                paths.push(Key::Str(format!("${}$", association_keys.join("."))));
            } else {
                paths.push(Key::str(first));
            }
        }
        if let (Some(Js::Obj(existing)), Js::Obj(new)) = (lodash::get(&where_, &paths), &value) {
            value = Js::Obj(new.spread(existing));
        } else if let (Some(existing @ (Js::Obj(_) | Js::Arr(_))), true) =
            (lodash::get(&where_, &paths), value.is_object_like())
        {
            value = Js::Obj(spread_any(&value).spread(&spread_any(existing)));
        }
        lodash::set(&mut where_, &paths, value);
    }
    Ok(Parsed { where_, includes })
}

/// `{...x}` of an object or an array (an array spreads its indexes).
fn spread_any(value: &Js) -> Obj {
    match value {
        Js::Obj(o) => o.clone(),
        Js::Arr(items) => {
            let mut out = Obj::new();
            for (i, item) in items.iter().enumerate() {
                if !matches!(item, Js::Undefined) {
                    out.insert(Key::Str(i.to_string()), item.clone());
                }
            }
            out
        }
        _ => Obj::new(),
    }
}

/// `prepareFilter`: top-level `a.$exists` keys get `.id` before the operator (`a.id.$exists`).
fn prepare(filter: &Js) -> Js {
    let Js::Obj(obj) = filter else { return filter.clone() };
    let mut renamed: Vec<(String, String)> = Vec::new();
    for key in obj.keys() {
        if key.ends_with(".$exists") || key.ends_with(".$notExists") {
            let mut parts: Vec<&str> = key.split('.').collect();
            if parts.len() >= 2 && parts[parts.len() - 2] == "id" {
                continue;
            }
            parts.insert(parts.len() - 1, "id");
            renamed.push((key.to_owned(), parts.join(".")));
        }
    }
    let mut out = obj.clone();
    for (old, new) in renamed {
        let value = out.get(&Key::str(old.as_str())).cloned().unwrap_or_default();
        out.insert(Key::Str(new), value);
        out.remove(&Key::Str(old));
    }
    Js::Obj(out)
}

/// The `flat` package's `flatten`: every non-empty object and array is opened — and so is a
/// string given as the filter itself (`Object.keys("x")` is `["0"]`: `{"0": "x"}`, a column `0`).
///
/// One path buffer serves every level (a key per level would keep O(depth²) bytes alive in a
/// deep filter).
fn flatten(object: &Js, path: &mut String, out: &mut Vec<(String, Js)>) {
    if let Js::Str(text) = object {
        let mut index = 0;
        for c in text.chars() {
            out.push((index.to_string(), Js::Str(c.to_string())));
            index += c.len_utf16();
        }
        return;
    }
    for key in object.own_keys() {
        let Some(value) = object.get(&key) else { continue };
        let restore = path.len();
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(&key);
        let opens = match value {
            Js::Obj(o) => !o.is_empty() && !value.own_keys().is_empty(),
            Js::Arr(items) => items.iter().any(|i| *i != Js::Undefined),
            _ => false,
        };
        if opens {
            flatten(value, path, out);
        } else {
            match out.iter_mut().find(|(k, _)| k == path) {
                Some(slot) => slot.1 = value.clone(),
                None => out.push((path.clone(), value.clone())),
            }
        }
        path.truncate(restore);
    }
}

/// `getFieldNameFromQueryPath`: the path without operators and indexes, and its last name.
fn field_name_from_query_path(path: &str) -> (Option<String>, String) {
    let kept: Vec<&str> =
        path.split('.').filter(|p| !p.starts_with('$') && crate::js::number::parse_int(p).is_nan()).collect();
    (kept.last().map(|s| (*s).to_owned()), kept.join("."))
}
