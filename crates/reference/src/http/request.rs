//! NocoBase's URL grammar (`packages/core/resourcer/src/utils.ts`): `/todos:list`, `/todos/1`,
//! `/roles/<name>/users:add`, `/apiKeys:destroy/5`; an explicit `:action` wins over the HTTP
//! method. And the action parameters taken from the query string (`parseQuery`): `qs`-parsed, a
//! string `filter` JSON-parsed, `filterByTk` smart-parsed, comma lists split.

use axum::http::Method;
use serde_json::{Map, Value};

use crate::http::qs;
use crate::js::{self, Js};

/// A parsed `resource:action` request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Route {
    /// `todos`, or `roles.users` for association resources.
    pub(crate) resource: String,
    /// The action name.
    pub(crate) action: String,
    /// The record key from the path (`/todos/1`, `/apiKeys:destroy/5`).
    pub(crate) index: Option<String>,
    /// The parent key of an association resource (`/roles/<this>/users:add`).
    pub(crate) associated_index: Option<String>,
}

/// Parses the path after `/api` (e.g. `/todos:list`). `None` means no route: Koa's 404.
pub(crate) fn route(method: &Method, path: &str) -> Option<Route> {
    let path = decode_uri(path)?;
    let trimmed = path.strip_suffix('/').unwrap_or(&path);
    let segments: Vec<&str> = trimmed.strip_prefix('/')?.split('/').collect();
    if segments.iter().any(|s| s.is_empty()) {
        return None;
    }
    let verb = method.as_str().to_ascii_lowercase();
    let (resource_segment, index, associated, associated_index, by_method) = match segments.as_slice() {
        [r] => (
            *r,
            None,
            None,
            None,
            match verb.as_str() {
                "get" => Some("list"),
                "post" => Some("create"),
                "delete" => Some("destroy"),
                _ => None,
            },
        ),
        [r, i] => (
            *r,
            Some(*i),
            None,
            None,
            match verb.as_str() {
                "get" => Some("get"),
                "put" | "patch" => Some("update"),
                "delete" => Some("destroy"),
                _ => None,
            },
        ),
        [a, ai, r] => (
            *r,
            None,
            Some(*a),
            Some(*ai),
            match verb.as_str() {
                "get" => Some("list"),
                "post" => Some("create"),
                "delete" => Some("destroy"),
                _ => None,
            },
        ),
        [a, ai, r, i] => (
            *r,
            Some(*i),
            Some(*a),
            Some(*ai),
            match verb.as_str() {
                "get" => Some("get"),
                "post" => Some("create"),
                "put" | "patch" => Some("update"),
                "delete" => Some("destroy"),
                _ => None,
            },
        ),
        _ => return None,
    };
    let (name, explicit) = match resource_segment.split_once(':') {
        Some((name, action)) => (name, Some(action)),
        None => (resource_segment, None),
    };
    let action = explicit.or(by_method)?;
    if name.is_empty() || action.is_empty() {
        return None;
    }
    let resource = match associated {
        Some(parent) => format!("{parent}.{name}"),
        None => name.to_owned(),
    };
    Some(Route {
        resource,
        action: action.to_owned(),
        index: index.map(str::to_owned),
        associated_index: associated_index.map(str::to_owned),
    })
}

/// JavaScript's `decodeURI`, which NocoBase's resourcer applies to the path: escapes of the
/// reserved characters `;/?:@&=+$,#` stay as they are, so `/api/todos%3Alist` names no action
/// (probe 531: 404). `None` where `decodeURI` throws (a bad escape or invalid UTF-8).
pub(crate) fn decode_uri(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'%' {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        let hex = text.get(i + 1..i + 3)?;
        let byte = u8::from_str_radix(hex, 16).ok()?;
        if b";/?:@&=+$,#".contains(&byte) {
            out.extend_from_slice(&bytes[i..i + 3]);
        } else {
            out.push(byte);
        }
        i += 3;
    }
    String::from_utf8(out).ok()
}

/// The action parameters NocoBase derives from the query string and the path.
#[derive(Debug, Clone, Default)]
pub(crate) struct Params {
    /// Everything `qs` parsed, after NocoBase's conversions (`filter` as JSON, see [`Self::filter`]).
    pub(crate) query: Map<String, Value>,
    /// `filter` as JavaScript holds it after `JSON.parse` (or as `qs` built it).
    filter: Option<Js>,
}

/// How deeply a `filter` may nest: deeper than V8's stack lets NocoBase walk it (the reference
/// server then answers as NocoBase's stack overflow does).
pub(crate) const MAX_FILTER_DEPTH: usize = 10_000;

/// Why a query cannot become an action's parameters.
#[derive(Debug)]
pub(crate) enum BadQuery {
    /// A string `filter` that is not JSON: NocoBase's `parseQuery` throws, and the resourcer
    /// middleware swallows that and skips the action's handlers.
    Unparsable,
    /// A `filter` nesting deeper than [`MAX_FILTER_DEPTH`].
    TooDeep,
}

