//! JavaScript's semantics where NocoBase's answers depend on them: values with JavaScript's key
//! order and number type ([`value`]), `JSON.parse`/`JSON.stringify` with V8's messages ([`json`]),
//! number ↔ text conversions ([`number`]), Node's `util.inspect` ([`inspect`]), lodash's
//! `set`/`get` ([`lodash`]) and UTF-16 strings with lone surrogates ([`text`]).

pub(crate) mod inspect;
pub(crate) mod json;
pub(crate) mod lodash;
pub(crate) mod number;
pub(crate) mod stringify;
pub(crate) mod text;
pub(crate) mod value;

pub(crate) use value::{Js, Key, Obj, Op};

/// The names every object answers through `Object.prototype` (`key in object` is true for them).
pub(crate) const OBJECT_PROTOTYPE: &[&str] = &[
    "constructor",
    "__proto__",
    "hasOwnProperty",
    "isPrototypeOf",
    "propertyIsEnumerable",
    "toLocaleString",
    "toString",
    "valueOf",
    "__defineGetter__",
    "__defineSetter__",
    "__lookupGetter__",
    "__lookupSetter__",
];

/// A JSON value as JavaScript holds it (qs-parsed query parameters arrive as `serde_json` values).
pub(crate) fn from_serde(value: &serde_json::Value) -> Js {
    match value {
        serde_json::Value::Null => Js::Null,
        serde_json::Value::Bool(b) => Js::Bool(*b),
        serde_json::Value::Number(n) => Js::Num(n.as_f64().unwrap_or(f64::NAN)),
        serde_json::Value::String(s) => Js::Str(s.clone()),
        serde_json::Value::Array(items) => Js::Arr(items.iter().map(from_serde).collect()),
        serde_json::Value::Object(map) => {
            let mut obj = Obj::new();
            for (k, v) in map {
                obj.insert(Key::str(k), from_serde(v));
            }
            Js::Obj(obj)
        }
    }
}

/// The JSON a JavaScript value stands for, as the rest of the server keeps bodies: integral
/// numbers as integers, `±Infinity` as the text `String()` gives them (what a string column
/// stores, and what SQLite refuses for an integer key, as it refuses NocoBase's Infinity),
/// `undefined` and holes as `null`.
pub(crate) fn to_serde(value: &Js) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Js::Undefined | Js::Null => Value::Null,
        Js::Bool(b) => Value::Bool(*b),
        Js::Num(n) if n.is_infinite() => Value::String(number::to_string(*n)),
        Js::Num(n) if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 && !(*n == 0.0 && n.is_sign_negative()) => {
            Value::from(*n as i64)
        }
        Js::Num(n) => serde_json::Number::from_f64(*n).map_or(Value::Null, Value::Number),
        Js::Str(s) | Js::Literal(s) => Value::String(s.clone()),
        Js::Arr(items) => Value::Array(items.iter().map(to_serde).collect()),
        Js::Obj(obj) => {
            let mut map = serde_json::Map::new();
            for k in obj.keys() {
                if let Some(v) = obj.get(&Key::str(k)) {
                    map.insert(k.to_owned(), to_serde(v));
                }
            }
            Value::Object(map)
        }
    }
}
