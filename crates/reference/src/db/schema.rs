//! Collections as the reference server models them: fields with NocoBase types, a primary key,
//! NocoBase's timestamp and created-by flags. System collections (users, roles, apiKeys, …) are
//! declared here; user collections are built from `collections:create` bodies.

use serde_json::{Map, Value};

/// A field's storage and serialisation behaviour (NocoBase field `type`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FieldKind {
    /// `string`, `text`, `uid`, … : stored as text; non-strings become `String(value)`.
    String,
    /// `boolean`: stored as 0/1; anything else is stored (and read back) as given.
    Boolean,
    /// `integer`, `bigInt`, `sort`: stored as integers.
    Integer,
    /// `float`, `double`, `decimal`.
    Float,
    /// `snowflakeId`: a generated 53-bit id.
    SnowflakeId,
    /// `date` (and createdAt/updatedAt): stored as Sequelize's SQLite text, shown as ISO-8601.
    Date,
    /// `json`, `jsonb`, `set`, `array`: stored as JSON text.
    Json,
    /// `password`: stored hashed, never shown.
    Password,
    /// `belongsTo`: a foreign-key column on this collection.
    BelongsTo {
        /// Target collection.
        target: String,
        /// Column on this collection.
        foreign_key: String,
        /// Column on the target.
        target_key: String,
    },
    /// `hasMany`: rows of the target whose `foreign_key` holds this row's `source_key`.
    HasMany {
        /// Target collection.
        target: String,
        /// Column on the target.
        foreign_key: String,
        /// Column on this collection.
        source_key: String,
    },
    /// `belongsToMany` through a join table (users ↔ roles through rolesUsers).
    BelongsToMany {
        /// Target collection.
        target: String,
        /// Join table.
        through: String,
        /// Join-table column pointing at this collection.
        foreign_key: String,
        /// Join-table column pointing at the target.
        other_key: String,
        /// Column on this collection.
        source_key: String,
        /// Column on the target.
        target_key: String,
    },
    /// A type the reference server stores but does not interpret.
    Other,
}

impl FieldKind {
    /// The kind for a NocoBase field `type` string.
    pub(crate) fn from_options(options: &Map<String, Value>) -> Self {
        let text = |k: &str| options.get(k).and_then(Value::as_str).map(str::to_owned);
        match options.get("type").and_then(Value::as_str).unwrap_or("") {
            "string" | "text" | "uid" | "uuid" | "nanoid" | "email" | "phone" | "url" | "richText" | "markdown"
            | "icon" | "color" | "time" | "dateOnly" | "datetimeNoTz" | "radio" | "select" | "input" | "textarea" => {
                FieldKind::String
            }
            "boolean" | "checkbox" => FieldKind::Boolean,
            "integer" | "bigInt" | "sort" | "unixTimestamp" => FieldKind::Integer,
            "float" | "double" | "decimal" | "real" | "number" | "percent" => FieldKind::Float,
            "snowflakeId" => FieldKind::SnowflakeId,
            "date" | "datetime" | "datetimeTz" => FieldKind::Date,
            "json" | "jsonb" | "set" | "array" => FieldKind::Json,
            "password" => FieldKind::Password,
            "hasMany" => match (text("target"), text("foreignKey")) {
                (Some(target), Some(foreign_key)) => FieldKind::HasMany {
                    target,
                    foreign_key,
                    source_key: text("sourceKey").unwrap_or_else(|| "id".to_owned()),
                },
                _ => FieldKind::Other,
            },
            "belongsTo" => {
                let target = text("target").unwrap_or_default();
                let name = text("name").unwrap_or_default();
                FieldKind::BelongsTo {
                    foreign_key: text("foreignKey").unwrap_or_else(|| format!("{name}Id")),
                    target_key: text("targetKey").unwrap_or_else(|| "id".to_owned()),
                    target,
                }
            }
            _ => FieldKind::Other,
        }
    }

