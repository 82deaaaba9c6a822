//! The target restarting in the middle of a scenario (feature 15): the embedded server on its
//! database file, a container by its engine, a deployment with `--restart-command`; the step
//! returns once the target answers again.

use cucumber::when;

use crate::error::Result;
use crate::world::TutorialWorld;

#[when("the target restarts")]
async fn target_restarts(world: &mut TutorialWorld) -> Result<()> {
    world
        .step(async |world| {
            let (suite, client) = (std::sync::Arc::clone(&world.suite), world.client().clone());
            suite.restart.restart(&client, suite.config.ready_timeout).await
        })
        .await
}
