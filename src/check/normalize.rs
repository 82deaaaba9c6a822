//! Normalisation: how a response becomes a snapshot that holds on every target.
//!
//! Only what differs between two correct servers (or two runs) is replaced; nothing else is
//! hidden. Object keys are sorted (JSON key order carries no meaning, and NocoBase's order
//! differs between callers).
//!
//! | rule | placeholder | applies to | why |
//! |---|---|---|---|
//! | run tag | *(removed)*, or `[run]` where it stands alone | any string, key or request line | every name the suite creates carries a unique tag (`todos_nc4k2x9a01` → `todos`) so runs never collide |
//! | API path | `/api` | the target's API path where it is not `/api` (from `--base-url`, e.g. `/nocobase/api/` → `/api/`), in any string | a deployment behind a path (NocoBase's `API_BASE_PATH`) names that path in its documents and URLs; the path is the target's, not the answer's |
//! | JWT | `[jwt]` | any string holding `eyJ….….…`, and the recordings' `<TOKEN>` | session tokens and API keys are secrets and change every run |
//! | timestamp | `[timestamp]` | whole strings like `2026-11-26T14:49:04.607Z` | creation and update times |
//! | SQLite timestamp | `[sqlite-timestamp]` | whole strings like `2026-11-26 14:49:04.607 +00:00` | `auth:check` shows stored dates raw; the format itself is kept visible |
//! | uuid | `[uuid]` | whole strings shaped like a UUID | session ids |
//! | uid | `[uid]` | 11-character base-36 values of `key` (collections, fields) and `iframeHtml` ids | random per collection/field |
//! | known user | `[user:<name>]` | `createdById`, `updatedById`, `userId`, and `id` of objects with `username`/`email`/`nickname` | user ids depend on the deployment's history; the name says *which* user, so a wrong user still fails |
//! | known record | `[todo:<title>]` | `id` of records the scenario created; `filterByTk=<id>` and `/todos/<id>` in the request line | snowflake ids differ per run; the title says which record |
//! | known API key | `[key:<name>]` | `id` of `apiKeys` rows | row ids depend on the deployment's history |
//! | other snowflake | `[snowflake]` | ids and `…Id` values ≥ 2³² not known to the scenario | generated 53-bit ids (role resources, their actions) |
//! | repeated name in a grant | *(removed)* | `roles:check` answers: a name repeated in a list of `data.actions.*` (first kept) | NocoBase repeats the primary key and timestamps in a fresh `view` grant until the role serves a view request, which tidies the list (see `grants.rs`): history, not permissions |
//! | unset column of a created row | *(removed)* | on PostgreSQL only: `null` members of `data` and of `data.fields[*]` in answers to `…:create` that the request did not send | Sequelize reads the inserted row back there (`INSERT … RETURNING *`) and NocoBase answers every column; on SQLite and MariaDB it answers what was set. Later `get`/`list` answers show those `null`s on every database, and are not touched |

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Map, Value, json};

use super::grants;
use crate::exchange::{Exchange, ResponseBody};

/// How the recordings write a token they removed.
const RECORDED_TOKEN: &str = "<TOKEN>";
/// NocoBase's timestamps, always with milliseconds: a server that drops them does not conform.
static ISO: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$").expect("valid pattern"));
static SQLITE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} [+-]\d{2}:\d{2}$").expect("valid pattern")
});
static UUID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$").expect("valid pattern")
});
/// NocoBase's generated 11-character uids (`key` of a role resource, `id` of a field).
pub static UID: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[a-z0-9]{11}$").expect("valid pattern"));
static BY_KEY: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"filterByTk=(\d+)").expect("valid pattern"));
static USER_PATH: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"users/(\d+)/").expect("valid pattern"));
static LONG_NUMBER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b\d{10,16}\b").expect("valid pattern"));

/// Ids at or above this are generated snowflakes, never small sequence numbers.
pub const SNOWFLAKE_FLOOR: i64 = 1 << 32;

/// What a known id identifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum IdKind {
    /// A user.
    User,
    /// A record of the scenario's collection.
    Record,
    /// An `apiKeys` row.
    ApiKey,
}

impl IdKind {
    fn prefix(self) -> &'static str {
        match self {
            IdKind::User => "user",
            IdKind::Record => "todo",
            IdKind::ApiKey => "key",
        }
    }
}