    /// True for association fields, which have no column of their own.
    pub(crate) fn is_association(&self) -> bool {
        matches!(self, FieldKind::BelongsTo { .. } | FieldKind::HasMany { .. } | FieldKind::BelongsToMany { .. })
    }

    /// The SQLite column type Sequelize declares for this kind.
    pub(crate) fn column_type(&self) -> &'static str {
        match self {
            FieldKind::String | FieldKind::Password => "VARCHAR(255)",
            FieldKind::Boolean => "TINYINT(1)",
            FieldKind::Integer | FieldKind::SnowflakeId => "BIGINT",
            FieldKind::Float => "DOUBLE PRECISION",
            FieldKind::Date => "DATETIME",
            FieldKind::Json | FieldKind::Other => "JSON",
            FieldKind::BelongsTo { .. } | FieldKind::HasMany { .. } | FieldKind::BelongsToMany { .. } => "BIGINT",
        }
    }
}

/// One field of a collection.
#[derive(Debug, Clone)]
pub(crate) struct Field {
    /// Field name (attribute name).
    pub(crate) name: String,
    /// How it is stored and shown.
    pub(crate) kind: FieldKind,
    /// Hidden fields (passwords, tokens) never appear in responses.
    pub(crate) hidden: bool,
    /// Default value applied on create when the client sends none.
    pub(crate) default: Option<Value>,
    /// NocoBase's `type` for the field (`bigInt`, `string`, `context` for created-by ids, …).
    pub(crate) nocobase_type: String,
    /// The field's `autoIncrement` option.
    pub(crate) auto_increment: bool,
    /// `uiSchema.title` with a `{{t("…")}}` wrapper removed: what error messages call the field.
    pub(crate) title: Option<String>,
}

impl Field {
    pub(crate) fn new(name: &str, kind: FieldKind) -> Self {
        let nocobase_type = match &kind {
            FieldKind::String => "string",
            FieldKind::Boolean => "boolean",
            FieldKind::Integer => "bigInt",
            FieldKind::Float => "double",
            FieldKind::SnowflakeId => "snowflakeId",
            FieldKind::Date => "date",
            FieldKind::Json => "json",
            FieldKind::Password => "password",
            FieldKind::BelongsTo { .. } => "belongsTo",
            FieldKind::HasMany { .. } => "hasMany",
            FieldKind::BelongsToMany { .. } => "belongsToMany",
            FieldKind::Other => "json",
        }
        .to_owned();
        Self {
            name: name.to_owned(),
            kind,
            hidden: false,
            default: None,
            nocobase_type,
            auto_increment: false,
            title: None,
        }
    }

    pub(crate) fn titled(mut self, title: &str) -> Self {
        self.title = Some(title.to_owned());
        self
    }

    /// How plugin-error-handler names the field in a message: its title, else its name.
    pub(crate) fn label(&self) -> &str {
        self.title.as_deref().unwrap_or(&self.name)
    }

    pub(crate) fn hidden(mut self) -> Self {
        self.hidden = true;
        self
    }

    pub(crate) fn default(mut self, value: Value) -> Self {
        self.default = Some(value);
        self
    }
}

/// How a collection's primary key gets its value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum KeyKind {
    /// `INTEGER PRIMARY KEY AUTOINCREMENT`.
    AutoIncrement,
    /// A generated snowflake id.
    Snowflake,
    /// Given by the client (roles are keyed by `name`).
    Given,
}

/// A collection: a table plus NocoBase's options for it.
#[derive(Debug, Clone)]
pub(crate) struct Collection {
    /// Collection (and table) name.
    pub(crate) name: String,
    /// Fields in declaration order, associations included.
    pub(crate) fields: Vec<Field>,
    /// The primary key attribute.
    pub(crate) primary_key: String,
    /// How the primary key is filled.
    pub(crate) key_kind: KeyKind,
    /// Has a `createdAt` timestamp.
    pub(crate) created_at: bool,
    /// Has an `updatedAt` timestamp.
    pub(crate) updated_at: bool,
    /// Has `createdBy`/`createdById`, filled from the caller.
    pub(crate) created_by: bool,
    /// Has `updatedBy`/`updatedById`, filled from the caller.
    pub(crate) updated_by: bool,
    /// Created through `collections:create` (a "strategy resource" for role-wide permissions).
    pub(crate) user_defined: bool,
}

