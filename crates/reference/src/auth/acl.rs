//! NocoBase's ACL for the resources the reference server has (`ACL.getCanByRole`): public and
//! logged-in actions first, then root, then the role's per-collection configuration, then its
//! role-wide strategy (on collections from the collection manager, users and roles), then its
//! snippets (`pm.*`, `!pm.api-keys.configuration`, … matched like minimatch).

use rusqlite::{Connection, OptionalExtension};
use serde_json::Value;

use crate::db::store::CatalogView;
use crate::http::error::ApiResult;

/// Who may call an action before the role's permissions are looked at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Access {
    /// No token needed (and none checked).
    Public,
    /// Any signed-in user.
    LoggedIn,
    /// Decided by the ACL.
    Acl,
}

/// The access class of `resource:action` (`acl.allow(…)` registrations).
pub(crate) fn access(resource: &str, action: &str) -> Access {
    match (resource, action) {
        ("auth", "signIn" | "signUp" | "lostPassword" | "resetPassword" | "checkResetToken")
        | ("app", "getInfo" | "getLang" | "getPlugins")
        | ("pm", "listEnabled" | "listEnabledV2")
        | ("authenticators", "publicList") => Access::Public,
        ("auth", "check" | "signOut" | "syncCookies" | "changePassword")
        | ("roles", "check")
        | ("users", "setDefaultRole" | "updateProfile" | "updateLang")
        | ("swagger", "get" | "getUrls")
        | ("collections", "list" | "listMeta")
        | ("iframeHtml", "getHtml") => Access::LoggedIn,
        _ => Access::Acl,
    }
}

/// The permission an action needs (`availableActions` aliases).
pub(crate) fn permission_of(action: &str) -> &str {
    match action {
        "get" | "list" | "query" => "view",
        "firstOrCreate" | "updateOrCreate" => "create",
        "move" => "update",
        "exportAttachments" => "export",
        other => other,
    }
}

/// Registered snippets: name → the `resource:action` globs it opens.
const SNIPPETS: &[(&str, &[&str])] = &[
    ("pm", &["pm:*"]),
    (
        "pm.acl.roles",
        &[
            "roles:*",
            "roles.snippets:*",
            "availableActions:list",
            "roles.collections:list",
            "roles.resources:*",
            "uiSchemas:getProperties",
            "roles.menuUiSchemas:*",
            "roles.users:*",
            "dataSources.roles:*",
            "dataSources:list",
            "dataSources.rolesResourcesScopes:*",
            "roles.dataSourcesCollections:*",
            "roles.dataSourceResources:*",
            "dataSourcesRolesResourcesScopes:*",
            "dataSourcesRolesResourcesActions:*",
            "rolesResourcesScopes:*",
        ],
    ),
    ("pm.api-keys.configuration", &["apiKeys:list", "apiKeys:create", "apiKeys:destroy"]),
    ("pm.api-doc.documentation", &["swagger:*"]),
    ("pm.security.token-policy", &["tokenControlConfig:*"]),
    ("pm.users", &["users:*"]),
    (
        "pm.data-source-manager.data-source-main",
        &["collections:*", "collections.fields:*", "fields:*", "collectionCategories:*", "mainDataSource:*"],
    ),
    ("pm.data-source-manager", &["dataSources:*", "dataSources.collections:*", "dataSourcesCollections.fields:*"]),
    ("ui.iframeHtml", &["iframeHtml:*"]),
];

/// What an allowed action may touch.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Grant {
    /// `view`: the attributes that may be shown (`None` = all).
    pub(crate) fields: Option<Vec<String>>,
    /// `view`: the associations that may be appended (`None` = any).
    pub(crate) appends: Option<Vec<String>>,
    /// `create`/`update`: the attributes that may be written (`None` = all).
    pub(crate) whitelist: Option<Vec<String>>,
    /// `:own` scope: only rows the caller created.
    pub(crate) own: bool,
}

/// minimatch for snippet names and action paths: `*` matches anything but `/`, `?` one character
/// but `/`. The patterns come from admins (`roles/<role>/snippets:add`), so matching must not
/// backtrack: this walks the text once, keeping the set of pattern positions that match what
/// was read so far (an NFA simulation, O(pattern × text) whatever the stars).
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    let pattern = pattern.as_bytes();
    // `at[i]`: `pattern[..i]` matches the text read so far.
    let mut at = vec![false; pattern.len() + 1];
    at[0] = true;
    let close = |at: &mut Vec<bool>| {
        // A star may match nothing: reaching it reaches what follows it.
        for i in 0..pattern.len() {
            if at[i] && pattern[i] == b'*' {
                at[i + 1] = true;
            }
        }
    };
    close(&mut at);
    for &c in text.as_bytes() {
        let mut next = vec![false; pattern.len() + 1];
        for (i, &p) in pattern.iter().enumerate() {
            if !at[i] {
                continue;
            }
            match p {
                b'*' if c != b'/' => next[i] = true,
                b'?' if c != b'/' => next[i + 1] = true,
                b'*' | b'?' => {}
                literal if literal == c => next[i + 1] = true,
                _ => {}
            }
        }
        close(&mut next);
        if !next.contains(&true) {
            return false;
        }
        at = next;
    }
    at[pattern.len()]
}

