//! The `todos` collection (tutorial step 2): created with the admin UI's "General collection"
//! body, its `title` and `completed` fields added as the UI adds them, and the sample to-dos. A
//! collection of another name (a user's own feature) is made the same way and becomes the
//! scenario's collection, which the record steps work on.

use cucumber::{given, when};
use serde_json::{Value, json};

use super::expect_status;
use super::fixtures::{self, Vars};
use crate::error::Result;
use crate::exchange::Exchange;
use crate::world::TutorialWorld;

/// The to-dos the tutorial enters by hand.
pub(crate) const TUTORIAL_TODOS: [&str; 3] = ["eat food", "sleep", "play games"];

async fn create_collection(world: &mut TutorialWorld, name: &str) -> Result<Exchange> {
    let real = world.tagged(name);
    let mut vars = Vars::new();
    vars.insert("collection", json!(real));
    let body = fixtures::body("collection-todos", &vars)?;
    let exchange = world.client().collections_create(&world.admin()?, body).await?;
    if exchange.status == 200 {
        world.created_collection(real);
    }
    Ok(exchange)
}

async fn add_field(world: &mut TutorialWorld, collection: &str, field: &str) -> Result<Exchange> {
    let body = fixtures::body(&format!("field-{field}"), &Vars::new())?;
    let real = world.tagged(collection);
    world.client().collection_fields_create(&world.admin()?, &real, body).await
}

/// Creates a to-do as the administrator and names its id after its title.
pub(crate) async fn create_todo(world: &mut TutorialWorld, title: &str) -> Result<Exchange> {
    let collection = world.collection();
    let exchange = world.client().records_create(&world.admin()?, &collection, json!({"title": title})).await?;
    if let Some(id) = exchange.pointer("/data/id").cloned() {
        world.know_record(title, &id);
    }
    Ok(exchange)
}

async fn collection_with_fields(world: &mut TutorialWorld, name: &str) -> Result<()> {
    let exchange = create_collection(world, name).await?;
    expect_status(&exchange, 200, "collections:create")?;
    for field in ["title", "completed"] {
        let exchange = add_field(world, name, field).await?;
        expect_status(&exchange, 200, "fields:create")?;
    }
    Ok(())
}

#[given(expr = "the collection {string} exists without its fields")]
async fn collection_exists_bare(world: &mut TutorialWorld, name: String) -> Result<()> {
    world
        .step(async |world| {
            let exchange = create_collection(world, &name).await?;
            expect_status(&exchange, 200, "collections:create")
        })
        .await
}

#[given(expr = "the collection {string} exists")]
async fn collection_exists(world: &mut TutorialWorld, name: String) -> Result<()> {
    world.step(async |world| collection_with_fields(world, &name).await).await
}

/// The collection as the admin UI creates it, with the tutorial's three to-dos.
pub(crate) async fn collection_with_todos(world: &mut TutorialWorld, name: &str) -> Result<()> {
    collection_with_fields(world, name).await?;
    for title in TUTORIAL_TODOS {
        let exchange = create_todo(world, title).await?;
        expect_status(&exchange, 200, "todos:create")?;
        world.validate(&exchange).await?;
    }
    Ok(())
}

#[given(expr = "the collection {string} exists with the tutorial's to-dos")]
async fn collection_exists_with_todos(world: &mut TutorialWorld, name: String) -> Result<()> {
    world.step(async |world| collection_with_todos(world, &name).await).await
}

#[when(expr = "the administrator creates the collection {string} from the General collection template")]
async fn admin_creates_collection(world: &mut TutorialWorld, name: String) -> Result<()> {
    world
        .step(async |world| {
            let exchange = create_collection(world, &name).await?;
            world.observe(exchange).await?;
            Ok(())
        })
        .await
}

#[when(expr = "the administrator adds the field {string}")]
async fn admin_adds_field(world: &mut TutorialWorld, field: String) -> Result<()> {
    world
        .step(async |world| {
            let exchange = add_field(world, "todos", &field).await?;
            world.observe(exchange).await?;
            Ok(())
        })
        .await
}

#[when(expr = "the administrator reads the collection {string} with its fields")]
async fn admin_reads_collection(world: &mut TutorialWorld, name: String) -> Result<()> {
    world
        .step(async |world| {
            let real = world.tagged(&name);
            let exchange = world.client().collections_get(&world.admin()?, &real).await?;
            world.observe(exchange).await?;
            Ok(())
        })
        .await
}

#[when(expr = "the administrator creates the to-do {string}")]
async fn admin_creates_todo(world: &mut TutorialWorld, title: String) -> Result<()> {
    world
        .step(async |world| {
            let exchange = create_todo(world, &title).await?;
            world.observe(exchange).await?;
            Ok(())
        })
        .await
}

#[given(expr = "the administrator marks the to-do {string} as completed")]
async fn admin_completes_todo(world: &mut TutorialWorld, title: String) -> Result<()> {
    world
        .step(async |world| {
            let id = world.record_id(&title)?;
            let collection = world.collection();
            let body: Value = json!({"completed": true});
            let exchange = world.client().records_update(&world.admin()?, &collection, &id, body).await?;
            expect_status(&exchange, 200, "todos:update")?;
            world.validate(&exchange).await
        })
        .await
}