impl Collection {
    /// The field called `name`.
    pub(crate) fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The stored attributes (columns) in order: the fields that are not associations, then the
    /// foreign keys of belongsTo fields that are not declared as fields themselves.
    pub(crate) fn attributes(&self) -> Vec<Field> {
        let mut out: Vec<Field> = self.fields.iter().filter(|f| !f.kind.is_association()).cloned().collect();
        for field in &self.fields {
            if let FieldKind::BelongsTo { foreign_key, .. } = &field.kind
                && !out.iter().any(|f| &f.name == foreign_key)
            {
                let mut fk = Field::new(foreign_key, FieldKind::Integer);
                if field.name == "createdBy" || field.name == "updatedBy" {
                    fk.nocobase_type = "context".to_owned();
                }
                out.push(fk);
            }
        }
        out
    }

    /// The names of the hidden attributes (passwords, tokens): never shown in an answer.
    pub(crate) fn hidden_attributes(&self) -> Vec<String> {
        self.attributes().into_iter().filter(|f| f.hidden).map(|f| f.name).collect()
    }

    /// The attribute called `name` (declared or a belongsTo foreign key).
    pub(crate) fn attribute(&self, name: &str) -> Option<Field> {
        self.attributes().into_iter().find(|f| f.name == name)
    }

    /// The association field called `name`.
    pub(crate) fn association(&self, name: &str) -> Option<&Field> {
        self.field(name).filter(|f| f.kind.is_association())
    }

    /// `CREATE TABLE` for this collection.
    pub(crate) fn create_table_sql(&self) -> String {
        let columns: Vec<String> = self
            .attributes()
            .iter()
            .map(|f| {
                let ty = f.kind.column_type();
                if f.name == self.primary_key {
                    match self.key_kind {
                        KeyKind::AutoIncrement => format!("{} INTEGER PRIMARY KEY AUTOINCREMENT", quote(&f.name)),
                        _ => format!("{} {ty} PRIMARY KEY", quote(&f.name)),
                    }
                } else {
                    format!("{} {ty}", quote(&f.name))
                }
            })
            .collect();
        format!("CREATE TABLE IF NOT EXISTS {} ({})", quote(&self.name), columns.join(", "))
    }
}

/// A title without its `{{t("…")}}` wrapper (plugin-error-handler's `findFieldTitle`).
pub(crate) fn untranslated(title: &str) -> String {
    static WRAPPED: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#"\{\{\s*t\(\s*['"`]([^'"`]+)['"`]\s*\)\s*\}\}"#).expect("valid pattern")
    });
    WRAPPED.captures(title).map_or_else(|| title.to_owned(), |c| c[1].to_owned())
}

/// Quotes an SQL identifier.
pub(crate) fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

/// A `belongsTo` field.
pub(crate) fn belongs_to(name: &str, target: &str, foreign_key: &str, target_key: &str) -> Field {
    Field::new(
        name,
        FieldKind::BelongsTo {
            target: target.to_owned(),
            foreign_key: foreign_key.to_owned(),
            target_key: target_key.to_owned(),
        },
    )
}