/// `ACLRole.snippetAllowed`: `Some(true)` allowed, `Some(false)` rejected, `None` unmentioned.
pub(crate) fn snippet_allowed(role_snippets: &[String], action_path: &str) -> Option<bool> {
    let mut allowed: Vec<&str> = Vec::new();
    let mut rejected: Vec<&str> = Vec::new();
    for rule in role_snippets {
        let (negated, pattern) = match rule.strip_prefix('!') {
            Some(p) => (true, p),
            None => (false, rule.as_str()),
        };
        for (name, _) in SNIPPETS {
            if glob(pattern, name) {
                if negated { rejected.push(name) } else { allowed.push(name) }
            }
        }
    }
    let effective: Vec<&str> = allowed.into_iter().filter(|a| !rejected.contains(a)).collect();
    let actions = |names: &[&str]| -> Vec<&'static str> {
        SNIPPETS.iter().filter(|(n, _)| names.contains(n)).flat_map(|(_, a)| a.iter().copied()).collect()
    };
    if actions(&effective).iter().any(|a| glob(a, action_path)) {
        return Some(true);
    }
    if actions(&rejected).iter().any(|a| glob(a, action_path)) {
        return Some(false);
    }
    None
}

/// The role's stored ACL settings.
#[derive(Debug, Clone)]
pub(crate) struct RoleRules {
    /// Snippet rules.
    pub(crate) snippets: Vec<String>,
    /// Role-wide strategy actions (`["view:own", …]`).
    pub(crate) strategy: Option<Vec<String>>,
}