impl Params {
    /// Parses the raw query.
    pub(crate) fn parse(raw_query: Option<&str>, route: &Route) -> Result<Self, BadQuery> {
        let mut query = qs::parse(raw_query.unwrap_or(""));
        let mut filter = None;
        match query.get("filter") {
            Some(Value::String(text)) => {
                let parsed = js::json::parse_limited(text, MAX_FILTER_DEPTH).map_err(|e| match e {
                    js::json::Refused::Syntax(_) => BadQuery::Unparsable,
                    js::json::Refused::TooDeep(_) => BadQuery::TooDeep,
                })?;
                query.insert("filter".into(), js::to_serde(&parsed.value));
                filter = Some(parsed.value);
            }
            Some(other) => filter = Some(js::from_serde(other)),
            None => {}
        }
        if let Some(Value::String(text)) = query.get("filterByTk") {
            let trimmed = text.trim();
            if (trimmed.starts_with('{') || trimmed.starts_with('['))
                && let Ok(parsed) = serde_json::from_str::<Value>(trimmed)
            {
                query.insert("filterByTk".into(), parsed);
            }
        }
        if let Some(Value::Object(indexed)) = query.get("filterByTk")
            && indexed.keys().all(|k| k.parse::<usize>().is_ok())
        {
            let list = indexed.values().cloned().collect();
            query.insert("filterByTk".into(), Value::Array(list));
        }
        if let Some(index) = &route.index
            && !query.contains_key("filterByTk")
        {
            query.insert("filterByTk".into(), Value::String(index.clone()));
        }
        Ok(Self { query, filter })
    }

    /// A string parameter.
    pub(crate) fn str(&self, key: &str) -> Option<&str> {
        self.query.get(key).and_then(Value::as_str)
    }

    /// The `filter` object, if any (a non-empty object; other values as they are).
    pub(crate) fn filter(&self) -> Option<Value> {
        match self.query.get("filter") {
            Some(Value::Object(m)) if !m.is_empty() => Some(Value::Object(m.clone())),
            Some(Value::Object(_)) | None | Some(Value::Null) => None,
            Some(other) => Some(other.clone()),
        }
    }

    /// `ctx.action.params.filter` as JavaScript holds it.
    pub(crate) fn filter_js(&self) -> Option<&Js> {
        self.filter.as_ref()
    }

    /// `filterByTk`, if any.
    pub(crate) fn filter_by_tk(&self) -> Option<Value> {
        self.query.get("filterByTk").filter(|v| !v.is_null()).cloned()
    }

    /// A list parameter given as `a,b`, `a[]=x&a[]=y` or repeated keys.
    pub(crate) fn list(&self, key: &str) -> Option<Vec<String>> {
        let value = self.query.get(key)?;
        let items: Vec<String> = match value {
            Value::String(s) => s.split(',').map(str::to_owned).collect(),
            Value::Array(items) => {
                items.iter().filter_map(|v| v.as_str()).flat_map(|s| s.split(',').map(str::to_owned)).collect()
            }
            _ => return None,
        };
        Some(items.into_iter().filter(|s| !s.is_empty()).collect())
    }

    /// `paginate=false`.
    pub(crate) fn unpaginated(&self) -> bool {
        matches!(self.query.get("paginate"), Some(Value::String(s)) if s == "false")
            || matches!(self.query.get("paginate"), Some(Value::Bool(false)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(method: Method, path: &str) -> Option<(String, String, Option<String>, Option<String>)> {
        route(&method, path).map(|r| (r.resource, r.action, r.index, r.associated_index))
    }

    #[test]
    fn explicit_actions_ignore_the_method() {
        assert_eq!(r(Method::GET, "/todos:create"), Some(("todos".into(), "create".into(), None, None)));
        assert_eq!(r(Method::DELETE, "/todos:list"), Some(("todos".into(), "list".into(), None, None)));
        assert_eq!(
            r(Method::POST, "/apiKeys:destroy/5"),
            Some(("apiKeys".into(), "destroy".into(), Some("5".into()), None))
        );
    }

    #[test]
    fn rest_forms_and_associations() {
        assert_eq!(r(Method::GET, "/todos/1"), Some(("todos".into(), "get".into(), Some("1".into()), None)));
        assert_eq!(r(Method::PATCH, "/todos"), None);
        assert_eq!(r(Method::PUT, "/todos"), None);
        assert_eq!(
            r(Method::POST, "/roles/todos/users:add"),
            Some(("roles.users".into(), "add".into(), None, Some("todos".into())))
        );
        assert_eq!(r(Method::GET, "/todos:list/"), Some(("todos".into(), "list".into(), None, None)));
    }

    #[test]
    fn decode_uri_keeps_reserved_escapes() {
        assert_eq!(decode_uri("/todos%3Alist").as_deref(), Some("/todos%3Alist"));
        assert_eq!(decode_uri("/to%64os:list").as_deref(), Some("/todos:list"));
        assert_eq!(decode_uri("/%E4%BD%A0"), Some("/你".to_owned()));
        assert_eq!(decode_uri("/%zz"), None);
        assert_eq!(r(Method::GET, "/todos%3Alist").map(|r| r.0).as_deref(), Some("todos%3Alist"));
    }
}