/// Builds a user collection from the options stored by `collections:create` (its `fields`
/// included), applying NocoBase's rules for ids and preset fields.
pub(crate) fn user_collection(name: &str, options: &Map<String, Value>, fields: &[Map<String, Value>]) -> Collection {
    let flag = |k: &str| options.get(k).and_then(Value::as_bool).unwrap_or(false);
    let mut out_fields: Vec<Field> = Vec::new();
    let mut primary_key = None;
    let mut key_kind = KeyKind::AutoIncrement;
    for field in fields {
        let Some(field_name) = field.get("name").and_then(Value::as_str) else { continue };
        let kind = FieldKind::from_options(field);
        if field.get("primaryKey").and_then(Value::as_bool) == Some(true) {
            primary_key = Some(field_name.to_owned());
            key_kind = match kind {
                FieldKind::SnowflakeId => KeyKind::Snowflake,
                _ if field.get("autoIncrement").and_then(Value::as_bool) == Some(true) => KeyKind::AutoIncrement,
                _ => KeyKind::Given,
            };
        }
        let mut f = Field::new(field_name, kind);
        if let Some(ty) = field.get("type").and_then(Value::as_str) {
            f.nocobase_type = ty.to_owned();
        }
        f.auto_increment = field.get("autoIncrement").and_then(Value::as_bool) == Some(true);
        if let Some(default) = field.get("defaultValue").filter(|v| !v.is_null()) {
            f.default = Some(default.clone());
        }
        if field.get("hidden").and_then(Value::as_bool) == Some(true) {
            f.hidden = true;
        }
        f.title = field.get("uiSchema").and_then(|u| u.get("title")).and_then(Value::as_str).map(untranslated);
        out_fields.push(f);
    }
    if primary_key.is_none() && options.get("autoGenId").and_then(Value::as_bool) != Some(false) {
        let mut id = Field::new("id", FieldKind::Integer).titled("ID");
        id.auto_increment = true;
        out_fields.insert(0, id);
        primary_key = Some("id".to_owned());
        key_kind = KeyKind::AutoIncrement;
    }
    let created_at = flag("createdAt");
    let updated_at = flag("updatedAt");
    for (on, name) in [(created_at, "createdAt"), (updated_at, "updatedAt")] {
        if on && !out_fields.iter().any(|f| f.name == name) {
            out_fields.push(Field::new(name, FieldKind::Date));
        }
    }
    let created_by = flag("createdBy");
    let updated_by = flag("updatedBy");
    for (on, name, fk) in [(created_by, "createdBy", "createdById"), (updated_by, "updatedBy", "updatedById")] {
        if on && !out_fields.iter().any(|f| f.name == name) {
            out_fields.push(belongs_to(name, "users", fk, "id"));
        }
    }
    Collection {
        name: name.to_owned(),
        fields: out_fields,
        primary_key: primary_key.unwrap_or_else(|| "id".to_owned()),
        key_kind,
        created_at,
        updated_at,
        created_by,
        updated_by,
        user_defined: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(v: Value) -> Vec<Map<String, Value>> {
        v.as_array().expect("array").iter().map(|f| f.as_object().expect("object").clone()).collect()
    }

    #[test]
    fn ui_general_template_has_snowflake_ids_and_preset_columns() {
        let options =
            json!({"autoGenId": false, "createdAt": true, "createdBy": true, "updatedAt": true, "updatedBy": true});
        let f = fields(json!([
            {"name":"id","type":"snowflakeId","primaryKey":true,"autoIncrement":false},
            {"name":"createdAt","type":"date"},
            {"name":"createdBy","type":"belongsTo","target":"users","foreignKey":"createdById"},
            {"name":"updatedAt","type":"date"},
            {"name":"updatedBy","type":"belongsTo","target":"users","foreignKey":"updatedById"},
            {"name":"title","type":"string"},
            {"name":"completed","type":"boolean"}
        ]));
        let c = user_collection("todos", options.as_object().expect("object"), &f);
        assert_eq!(c.key_kind, KeyKind::Snowflake);
        let names: Vec<String> = c.attributes().into_iter().map(|a| a.name).collect();
        assert_eq!(names, ["id", "createdAt", "updatedAt", "title", "completed", "createdById", "updatedById"]);
    }

    #[test]
    fn hand_made_collection_without_id_gets_an_autoincrement_one() {
        let f = fields(json!([{"name":"title","type":"string"}]));
        let c = user_collection("notes", &Map::new(), &f);
        assert_eq!(c.primary_key, "id");
        assert_eq!(c.key_kind, KeyKind::AutoIncrement);
        assert!(c.create_table_sql().contains("\"id\" INTEGER PRIMARY KEY AUTOINCREMENT"));
    }
}
