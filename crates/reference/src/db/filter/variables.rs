//! `parseVariables` (`packages/core/server/src/middlewares/parse-variables.ts` over
//! `@nocobase/utils`' `parseFilter`), which every truthy filter goes through after the ACL and
//! before the action: the filter is flattened — into objects and arrays, stopping at operator keys
//! other than `$and`/`$or` — and rebuilt with lodash's `_.set` from the dotted paths. So a string
//! filter becomes `{}`, `[1]` becomes `{"0": 1}`, `{"title.$eq": 1}` becomes
//! `{"title": {"$eq": 1}}`, and a `{{…}}` template is replaced by its variable (`null` for the
//! variables the reference server does not know).

use crate::js::{Js, Obj, lodash};

/// `parseFilter(filter)` as NocoBase applies it to a request's (truthy) filter.
pub(crate) fn parse_variables(filter: &Js) -> Js {
    let mut flat: Vec<(String, Js)> = Vec::new();
    flatten(filter, &mut String::new(), &mut flat);
    // The flattened keys live in a plain object: JavaScript's key order, and `__proto__` never
    // becomes an own key.
    let mut holder = Obj::new();
    for (key, value) in flat {
        if key != "__proto__" {
            holder.insert(crate::js::Key::Str(key), value);
        }
    }
    let mut parsed = Js::Obj(Obj::new());
    for key in holder.keys() {
        let value = holder.get(&crate::js::Key::str(key)).cloned().unwrap_or_default();
        let value = transform(value, key);
        let path = lodash::cast_path(key, &parsed);
        lodash::set(&mut parsed, &path, value);
    }
    parsed
}

/// The `flatten` of `@nocobase/utils` (`breakOn` operator keys except `$and`/`$or`); one path
/// buffer serves every level (a key per level would keep O(depth²) bytes alive).
fn flatten(object: &Js, path: &mut String, out: &mut Vec<(String, Js)>) {
    if !object.is_object_like() {
        return;
    }
    for key in object.own_keys() {
        let Some(value) = object.get(&key) else { continue };
        let restore = path.len();
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(&key);
        let break_on = key.starts_with('$') && key != "$and" && key != "$or";
        let nested = match value {
            Js::Obj(o) => !o.is_empty() && !value.own_keys().is_empty(),
            Js::Arr(items) => items.iter().any(|i| *i != Js::Undefined),
            _ => false,
        };
        if !break_on && nested {
            flatten(value, path, out);
        } else {
            push(out, path.clone(), value.clone());
        }
        path.truncate(restore);
    }
}

/// `output[key] = value` on the flattened object: a later equal key replaces the earlier value.
fn push(out: &mut Vec<(String, Js)>, key: String, value: Js) {
    match out.iter_mut().find(|(k, _)| *k == key) {
        Some(slot) => slot.1 = value,
        None => out.push((key, value)),
    }
}

/// `transformValue`: `{{ variable }}` templates, and the date operators' values.
fn transform(value: Js, path: &str) -> Js {
    if let Js::Str(s) = &value {
        let trimmed = s.trim();
        if trimmed.starts_with("{{") && trimmed.ends_with("}}") && trimmed.len() >= 4 {
            return Js::Null;
        }
    }
    let operator = path.rsplit('.').next().unwrap_or("");
    if DATE_OPERATORS.contains(&operator) {
        return date_value(value);
    }
    value
}

const DATE_OPERATORS: &[&str] =
    &["$dateOn", "$dateNotOn", "$dateBefore", "$dateAfter", "$dateNotBefore", "$dateNotAfter", "$dateBetween"];

/// `dateValueWrapper(value, timezone)` without a client timezone: falsy values become `null`,
/// arrays of two get `"[]"` and no timezone appended, strings stay, other values are lost.
fn date_value(value: Js) -> Js {
    if !value.truthy() {
        return Js::Null;
    }
    match value {
        Js::Arr(mut items) => {
            if items.len() == 2 {
                items.push(Js::str("[]"));
                items.push(Js::Undefined);
            } else if items.len() == 3 {
                items.push(Js::Undefined);
            }
            Js::Arr(items)
        }
        Js::Str(_) => value,
        _ => Js::Undefined,
    }
}