/// Reads a role's snippets and strategy; `None` if the role does not exist.
pub(crate) fn role_rules(conn: &Connection, role: &str) -> ApiResult<Option<RoleRules>> {
    let row: Option<(Option<String>, Option<String>)> = conn
        .prepare_cached("SELECT snippets, strategy FROM roles WHERE name = ?")?
        .query_row([role], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(row.map(|(snippets, strategy)| RoleRules {
        snippets: snippets.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default(),
        strategy: strategy
            .and_then(|s| serde_json::from_str::<Value>(&s).ok())
            .and_then(|v| v.get("actions").cloned())
            .and_then(|a| serde_json::from_value(a).ok()),
    }))
}

/// An action entry of a role's per-collection configuration: its name and field list.
pub(crate) type ActionEntry = (String, Vec<String>);

/// The action entries of a role's per-collection configuration: `None` when the role has no
/// `usingActionsConfig` resource for `collection`; otherwise `(action name, fields)` pairs.
pub(crate) fn resource_actions(conn: &Connection, role: &str, collection: &str) -> ApiResult<Option<Vec<ActionEntry>>> {
    let resource: Option<i64> = conn
        .prepare_cached(
            "SELECT id FROM dataSourcesRolesResources WHERE roleName = ? AND name = ? AND dataSourceKey = 'main' AND usingActionsConfig = 1",
        )?
        .query_row([role, collection], |r| r.get(0))
        .optional()?;
    let Some(resource) = resource else { return Ok(None) };
    let mut stmt = conn.prepare_cached(
        "SELECT name, fields FROM dataSourcesRolesResourcesActions WHERE rolesResourceId = ? ORDER BY rowid",
    )?;
    let actions = stmt
        .query_map([resource], |r| {
            let fields: Option<String> = r.get(1)?;
            Ok((r.get::<_, String>(0)?, fields.and_then(|f| serde_json::from_str(&f).ok()).unwrap_or_default()))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(actions))
}

/// Decides whether `role` may run `resource:action`; `None` means 403.
pub(crate) fn decide(
    conn: &Connection,
    catalog: &CatalogView,
    role: &str,
    resource: &str,
    action: &str,
) -> ApiResult<Option<Grant>> {
    if role == "root" {
        return Ok(Some(Grant::default()));
    }
    let Some(rules) = role_rules(conn, role)? else { return Ok(None) };
    let permission = permission_of(action);
    if let Some(actions) = resource_actions(conn, role, resource)? {
        let Some((_, fields)) = actions.iter().find(|(name, _)| name == permission) else {
            return Ok(None);
        };
        return Ok(Some(grant_from_fields(catalog, resource, permission, fields)));
    }
    let snippet = snippet_allowed(&rules.snippets, &format!("{resource}:{action}"));
    let strategy_resource =
        catalog.get(resource).is_some_and(|c| c.user_defined || c.name == "users" || c.name == "roles");
    if strategy_resource && let Some(actions) = &rules.strategy {
        if actions.iter().any(|a| a == permission) {
            return Ok(Some(Grant::default()));
        }
        if actions.iter().any(|a| *a == format!("{permission}:own")) {
            return Ok(Some(Grant { own: true, ..Grant::default() }));
        }
    }
    Ok((snippet == Some(true)).then(Grant::default))
}

/// The filter NocoBase fixes for a resource's `destroy` whatever the role, root included
/// (`acl.addFixedParams`: plugin-users keeps user 1, plugin-acl the built-in roles). `None` when
/// nothing is fixed. `collections:destroy` has a handler of its own, which keeps their collections
/// (`resources::collections::PROTECTED`).
pub(crate) fn fixed_destroy_filter(resource: &str) -> Option<Value> {
    let keep = |field: &str, values: &[&str]| -> Value {
        let parts: Vec<Value> = values.iter().map(|v| serde_json::json!({ field: { "$ne": v } })).collect();
        serde_json::json!({ "$and": parts })
    };
    match resource {
        "users" => Some(serde_json::json!({"id": {"$ne": 1}})),
        "roles" => Some(keep("name", &["root", "admin", "member"])),
        _ => None,
    }
}

/// The params NocoBase derives from an action's field list: for `view`, the non-association
/// fields plus primary key and timestamps (and `createdById`) as `fields`, the associations as
/// `appends`; for writes, the list as `whitelist`.
pub(crate) fn grant_from_fields(catalog: &CatalogView, resource: &str, permission: &str, fields: &[String]) -> Grant {
    let collection = catalog.get(resource);
    match permission {
        "view" | "export" => {
            let mut attributes = Vec::new();
            let mut appends = Vec::new();
            for f in fields {
                if collection.is_some_and(|c| c.association(f).is_some()) {
                    appends.push(f.clone());
                } else {
                    attributes.push(f.clone());
                }
            }
            if let Some(c) = collection {
                for extra in [c.primary_key.as_str(), "createdAt", "updatedAt", "createdById"] {
                    if c.attribute(extra).is_some() && !attributes.iter().any(|a| a == extra) {
                        attributes.push(extra.to_owned());
                    }
                }
            }
            Grant { fields: Some(attributes), appends: Some(appends), ..Grant::default() }
        }
        "create" | "update" => Grant { whitelist: Some(fields.to_vec()), ..Grant::default() },
        _ => Grant::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_fresh_role_cannot_manage_keys() {
        let fresh = rules(&["!ui.*", "!pm", "!pm.*"]);
        assert_eq!(snippet_allowed(&fresh, "apiKeys:create"), Some(false));
        assert_eq!(snippet_allowed(&fresh, "users:list"), Some(false));
    }

    #[test]
    fn the_tutorials_plugin_settings_open_only_api_keys() {
        // Recording 2.2.15-ui/31: pm.* with every plugin setting negated except API keys.
        let role = rules(&["!app", "!pm", "!pm.acl.roles", "!pm.users", "!pm.data-source-manager*", "!ui.*", "pm.*"]);
        assert_eq!(snippet_allowed(&role, "apiKeys:create"), Some(true));
        assert_eq!(snippet_allowed(&role, "users:list"), Some(false));
        assert_eq!(snippet_allowed(&role, "collections:create"), Some(false));
    }

    #[test]
    fn globs_do_not_cross_slashes() {
        assert!(glob("pm.*", "pm.api-keys.configuration"));
        assert!(!glob("pm.*", "pm"));
        assert!(glob("apiKeys:*", "apiKeys:list"));
        assert!(!glob("a*", "a/b"));
        assert!(glob("a*/b", "axx/b"));
        assert!(glob("?m.*", "pm.users"));
        assert!(!glob("?", "/"));
        assert!(glob("*", ""));
        assert!(glob("**", "roles"));
        assert!(!glob("", "x"));
        assert!(glob("p*.a*-*.c*", "pm.api-keys.configuration"));
        assert!(!glob("p*.a*-*.x*", "pm.api-keys.configuration"));
    }

    #[test]
    fn many_stars_do_not_backtrack_exponentially() {
        // Review: a snippet pattern with many `*` made the recursive matcher backtrack
        // exponentially (this one: about 2^40 steps). It now takes microseconds.
        let pattern = format!("{}b", "*a".repeat(40));
        let text = "a".repeat(200);
        let started = std::time::Instant::now();
        assert!(!glob(&pattern, &text));
        assert!(glob(&pattern, &format!("{text}b")));
        assert!(!snippet_allowed(&rules(&[&pattern]), "users:list").unwrap_or(false));
        assert!(started.elapsed() < std::time::Duration::from_secs(1), "took {:?}", started.elapsed());
    }
}
