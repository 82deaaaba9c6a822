//! Checking responses against the target's own OpenAPI document (`swagger:get?ns=collections/<c>`).
//!
//! For a collection action the document declares response statuses and, for some, a JSON schema
//! of the body. A status the document does not declare is *undocumented* (reported once per run,
//! not a failure). A body that breaks its schema is a *violation* — unless it matches one of the
//! known defects of NocoBase 2.2's own document (below), which are counted and reported instead,
//! so that the suite can validate against real NocoBase and still fail on any other drift.
//!
//! | defect | what NocoBase's document says | what NocoBase answers |
//! |---|---|---|
//! | `boolean-typed-string` | boolean fields are `{"type": "string"}` (plugin-api-doc's field-type map knows no `TINYINT(1)`) | `true` / `false` |
//! | `not-nullable` | no field is `nullable` | `null` for fields never set |
//! | `update-answers-a-list` | `update` answers `data` = one record | `data` = the list of updated records |
//! | `get-finds-nothing` | `get` answers `data` = a record | `data: null` (status 200) when no record has that key |

use std::collections::BTreeMap;

use jsonschema::{Draft, Validator};
use serde_json::{Value, json};

/// One way a body breaks its schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// Where in the body (JSON pointer).
    pub instance_path: String,
    /// Which constraint of the document (JSON pointer into the document).
    pub schema_path: String,
    /// What is wrong.
    pub message: String,
    /// The known defect of NocoBase's document it matches, if any.
    pub known_defect: Option<&'static str>,
}

/// What checking one response found.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// The action is not in the document (not a collection action, or no such path).
    NotCovered,
    /// The document does not declare this status for the action.
    Undocumented(String),
    /// The status is declared without a body schema.
    NoSchema,
    /// Checked: every violation, known defects included (empty when valid).
    Checked(Vec<Violation>),
}

/// A collection's OpenAPI document, ready to check responses.
pub struct Document {
    doc: Value,
    validators: BTreeMap<String, Option<Validator>>,
}

impl std::fmt::Debug for Document {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Document({} paths)", self.doc.get("paths").and_then(Value::as_object).map_or(0, |p| p.len()))
    }
}

/// Escapes a JSON-pointer segment.
fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

impl Document {
    /// Wraps a document (`None` if it is not an OpenAPI document).
    pub fn new(doc: Value) -> Option<Self> {
        doc.get("openapi")?.as_str()?;
        doc.get("paths")?.as_object()?;
        Some(Self { doc, validators: BTreeMap::new() })
    }

    /// The documented operation for `/<resource>:<action>` called with `method`: NocoBase
    /// documents each action under one method, and ignores the method of `resource:action` URLs,
    /// so the action's only operation is used whatever the method.
    fn operation(&self, action_path: &str, method: &str) -> Option<(String, &Value)> {
        let item = self.doc.pointer(&format!("/paths/{}", escape(action_path)))?.as_object()?;
        let method = method.to_ascii_lowercase();
        if let Some(op) = item.get(&method) {
            return Some((method, op));
        }
        let mut ops = item.iter().filter(|(k, _)| matches!(k.as_str(), "get" | "post" | "put" | "patch" | "delete"));
        match (ops.next(), ops.next()) {
            (Some((m, op)), None) => Some((m.clone(), op)),
            _ => None,
        }
    }

    /// Checks a response to `method /<resource>:<action>`.
    pub fn check(&mut self, method: &str, action_path: &str, status: u16, body: &Value) -> Verdict {
        let Some((method, operation)) = self.operation(action_path, method) else {
            return Verdict::NotCovered;
        };
        let status_key = status.to_string();
        let declared =
            operation.pointer(&format!("/responses/{status_key}")).or_else(|| operation.pointer("/responses/default"));
        let Some(declared) = declared else {
            return Verdict::Undocumented(format!("{status} on {} {action_path}", method.to_uppercase()));
        };
        if declared.pointer("/content/application~1json/schema").is_none() {
            return Verdict::NoSchema;
        }
        let pointer = format!(
            "/paths/{}/{method}/responses/{}/content/application~1json/schema",
            escape(action_path),
            if operation.pointer(&format!("/responses/{status_key}")).is_some() {
                status_key.as_str()
            } else {
                "default"
            }
        );
        let validator = self.validators.entry(pointer.clone()).or_insert_with(|| {
            let mut root = self.doc.clone();
            if let Value::Object(map) = &mut root {
                map.insert("$ref".into(), json!(format!("#{pointer}")));
            }
            jsonschema::options().with_draft(Draft::Draft4).build(&root).ok()
        });
        let Some(validator) = validator else {
            return Verdict::NoSchema;
        };
        let violations = validator
            .iter_errors(body)
            .map(|error| {
                let instance_path = error.instance_path().to_string();
                let schema_path = format!("{pointer}{}", error.schema_path());
                let message = error.to_string();
                let known_defect = known_defect(action_path, &instance_path, &schema_path, error.instance(), &message);
                Violation { instance_path, schema_path, message, known_defect }
            })
            .collect();
        Verdict::Checked(violations)
    }
}

/// The known defect of NocoBase's document a violation matches (see the module's table). Only a
/// record's own fields qualify for the field defects (`/data/0/title`, `/data/title`; never its
/// id or `meta`), and `data` itself only in the answers the table names, so that drift such as a
/// list answering `{"data": null}` or a null id still fails.
fn known_defect(
    action_path: &str,
    instance_path: &str,
    schema_path: &str,
    instance: &Value,
    message: &str,
) -> Option<&'static str> {
    if !schema_path.ends_with("/type") {
        return None;
    }
    match instance {
        Value::Null if is_record_field(instance_path) => Some("not-nullable"),
        Value::Null if action_path.ends_with(":get") && instance_path == "/data" => Some("get-finds-nothing"),
        Value::Bool(_) if is_record_field(instance_path) && message.ends_with(r#"is not of type "string""#) => {
            Some("boolean-typed-string")
        }
        Value::Array(_) if action_path.ends_with(":update") && instance_path == "/data" => {
            Some("update-answers-a-list")
        }
        _ => None,
    }
}

