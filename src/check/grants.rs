//! `roles:check`'s grants as a set: NocoBase 2.2.15 repeats the primary key and timestamps in a
//! fresh `view` grant's `fields` (`…, "id", "createdAt", "updatedAt", "id", "createdAt",
//! "updatedAt"`) until the role serves its first view request, which tidies the list in place —
//! measured on real NocoBase: 10 names right after the grant, 7 after one `:list`, 7 from then on.
//! How many requests a role served before is history, not what it may read, so a name repeated in
//! a grant's list is dropped (first occurrence kept); which names are granted stays pinned.

use serde_json::Value;

/// Whether a request path (`roles:check`, `roles:check?x=y`) is `roles:check`.
pub(super) fn is_roles_check(path: &str) -> bool {
    path.split('?').next() == Some("roles:check")
}

/// The answer with every `data.actions.<action>.<list>` free of repeated names.
pub(super) fn without_repeats(body: &Value) -> Value {
    let mut body = body.clone();
    if let Some(actions) = body.pointer_mut("/data/actions").and_then(Value::as_object_mut) {
        for params in actions.values_mut().filter_map(Value::as_object_mut) {
            for list in params.values_mut().filter_map(Value::as_array_mut) {
                let mut seen = Vec::new();
                list.retain(|name| {
                    let first = !seen.contains(name);
                    if first {
                        seen.push(name.clone());
                    }
                    first
                });
            }
        }
    }
    body
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_fresh_view_grant_reads_as_one_already_used() {
        let fresh = json!({"data": {"actions": {"todos:view": {
            "appends": ["createdBy"],
            "fields": ["completed", "id", "title", "id", "createdAt", "createdAt"]
        }}, "role": "todos"}});
        let used = json!({"data": {"actions": {"todos:view": {
            "appends": ["createdBy"],
            "fields": ["completed", "id", "title", "createdAt"]
        }}, "role": "todos"}});
        assert_eq!(without_repeats(&fresh), used);
        assert_eq!(without_repeats(&used), used);
    }

    #[test]
    fn a_missing_name_still_shows() {
        let granted = json!({"data": {"actions": {"todos:view": {"fields": ["id", "title"]}}}});
        let fewer = json!({"data": {"actions": {"todos:view": {"fields": ["id"]}}}});
        assert_ne!(without_repeats(&granted), without_repeats(&fewer));
    }

    #[test]
    fn only_roles_check_is_read_as_a_set() {
        assert!(is_roles_check("roles:check"));
        assert!(!is_roles_check("roles:list"));
        assert!(!is_roles_check("roles/todos/dataSourceResources:get?filterByTk=todos"));
    }
}
