//! Working with to-dos (tutorial step 7): list, get, create, update and destroy, by whoever the
//! step names — usually the API key alone — in the scenario's collection (`todos`, or the one a
//! user's own feature created: [`TutorialWorld::collection`]).

use cucumber::gherkin::Step;
use cucumber::{then, when};
use serde_json::Value;

use super::{expect_status, require};
use crate::error::{HarnessError, Result};
use crate::mismatch::Mismatch;
use crate::world::Caller;
use crate::world::TutorialWorld;

fn docstring_json(step: &Step) -> Result<Value> {
    let text =
        step.docstring.as_deref().ok_or_else(|| HarnessError::Scenario("this step needs a JSON docstring".into()))?;
    serde_json::from_str(text).map_err(|e| HarnessError::Scenario(format!("the step's JSON does not parse: {e}")))
}

#[when(expr = "{caller} lists the to-dos")]
async fn list_todos(world: &mut TutorialWorld, caller: Caller) -> Result<()> {
    world.step(async |world| list(world, caller, String::new()).await).await
}

/// The query may hold JSON with quotes: `with "filter={"completed":true}"`.
#[when(regex = r#"^(the administrator|the API key|the key "[^"]+"|the user "[^"]+") lists the to-dos with "(.+)"$"#)]
async fn list_todos_with(world: &mut TutorialWorld, caller: Caller, query: String) -> Result<()> {
    world.step(async |world| list(world, caller, query).await).await
}

async fn list(world: &mut TutorialWorld, caller: Caller, query: String) -> Result<()> {
    let credential = world.credential(&caller)?;
    let collection = world.collection();
    let exchange = world.client().records_list(&credential, &collection, &query).await?;
    world.observe(exchange).await?;
    Ok(())
}

#[when(expr = "{caller} gets the to-do {string}")]
async fn get_todo(world: &mut TutorialWorld, caller: Caller, title: String) -> Result<()> {
    world
        .step(async |world| {
            let credential = world.credential(&caller)?;
            let (collection, id) = (world.collection(), world.record_id(&title)?);
            let exchange = world.client().records_get(&credential, &collection, &id).await?;
            world.observe(exchange).await?;
            Ok(())
        })
        .await
}

#[when(expr = "{caller} creates a to-do:")]
async fn create_todo(world: &mut TutorialWorld, caller: Caller, step: &Step) -> Result<()> {
    world
        .step(async |world| {
            let body = docstring_json(step)?;
            let title = body.get("title").and_then(Value::as_str).map(str::to_owned);
            let credential = world.credential(&caller)?;
            let collection = world.collection();
            let exchange = world.client().records_create(&credential, &collection, body).await?;
            if let (Some(title), Some(id)) = (title, exchange.pointer("/data/id").cloned()) {
                world.know_record(&title, &id);
            }
            world.observe(exchange).await?;
            Ok(())
        })
        .await
}

#[when(expr = "{caller} updates the to-do {string} with:")]
async fn update_todo(world: &mut TutorialWorld, caller: Caller, title: String, step: &Step) -> Result<()> {
    world
        .step(async |world| {
            let body = docstring_json(step)?;
            let credential = world.credential(&caller)?;
            let (collection, id) = (world.collection(), world.record_id(&title)?);
            let exchange = world.client().records_update(&credential, &collection, &id, body).await?;
            world.observe(exchange).await?;
            Ok(())
        })
        .await
}

#[when(expr = "{caller} destroys the to-do {string}")]
async fn destroy_todo(world: &mut TutorialWorld, caller: Caller, title: String) -> Result<()> {
    world
        .step(async |world| {
            let credential = world.credential(&caller)?;
            let (collection, id) = (world.collection(), world.record_id(&title)?);
            let exchange = world.client().records_destroy(&credential, &collection, &id).await?;
            world.observe(exchange).await?;
            Ok(())
        })
        .await
}

#[then(expr = "the to-dos listed are {string}")]
async fn todos_listed(world: &mut TutorialWorld, titles: String) -> Result<()> {
    world
        .step(async |world| {
            let exchange = world.last()?;
            expect_status(exchange, 200, "the list")?;
            let rows = require(exchange.pointer("/data").and_then(Value::as_array), "data (a list)", exchange)?;
            let got: Vec<String> = rows
                .iter()
                .map(|r| r.get("title").and_then(Value::as_str).unwrap_or("(no title)").to_owned())
                .collect();
            let want: Vec<String> = titles.split(',').map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()).collect();
            if got != want {
                return Err(HarnessError::mismatch(Mismatch::new(
                    "the to-dos listed",
                    want.join(", "),
                    got.join(", "),
                    Some(exchange),
                )));
            }
            Ok(())
        })
        .await
}