/// `/data/<n>/<field>` or `/data/<field>`, other than `id`.
fn is_record_field(instance_path: &str) -> bool {
    let Some(rest) = instance_path.strip_prefix("/data/") else { return false };
    let field = match rest.split_once('/') {
        Some((index, field)) if index.parse::<usize>().is_ok() => field,
        Some(_) => return false,
        None if rest.parse::<usize>().is_ok() => return false,
        None => rest,
    };
    !field.is_empty() && !field.contains('/') && field != "id"
}

/// The paths of a resource-action URL the document may describe: `todos_x:list?…` → `/todos_x:list`;
/// the REST form `todos_x/<id>` → `/todos_x:get`.
pub fn action_path(request_path: &str, method: &str) -> Option<String> {
    let path = request_path.split('?').next()?;
    if let Some((resource, action)) = path.split_once(':') {
        let action = action.split('/').next()?;
        if resource.contains('/') {
            return None;
        }
        return Some(format!("/{resource}:{action}"));
    }
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let action = match (segments.len(), method) {
        (1, "GET") => "list",
        (1, "POST") => "create",
        (2, "GET") => "get",
        (2, "PUT" | "PATCH") => "update",
        (1 | 2, "DELETE") => "destroy",
        _ => return None,
    };
    Some(format!("/{}:{action}", segments[0]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// NocoBase 2.2.15's document for the recordings' hand-made `todos` collection (recording 19).
    fn recorded() -> Document {
        let text = include_str!("../../fixtures/recordings/2.2.15-api/19-swagger-get-ns-collections-todos.json");
        let exchange: Value = serde_json::from_str(text).expect("recording parses");
        Document::new(exchange["response"]["body"].clone()).expect("an OpenAPI document")
    }

    #[test]
    fn a_recorded_list_answer_validates_with_known_defects_only() {
        let mut doc = recorded();
        let body = json!({"data": [{"id": 1, "title": "Buy milk", "completed": false}, {"id": 6, "title": null, "completed": null}],
                          "meta": {"count": 2, "page": 1, "pageSize": 20, "totalPage": 1}});
        let Verdict::Checked(violations) = doc.check("GET", "/todos:list", 200, &body) else { panic!("not checked") };
        let defects: Vec<_> = violations.iter().map(|v| v.known_defect).collect();
        assert_eq!(
            defects,
            [Some("boolean-typed-string"), Some("not-nullable"), Some("not-nullable")],
            "{violations:#?}"
        );
    }

    #[test]
    fn nulls_and_booleans_outside_a_records_fields_are_not_excused() {
        let mut doc = recorded();
        let meta = json!({"count": 1, "page": 1, "pageSize": 20, "totalPage": 1});
        for body in [
            json!({"data": null, "meta": meta}),
            json!({"data": [{"id": null, "title": "Buy milk", "completed": false}], "meta": meta}),
            json!({"data": [{"id": true, "title": "Buy milk", "completed": false}], "meta": meta}),
            json!({"data": [{"id": 1, "title": "Buy milk", "completed": false}], "meta": {"count": null, "page": 1, "pageSize": 20, "totalPage": 1}}),
        ] {
            let Verdict::Checked(violations) = doc.check("GET", "/todos:list", 200, &body) else {
                panic!("not checked")
            };
            assert!(violations.iter().any(|v| v.known_defect.is_none()), "{body}: {violations:#?}");
        }
    }

    #[test]
    fn a_body_that_breaks_the_schema_names_both_paths() {
        let mut doc = recorded();
        let body = json!({"data": [{"id": "one", "title": "Buy milk"}], "meta": {"count": 1, "page": 1, "pageSize": 20, "totalPage": 1}});
        let Verdict::Checked(violations) = doc.check("GET", "/todos:list", 200, &body) else { panic!("not checked") };
        assert_eq!(violations.len(), 1, "{violations:#?}");
        assert_eq!(violations[0].instance_path, "/data/0/id");
        assert!(violations[0].schema_path.ends_with("/properties/id/type"), "{}", violations[0].schema_path);
        assert_eq!(violations[0].known_defect, None);
    }

    #[test]
    fn undocumented_statuses_and_update_lists_are_told_apart() {
        let mut doc = recorded();
        assert_eq!(
            doc.check("GET", "/todos:list", 401, &json!({})),
            Verdict::Undocumented("401 on GET /todos:list".into())
        );
        assert_eq!(doc.check("POST", "/todos:destroy", 200, &json!({"data": 1})), Verdict::NoSchema);
        assert_eq!(doc.check("GET", "/users:list", 200, &json!({})), Verdict::NotCovered);
        let Verdict::Checked(violations) = doc.check("POST", "/todos:update", 200, &json!({"data": [{"id": 4}]}))
        else {
            panic!()
        };
        assert_eq!(violations.iter().map(|v| v.known_defect).collect::<Vec<_>>(), [Some("update-answers-a-list")]);
    }

    #[test]
    fn action_paths_cover_both_url_forms() {
        assert_eq!(action_path("todos_x:list?page=2", "GET").as_deref(), Some("/todos_x:list"));
        assert_eq!(action_path("todos_x/123", "GET").as_deref(), Some("/todos_x:get"));
        assert_eq!(action_path("roles/x/users:add", "POST"), None);
    }
}
