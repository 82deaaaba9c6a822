//! The system collections the reference server keeps (users, roles, apiKeys, iframeHtml,
//! rolesUsers) and the collection manager's own `collections`, with their fields as NocoBase 2.2
//! defines them: a data table.

use serde_json::{Map, Value};

use crate::db::schema::{Collection, Field, FieldKind, KeyKind, belongs_to};

fn system(name: &str, key: &str, key_kind: KeyKind, fields: Vec<Field>) -> Collection {
    Collection {
        name: name.to_owned(),
        fields,
        primary_key: key.to_owned(),
        key_kind,
        created_at: true,
        updated_at: true,
        created_by: false,
        updated_by: false,
        user_defined: false,
    }
}

/// The system collections the reference server keeps, as NocoBase 2.2 defines them.
pub(crate) fn system_collections() -> Vec<Collection> {
    use FieldKind::*;
    let mut users = system(
        "users",
        "id",
        KeyKind::AutoIncrement,
        vec![
            Field::new("id", Integer).titled("ID"),
            Field::new("createdAt", Date),
            Field::new("updatedAt", Date),
            Field::new("appLang", String),
            Field::new("email", String).titled("Email"),
            Field::new("nickname", String).titled("Nickname"),
            Field::new("password", Password).hidden(),
            Field::new("passwordChangeTz", Integer),
            Field::new("phone", String).titled("Phone"),
            Field::new("resetToken", String).hidden(),
            Field::new("systemSettings", Json).default(Value::Object(Map::new())),
            Field::new("username", String).titled("Username"),
            belongs_to("createdBy", "users", "createdById", "id"),
            belongs_to("updatedBy", "users", "updatedById", "id"),
            Field::new(
                "roles",
                BelongsToMany {
                    target: "roles".into(),
                    through: "rolesUsers".into(),
                    foreign_key: "userId".into(),
                    other_key: "roleName".into(),
                    source_key: "id".into(),
                    target_key: "name".into(),
                },
            ),
        ],
    );
    users.created_by = true;
    users.updated_by = true;

    let roles = system(
        "roles",
        "name",
        KeyKind::Given,
        vec![
            Field::new("createdAt", Date),
            Field::new("updatedAt", Date),
            Field::new("allowConfigure", Boolean),
            Field::new("allowNewAiEmployee", Boolean).default(Value::Bool(true)),
            Field::new("allowNewMenu", Boolean).default(Value::Bool(false)),
            Field::new("allowNewMobileMenu", Boolean).default(Value::Bool(false)),
            Field::new("default", Boolean).default(Value::Bool(false)),
            Field::new("description", String),
            Field::new("hidden", Boolean).default(Value::Bool(false)),
            Field::new("name", String).titled("Role UID"),
            Field::new("snippets", Json).default(serde_json::json!(["!ui.*", "!pm", "!pm.*"])),
            Field::new("strategy", Json),
            Field::new("title", String).titled("Role name"),
            Field::new(
                "users",
                BelongsToMany {
                    target: "users".into(),
                    through: "rolesUsers".into(),
                    foreign_key: "roleName".into(),
                    other_key: "userId".into(),
                    source_key: "name".into(),
                    target_key: "id".into(),
                },
            ),
        ],
    );

    let mut api_keys = system(
        "apiKeys",
        "id",
        KeyKind::AutoIncrement,
        vec![
            Field::new("id", Integer),
            Field::new("createdAt", Date),
            Field::new("name", String),
            belongs_to("role", "roles", "roleName", "name"),
            Field::new("expiresIn", String),
            Field::new("token", String).hidden(),
            belongs_to("createdBy", "users", "createdById", "id"),
        ],
    );
    api_keys.updated_at = false;
    api_keys.created_by = true;

    let mut iframe_html = system(
        "iframeHtml",
        "id",
        KeyKind::Given,
        vec![
            Field::new("id", String),
            Field::new("createdAt", Date),
            Field::new("updatedAt", Date),
            Field::new("html", String),
            belongs_to("createdBy", "users", "createdById", "id"),
            belongs_to("updatedBy", "users", "updatedById", "id"),
        ],
    );
    iframe_html.created_by = true;
    iframe_html.updated_by = true;

    // The join table of users and roles; root may list it (probe 139).
    let roles_users = system(
        "rolesUsers",
        "userId",
        KeyKind::Given,
        vec![
            Field::new("createdAt", Date),
            Field::new("updatedAt", Date),
            Field::new("default", Boolean),
            Field::new("roleName", String),
            Field::new("userId", Integer),
        ],
    );

    vec![users, roles, api_keys, iframe_html, roles_users]
}

/// The collection manager's own `collections` collection, as far as `collections:list` filters
/// and sorts on it (the rows are assembled by `resources/collections.rs`).
pub(crate) fn collections_collection() -> Collection {
    use FieldKind::*;
    system(
        "collections",
        "name",
        KeyKind::Given,
        vec![
            Field::new("key", String),
            Field::new("name", String),
            Field::new("title", String),
            Field::new("inherit", Boolean),
            Field::new("hidden", Boolean),
            Field::new("description", String),
            Field::new("sort", Integer),
        ],
    )
}
