//! The API documentation plugin (`plugin-api-doc`): `swagger:getUrls` and `swagger:get` with an
//! OpenAPI 3.0.3 document built the way NocoBase builds it — its base document, the collection
//! templates of `swagger/collections` (list/get/create/update/destroy, the parameter components,
//! a schema per collection with NocoBase's type mapping and a `.form` schema marking read-only
//! fields) and the api-keys plugin's own document (`swagger_api_keys.json`, from recording
//! 2.2.15-api/11). The core document and other plugins' documents are not reproduced.

use std::sync::OnceLock;

use serde_json::{Map, Value, json};

use super::Ctx;
use super::app_info::NOCOBASE_VERSION;
use crate::db::schema::{Collection, FieldKind};
use crate::http::error::{ApiError, ApiResult};
use crate::http::reply::Reply;

fn api_keys_document() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| serde_json::from_str(include_str!("swagger_api_keys.json")).unwrap_or(Value::Null))
}

/// NocoBase's base document (`swagger/base-swagger.ts`) with the version and server filled in.
fn base() -> Value {
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "NocoBase API documentation",
            "description": "",
            "contact": {"url": "https://github.com/nocobase/nocobase/issues"},
            "license": {
                "name": "Core packages are Apache 2.0 & Plugins packages are AGPL 3.0 licensed.",
                "url": "https://github.com/nocobase/nocobase#license"
            },
            "version": NOCOBASE_VERSION
        },
        "externalDocs": {"description": "Find out more about NocoBase", "url": "https://docs.nocobase.com/api/http"},
        "components": {
            "securitySchemes": {"api-key": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "error": {
                    "type": "object",
                    "properties": {
                        "errors": {
                            "type": "array",
                            "items": {"type": "object", "properties": {"message": {"description": "错误信息", "type": "string"}}}
                        }
                    }
                }
            }
        },
        "security": [{"api-key": []}],
        "servers": [{"url": "/api/"}]
    })
}

/// Deep merge: objects merge key by key, anything else is replaced.
fn merge(into: &mut Value, from: &Value) {
    match (into, from) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                merge(a.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
        (slot, v) => *slot = v.clone(),
    }
}

/// `field.dataType` → OpenAPI type, as `field-type-map.ts` maps Sequelize type names.
fn type_of(nocobase_type: &str, kind: &FieldKind) -> Value {
    match (nocobase_type, kind) {
        ("bigInt" | "snowflakeId" | "context", _) | (_, FieldKind::SnowflakeId) => {
            json!({"type": "integer", "format": "int64"})
        }
        ("date" | "datetime" | "datetimeTz" | "createdAt" | "updatedAt", _) | (_, FieldKind::Date) => {
            json!({"type": "string", "format": "date-time"})
        }
        _ => json!({"type": "string"}),
    }
}

fn read_only_fields(collection: &Collection) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(pk) = collection.attribute(&collection.primary_key)
        && pk.auto_increment
    {
        out.push(pk.name.clone());
    }
    const NAMES: &[&str] = &[
        "createdAt",
        "updatedAt",
        "created_at",
        "updated_at",
        "sort",
        "created_by_id",
        "createdById",
        "updatedById",
        "updated_by_id",
    ];
    for field in collection.attributes() {
        if out.contains(&field.name) {
            continue;
        }
        if field.nocobase_type == "sort" || field.nocobase_type == "context" || NAMES.contains(&field.name.as_str()) {
            out.push(field.name.clone());
        }
    }
    out
}