/// The normalisation rules of one scenario: its run tag and the ids it knows by name.
#[derive(Debug, Clone, Default)]
pub struct Normalizer {
    tags: Vec<String>,
    ids: BTreeMap<(IdKind, String), String>,
    /// The target answers a created row whole, unset columns as `null` (NocoBase on PostgreSQL).
    created_rows_whole: bool,
    /// The target's API path when it is not `/api` (no trailing slash).
    api_path: Option<String>,
}

impl Normalizer {
    /// No tags, no known ids.
    pub fn new() -> Self {
        Self::default()
    }

    /// For a target whose create answers carry every column, unset ones as `null` (NocoBase on
    /// PostgreSQL): those `null`s are removed from `:create` answers (see the table above).
    pub fn created_rows_whole(&mut self, whole: bool) {
        self.created_rows_whole = whole;
    }

    /// Removes `tag` (with a preceding `_`, `-` or space) from every string.
    pub fn strip_tag(&mut self, tag: &str) {
        if !tag.is_empty() && !self.tags.iter().any(|t| t == tag) {
            self.tags.push(tag.to_owned());
        }
    }

    /// Reads the target's API path (`/nocobase/api/`, the path of `--base-url`) as `/api/`
    /// wherever an answer names it. `/api` itself and the root (`/`) need no rule.
    pub fn api_path(&mut self, path: &str) {
        let path = path.trim_end_matches('/');
        self.api_path = (!path.is_empty() && path != "/api").then(|| path.to_owned());
    }

    /// Text with the target's API path read as `/api` (and nothing else changed).
    pub fn api_url(&self, text: &str) -> String {
        match &self.api_path {
            Some(path) if text == path => "/api".to_owned(),
            Some(path) => text.replace(&format!("{path}/"), "/api/"),
            None => text.to_owned(),
        }
    }

    /// Names an id: `[<kind>:<label>]` replaces it wherever it identifies that kind of thing.
    pub fn know(&mut self, kind: IdKind, id: &Value, label: &str) {
        let key = match id {
            Value::Number(n) => n.to_string(),
            Value::String(s) => s.clone(),
            _ => return,
        };
        self.ids.insert((kind, key), format!("[{}:{}]", kind.prefix(), self.text(label)));
    }

    fn known(&self, kind: IdKind, id: &str) -> Option<&String> {
        self.ids.get(&(kind, id.to_owned()))
    }

    /// Text with run tags removed (a tag on its own reads `[run]`) and JWTs replaced.
    pub fn text(&self, text: &str) -> String {
        let mut out = self.api_url(&crate::secret::JWT.replace_all(text, "[jwt]").replace(RECORDED_TOKEN, "[jwt]"));
        for tag in &self.tags {
            for sep in ["_", "-", " "] {
                out = out.replace(&format!("{sep}{tag}"), "");
            }
            out = out.replace(tag.as_str(), "[run]");
        }
        out
    }

