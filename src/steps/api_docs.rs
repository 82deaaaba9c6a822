//! The API documentation plugin (tutorial step 6): `swagger:getUrls` and a collection's OpenAPI
//! document, snapshotted as an outline — paths, methods, parameter names, response and body
//! schemas, the security scheme — rather than as the whole document.

use cucumber::{then, when};
use serde_json::{Map, Value, json};

use super::{expect_status, require};
use crate::client::Credential;
use crate::error::{HarnessError, Result};
use crate::mismatch::Mismatch;
use crate::world::Caller;
use crate::world::TutorialWorld;

#[when("the administrator lists the API documents")]
async fn list_documents(world: &mut TutorialWorld) -> Result<()> {
    world
        .step(async |world| {
            let exchange = world.client().swagger_get_urls(&world.admin()?).await?;
            world.observe(exchange).await
        })
        .await
}

#[when(expr = "{caller} reads the API document of the collection {string}")]
async fn read_document(world: &mut TutorialWorld, caller: Caller, collection: String) -> Result<()> {
    world
        .step(async |world| {
            let credential = world.credential(&caller)?;
            let ns = format!("collections/{}", world.tagged(&collection));
            let exchange = world.client().swagger_get(&credential, &ns).await?;
            world.observe(exchange).await
        })
        .await
}

#[when(expr = "a client reads the API document of the collection {string} without credentials")]
async fn read_document_anonymously(world: &mut TutorialWorld, collection: String) -> Result<()> {
    world
        .step(async |world| {
            let ns = format!("collections/{}", world.tagged(&collection));
            let exchange = world.client().swagger_get(&Credential::None, &ns).await?;
            world.observe(exchange).await
        })
        .await
}

fn entries(world: &TutorialWorld) -> Result<Vec<Value>> {
    let exchange = world.last()?;
    expect_status(exchange, 200, "swagger:getUrls")?;
    Ok(require(exchange.pointer("/data").and_then(Value::as_array), "data (a list)", exchange)?.clone())
}

#[then(expr = "the documents include one for the collection {string}")]
async fn includes_collection(world: &mut TutorialWorld, collection: String) -> Result<()> {
    world
        .step(async |world| {
            // At the target's API path (`/api/` unless it is deployed behind another), read as `/api/`.
            let url = format!("/api/swagger:get?ns=collections%2F{}", world.tagged(&collection));
            let at_api_path = |entry: &Value| entry["url"].as_str().map(|u| world.normalizer.api_url(u));
            if !entries(world)?.iter().any(|e| at_api_path(e).as_deref() == Some(url.as_str())) {
                return Err(HarnessError::mismatch(Mismatch::new(
                    "swagger:getUrls",
                    format!("an entry for {url}"),
                    "none",
                    world.last.as_ref(),
                )));
            }
            Ok(())
        })
        .await
}

/// The four general documents and the scenario's collection's: the plugins' entries depend on
/// which plugins a deployment has, so they are left out of the snapshot.
#[then(expr = "the general and collection documents match the snapshot {string}")]
async fn documents_snapshot(world: &mut TutorialWorld, label: String) -> Result<()> {
    world
        .step(async |world| {
            let collection_ns = format!("ns=collections%2F{}", world.tagged("todos"));
            let kept: Vec<Value> = entries(world)?
                .into_iter()
                .filter(|e| {
                    let url = e["url"].as_str().unwrap_or_default();
                    !url.contains("ns=plugins%2F")
                        && (!url.contains("ns=collections%2F") || url.ends_with(&collection_ns))
                })
                .collect();
            let exchange = world.last()?;
            let value = json!({
                "request": world.normalizer.request_line(&exchange.request_line()),
                "documents": world.normalizer.value(&Value::Array(kept)),
            });
            super::responses::check_snapshot(world, &label, &value)
        })
        .await
}

fn document(world: &TutorialWorld) -> Result<Value> {
    let exchange = world.last()?;
    expect_status(exchange, 200, "swagger:get")?;
    Ok(require(exchange.body.json(), "a JSON document", exchange)?.clone())
}

#[then("the document is OpenAPI 3.0.3 with a bearer security scheme")]
async fn is_openapi(world: &mut TutorialWorld) -> Result<()> {
    world
        .step(async |world| {
            let doc = document(world)?;
            let scheme = doc.pointer("/components/securitySchemes/api-key").cloned();
            if doc["openapi"] != "3.0.3"
                || scheme != Some(json!({"type": "http", "scheme": "bearer"}))
                || doc["security"] != json!([{"api-key": []}])
            {
                return Err(HarnessError::mismatch(Mismatch::new(
                    "the document",
                    "openapi 3.0.3, security [api-key], api-key = http bearer",
                    format!("openapi {}, security {}, scheme {:?}", doc["openapi"], doc["security"], scheme),
                    world.last.as_ref(),
                )));
            }
            Ok(())
        })
        .await
}

/// A parameter's name, following `$ref`s into `components.parameters`.
fn parameter_name(doc: &Value, parameter: &Value) -> Value {
    match parameter.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let pointer = reference.trim_start_matches('#');
            doc.pointer(pointer).and_then(|p| p.get("name")).cloned().unwrap_or_else(|| json!(reference))
        }
        None => parameter.get("name").cloned().unwrap_or(Value::Null),
    }
}

/// What matters of a document: per path and method its summary, parameter names, request body
/// and response schemas; the schemas' property types and read-only fields; the security scheme.
fn outline(doc: &Value) -> Value {
    let mut paths = Map::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        let mut methods = Map::new();
        for (method, op) in item.as_object().into_iter().flatten() {
            let parameters: Vec<Value> =
                op["parameters"].as_array().into_iter().flatten().map(|p| parameter_name(doc, p)).collect();
            let responses: Map<String, Value> = op["responses"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(status, r)| {
                    (status.clone(), r.pointer("/content/application~1json/schema").cloned().unwrap_or(Value::Null))
                })
                .collect();
            methods.insert(
                method.clone(),
                json!({
                    "summary": op["summary"],
                    "parameters": parameters,
                    "requestBody": op.pointer("/requestBody/content/application~1json/schema").cloned().unwrap_or(Value::Null),
                    "responses": responses,
                }),
            );
        }
        paths.insert(path.clone(), Value::Object(methods));
    }
    json!({
        "openapi": doc["openapi"],
        "security": doc["security"],
        "securitySchemes": doc.pointer("/components/securitySchemes").cloned().unwrap_or(Value::Null),
        "servers": doc["servers"],
        "tags": doc["tags"],
        "paths": paths,
        "schemas": doc.pointer("/components/schemas").cloned().unwrap_or(Value::Null),
    })
}

#[then(expr = "the document's outline matches the snapshot {string}")]
async fn outline_snapshot(world: &mut TutorialWorld, label: String) -> Result<()> {
    world
        .step(async |world| {
            let doc = document(world)?;
            let exchange = world.last()?;
            let value = json!({
                "request": world.normalizer.request_line(&exchange.request_line()),
                "outline": world.normalizer.value(&outline(&doc)),
            });
            super::responses::check_snapshot(world, &label, &value)
        })
        .await
}