fn parameters(collection: &Collection) -> Value {
    let pk = collection
        .attribute(&collection.primary_key)
        .map(|f| type_of(&f.nocobase_type, &f.kind))
        .unwrap_or(json!({"type": "string"}));
    let list_or_string = |example: Value| json!({"oneOf": [{"type": "array", "items": {"type": "string"}, "example": example}, {"type": "string", "example": "id,createdAt"}]});
    let id_created = json!(["id", "createdAt"]);
    json!({
        "collectionIndex": {"required": true, "name": "collectionIndex", "in": "path", "description": "collection index", "schema": pk},
        "filterByTk": {"name": "filterByTk", "in": "query", "description": "filter by TK(default by ID)", "schema": pk},
        "filterByTks": {"name": "filterByTk", "in": "query", "description": "filter by TKs(default by ID), example: `1,2,3`", "schema": {"type": "array", "items": pk}},
        "filter": {"name": "filter", "in": "query", "description": "filter items", "content": {"application/json": {"schema": {"type": "object"}}}},
        "sort": {"name": "sort", "in": "query", "description": "sort items by fields, example: `-field1,-field2,field3`",
                 "schema": {"oneOf": [{"type": "array", "items": {"type": "string"}, "example": ["-id", "createdAt"]}, {"type": "string", "example": "-id,createdAt"}]}},
        "fields": {"name": "fields", "in": "query", "description": "select fields, example: `field1,field2`", "schema": list_or_string(id_created.clone())},
        "except": {"name": "except", "in": "query", "description": "except fields in results, example: `field1,field2`", "schema": list_or_string(id_created.clone())},
        "appends": {"name": "appends", "in": "query", "description": "append associations in results, example: `assoc1,assoc2`", "schema": list_or_string(id_created.clone())},
        "whitelist": {"name": "whitelist", "in": "query", "description": "whitelist for fields changes, example: `field1,field2`", "schema": list_or_string(id_created.clone())},
        "blacklist": {"name": "blacklist", "in": "query", "description": "blacklist for fields changes, example: `field1,field2`", "schema": list_or_string(id_created)},
    })
}

fn schemas(collection: &Collection) -> Value {
    let mut properties = Map::new();
    for field in collection.attributes() {
        properties.insert(field.name.clone(), type_of(&field.nocobase_type, &field.kind));
    }
    let read_only: Map<String, Value> =
        read_only_fields(collection).into_iter().map(|f| (f, json!({"readOnly": true}))).collect();
    let name = &collection.name;
    let mut out = Map::new();
    out.insert(name.clone(), json!({"type": "object", "properties": properties}));
    out.insert(
        format!("{name}.form"),
        json!({"allOf": [{"$ref": format!("#/components/schemas/{name}")}, {"type": "object", "properties": read_only}]}),
    );
    Value::Object(out)
}

fn paths(collection: &Collection) -> Value {
    let name = &collection.name;
    let tags = json!([name]);
    let schema_ref = json!({"$ref": format!("#/components/schemas/{name}")});
    let form_ref = json!({"$ref": format!("#/components/schemas/{name}.form")});
    let param = |p: &str| json!({"$ref": format!("#/components/parameters/{p}")});
    let one = json!({"200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object", "properties": {"data": schema_ref}}}}}});
    let meta = json!({"type": "object", "properties": {
        "count": {"type": "integer", "description": "total count"},
        "page": {"type": "integer", "description": "current page"},
        "pageSize": {"type": "integer", "description": "items count per page"},
        "totalPage": {"type": "integer", "description": "total page"}
    }});
    let mut out = Map::new();
    out.insert(format!("/{name}:list"), json!({"get": {
        "tags": tags, "summary": "Returns a list of the collection",
        "parameters": [
            {"name": "page", "in": "query", "description": "page number", "required": false, "schema": {"type": "integer"}},
            {"name": "pageSize", "in": "query", "description": "page size", "required": false, "schema": {"type": "integer"}},
            param("filter"), param("sort"), param("fields"), param("appends"), param("except")
        ],
        "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object", "properties": {
            "data": {"type": "array", "items": schema_ref}, "meta": meta}}}}}}
    }}));
    out.insert(format!("/{name}:get"), json!({"get": {
        "tags": tags, "summary": "Return a record",
        "parameters": [param("filterByTk"), param("filter"), param("sort"), param("fields"), param("appends"), param("except")],
        "responses": one
    }}));
    out.insert(
        format!("/{name}:create"),
        json!({"post": {
            "tags": tags, "summary": "Create record",
            "parameters": [param("whitelist"), param("blacklist")],
            "requestBody": {"content": {"application/json": {"schema": form_ref}}},
            "responses": one
        }}),
    );
    out.insert(
        format!("/{name}:update"),
        json!({"post": {
            "tags": tags, "summary": "Update record",
            "parameters": [param("filterByTk"), param("filter"), param("whitelist"), param("blacklist")],
            "requestBody": {"content": {"application/json": {"schema": form_ref}}},
            "responses": one
        }}),
    );
    out.insert(
        format!("/{name}:destroy"),
        json!({"post": {
            "tags": tags, "summary": "Delete record",
            "parameters": [param("filterByTk"), param("filter")],
            "responses": {"200": {"description": "OK"}}
        }}),
    );
    Value::Object(out)
}