    /// The request line with tags removed and known ids named.
    pub fn request_line(&self, line: &str) -> String {
        let kind_for_key = if line.contains("apiKeys:") {
            IdKind::ApiKey
        } else if line.contains("/users:") || line.contains(" /api/users:") {
            IdKind::User
        } else {
            IdKind::Record
        };
        let out = BY_KEY.replace_all(line, |c: &regex::Captures<'_>| match self.known(kind_for_key, &c[1]) {
            Some(label) => format!("filterByTk={label}"),
            None => c[0].to_owned(),
        });
        let out = USER_PATH.replace_all(&out, |c: &regex::Captures<'_>| match self.known(IdKind::User, &c[1]) {
            Some(label) => format!("users/{label}/"),
            None => c[0].to_owned(),
        });
        let out = LONG_NUMBER.replace_all(&out, |c: &regex::Captures<'_>| {
            if let Some(label) = self.known(kind_for_key, &c[0]) {
                return label.clone();
            }
            match c[0].parse::<i64>() {
                Ok(n) if n >= SNOWFLAKE_FLOOR => "[snowflake]".to_owned(),
                _ => c[0].to_owned(),
            }
        });
        self.text(&out)
    }

    /// A JSON value normalised.
    pub fn value(&self, value: &Value) -> Value {
        self.walk(value, None, None)
    }

    fn walk(&self, value: &Value, key: Option<&str>, siblings: Option<&Map<String, Value>>) -> Value {
        match value {
            Value::Object(map) => {
                let mut sorted: BTreeMap<String, Value> = BTreeMap::new();
                for (k, v) in map {
                    sorted.insert(self.text(k), self.walk(v, Some(k), Some(map)));
                }
                Value::Object(sorted.into_iter().collect())
            }
            Value::Array(items) => Value::Array(items.iter().map(|v| self.walk(v, key, None)).collect()),
            Value::Number(n) => self.number(n, key, siblings).unwrap_or_else(|| value.clone()),
            Value::String(s) => Value::String(self.string(s, key)),
            other => other.clone(),
        }
    }

    fn number(
        &self,
        n: &serde_json::Number,
        key: Option<&str>,
        siblings: Option<&Map<String, Value>>,
    ) -> Option<Value> {
        let key = key?;
        let text = n.to_string();
        let kind = match key {
            "createdById" | "updatedById" | "userId" => Some(IdKind::User),
            "id" => Some(match siblings {
                Some(s) if s.contains_key("username") || s.contains_key("email") || s.contains_key("nickname") => {
                    IdKind::User
                }
                Some(s) if s.contains_key("roleName") && s.contains_key("expiresIn") => IdKind::ApiKey,
                _ => IdKind::Record,
            }),
            _ => None,
        };
        if let Some(label) = kind.and_then(|k| self.known(k, &text)) {
            return Some(json!(label));
        }
        let id_like = key == "id" || key.ends_with("Id");
        match n.as_i64() {
            Some(v) if id_like && v >= SNOWFLAKE_FLOOR => Some(json!("[snowflake]")),
            _ => None,
        }
    }

    fn string(&self, s: &str, key: Option<&str>) -> String {
        if ISO.is_match(s) {
            return "[timestamp]".to_owned();
        }
        if SQLITE.is_match(s) {
            return "[sqlite-timestamp]".to_owned();
        }
        if UUID.is_match(s) {
            return "[uuid]".to_owned();
        }
        if matches!(key, Some("key") | Some("id")) && UID.is_match(s) {
            return "[uid]".to_owned();
        }
        self.text(s)
    }

    /// What a snapshot of `exchange` holds: the request line, status, content type, CORS headers
    /// (when any) and the normalised body.
    pub fn exchange(&self, exchange: &Exchange) -> Value {
        let mut out = Map::new();
        out.insert("request".into(), json!(self.request_line(&exchange.request_line())));
        out.insert("status".into(), json!(exchange.status));
        out.insert("content-type".into(), json!(exchange.content_type));
        let cors: Map<String, Value> = exchange
            .headers
            .iter()
            .filter(|(k, _)| k.starts_with("access-control-"))
            .map(|(k, v)| (k.clone(), json!(self.text(v))))
            .collect();
        if !cors.is_empty() {
            let sorted: BTreeMap<String, Value> = cors.into_iter().collect();
            out.insert("headers".into(), Value::Object(sorted.into_iter().collect()));
        }
        let body = match &exchange.body {
            ResponseBody::Json(v) if self.created_rows_whole && is_create(&exchange.path) => {
                self.value(&without_unset_columns(v, exchange.request_body.as_ref()))
            }
            ResponseBody::Json(v) if grants::is_roles_check(&exchange.path) => self.value(&grants::without_repeats(v)),
            ResponseBody::Json(v) => self.value(v),
            ResponseBody::Text(t) => json!(self.text(t)),
            ResponseBody::Empty => Value::Null,
        };
        out.insert("body".into(), body);
        Value::Object(out)
    }
}

/// Whether a request path (`todos:create`, `collections/x/fields:create?…`) runs `create`.
fn is_create(path: &str) -> bool {
    path.split('?').next().is_some_and(|route| route.ends_with(":create"))
}