/// The document `swagger:get?ns=collections/<name>` answers for one collection.
pub(crate) fn collection_document(collection: &Collection, title: &str) -> Value {
    let mut doc = base();
    merge(
        &mut doc,
        &json!({
            "paths": paths(collection),
            "components": {"schemas": schemas(collection), "parameters": parameters(collection)},
            "tags": [{"name": collection.name, "description": title}],
        }),
    );
    doc
}

fn collection_title(ctx: &Ctx<'_>, name: &str) -> ApiResult<String> {
    ctx.state.store().read(|conn, _| {
        let title: Option<String> =
            conn.query_row("SELECT title FROM collections WHERE name = ?", [name], |r| r.get(0)).ok().flatten();
        Ok(title.unwrap_or_else(|| name.to_owned()))
    })
}

/// `GET /api/swagger:get[?ns=core|plugins|plugins/<name>|collections|collections/<name>]`.
pub(crate) fn swagger_get(ctx: &Ctx<'_>) -> ApiResult<Reply> {
    let ns = ctx.params.str("ns").unwrap_or("");
    let catalog = ctx.state.store().catalog();
    let mut doc = base();
    let api_keys = || {
        let mut part = api_keys_document().clone();
        part["tags"] = json!([]);
        part
    };
    match ns {
        "" | "plugins" | "plugins/api-keys" => {
            if ctx.state.store().plugin_enabled("api-keys") {
                merge(&mut doc, &api_keys());
            }
        }
        "core" => {}
        "collections" => {
            let mut tags = Vec::new();
            for collection in catalog.user_defined() {
                let title = collection_title(ctx, &collection.name)?;
                let part = collection_document(collection, &title);
                tags.push(json!({"name": collection.name, "description": title}));
                merge(&mut doc, &part);
            }
            doc["tags"] = Value::Array(tags);
        }
        other => {
            // Any other namespace (another plugin's): the base document alone.
            if let Some(name) = other.strip_prefix("collections/") {
                let collection = catalog
                    .get(name)
                    .ok_or_else(|| ApiError::server("Cannot read properties of undefined (reading 'name')"))?;
                let title = collection_title(ctx, name)?;
                doc = collection_document(collection, &title);
            }
        }
    }
    Ok(Reply::Bare(doc))
}

/// `GET /api/swagger:getUrls`: the documents a client can open.
pub(crate) fn swagger_get_urls(ctx: &Ctx<'_>) -> ApiResult<Reply> {
    let mut urls = vec![
        json!({"name": "NocoBase API", "url": "/api/swagger:get"}),
        json!({"name": "NocoBase API - Core", "url": "/api/swagger:get?ns=core"}),
        json!({"name": "NocoBase API - All plugins", "url": "/api/swagger:get?ns=plugins"}),
        json!({"name": "NocoBase API - Custom collections", "url": "/api/swagger:get?ns=collections"}),
    ];
    if ctx.state.store().plugin_enabled("api-keys") {
        urls.push(json!({"name": "NocoBase API - API keys plugin", "url": "/api/swagger:get?ns=plugins%2Fapi-keys"}));
    }
    let catalog = ctx.state.store().catalog();
    for collection in catalog.user_defined() {
        let title = collection_title(ctx, &collection.name)?;
        let encoded =
            percent_encoding::utf8_percent_encode(&format!("collections/{}", collection.name), COMPONENT).to_string();
        urls.push(
            json!({"name": format!("Collection API - {title}"), "url": format!("/api/swagger:get?ns={encoded}")}),
        );
    }
    Ok(Reply::Data(Value::Array(urls)))
}

/// What `encodeURIComponent` escapes.
const COMPONENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');