/// A create answer without the `null` members the request did not send: at `data`, and at each of
/// `data.fields` (matched to the request's `fields` by `name`).
fn without_unset_columns(body: &Value, request: Option<&Value>) -> Value {
    fn strip(row: &mut Map<String, Value>, sent: Option<&Value>) {
        let sent = sent.and_then(Value::as_object);
        row.retain(|key, value| !value.is_null() || sent.is_some_and(|s| s.contains_key(key)));
    }
    let mut body = body.clone();
    let Some(data) = body.get_mut("data").and_then(Value::as_object_mut) else { return body };
    strip(data, request);
    if let Some(Value::Array(fields)) = data.get_mut("fields") {
        let sent_fields = request.and_then(|r| r.get("fields")).and_then(Value::as_array);
        for field in fields.iter_mut().filter_map(Value::as_object_mut) {
            let name = field.get("name").cloned();
            let sent = sent_fields.and_then(|s| s.iter().find(|f| f.get("name") == name.as_ref()));
            strip(field, sent);
        }
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalizer() -> Normalizer {
        let mut n = Normalizer::new();
        n.strip_tag("nc4k2x9a01");
        n.know(IdKind::User, &json!(1), "admin");
        n.know(IdKind::Record, &json!(399889363894272_i64), "eat food");
        n
    }

    #[test]
    fn tags_ids_timestamps_and_tokens_are_normalised() {
        let body = json!({"data": {
            "id": 399889363894272_i64, "title": "eat food", "createdById": 1,
            "createdAt": "2026-11-26T15:15:07.066Z", "roleName": "todos_nc4k2x9a01",
            "token": "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VySWQiOjF9.abc", "rolesResourceId": 399889363894275_i64,
            "count": 3
        }});
        assert_eq!(
            normalizer().value(&body),
            json!({"data": {
                "count": 3, "createdAt": "[timestamp]", "createdById": "[user:admin]", "id": "[todo:eat food]",
                "roleName": "todos", "rolesResourceId": "[snowflake]", "title": "eat food", "token": "[jwt]"
            }})
        );
    }

    #[test]
    fn request_lines_name_known_ids() {
        let n = normalizer();
        assert_eq!(
            n.request_line("GET /api/todos_nc4k2x9a01:get?filterByTk=399889363894272"),
            "GET /api/todos:get?filterByTk=[todo:eat food]"
        );
        assert_eq!(n.request_line("GET /api/users/1/roles:list"), "GET /api/users/[user:admin]/roles:list");
        assert_eq!(n.request_line("GET /api/todos_nc4k2x9a01/399889363894272"), "GET /api/todos/[todo:eat food]");
        assert_eq!(
            n.request_line("GET /api/apiKeys:list?filter={\"name\":{\"$includes\":\"nc4k2x9a01\"}}"),
            "GET /api/apiKeys:list?filter={\"name\":{\"$includes\":\"[run]\"}}"
        );
    }

    fn exchange(path: &str, request: Value, body: Value) -> Exchange {
        Exchange {
            method: "POST".into(),
            path: path.into(),
            request_headers: Vec::new(),
            request_body: Some(request),
            status: 200,
            content_type: Some("application/json".into()),
            body: ResponseBody::Json(body),
            headers: Vec::new(),
        }
    }

    #[test]
    fn on_postgresql_a_create_answer_loses_only_the_nulls_nobody_sent() {
        // Arrange
        let request = json!({"title": "eat food", "completed": null, "fields": [{"name": "a", "x": null}]});
        let answer = json!({"data": {
            "title": "eat food", "completed": null, "description": null, "strategy": "all",
            "fields": [{"name": "a", "x": null, "parentKey": null}, {"name": "b", "reverseKey": null}],
            "nested": {"kept": null}
        }});
        let mut postgres = Normalizer::new();
        postgres.created_rows_whole(true);

        // Act
        let created = postgres.exchange(&exchange("todos_x:create", request.clone(), answer.clone()));
        let updated = postgres.exchange(&exchange("todos_x:update?filterByTk=1", request.clone(), answer.clone()));
        let elsewhere = Normalizer::new().exchange(&exchange("todos_x:create", request, answer));

        // Assert
        assert_eq!(
            created["body"],
            json!({"data": {
                "completed": null, "fields": [{"name": "a", "x": null}, {"name": "b"}],
                "nested": {"kept": null}, "strategy": "all", "title": "eat food"
            }})
        );
        assert_eq!(updated["body"]["data"]["description"], Value::Null, "only create answers");
        assert!(updated["body"]["data"].as_object().is_some_and(|d| d.contains_key("description")));
        assert!(
            elsewhere["body"]["data"].as_object().is_some_and(|d| d.contains_key("description")),
            "only on PostgreSQL"
        );
    }

    #[test]
    fn a_target_s_api_path_reads_as_api() {
        let mut n = normalizer();
        n.api_path("/nocobase/api/");
        let body = json!({"servers": [{"url": "/nocobase/api/"}], "url": "/nocobase/api/swagger:get?ns=collections%2Ftodos_nc4k2x9a01", "base": "/nocobase/api"});
        assert_eq!(
            n.value(&body),
            json!({"base": "/api", "servers": [{"url": "/api/"}], "url": "/api/swagger:get?ns=collections%2Ftodos"})
        );
        let mut plain = normalizer();
        plain.api_path("/api/");
        assert_eq!(plain.text("/other/api/x"), "/other/api/x", "only the target's own path is read as /api");
    }

    #[test]
    fn unknown_small_ids_are_kept_so_a_wrong_one_shows() {
        assert_eq!(normalizer().value(&json!({"createdById": 7})), json!({"createdById": 7}));
    }
}
