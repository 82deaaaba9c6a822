//! A small fuzz run under `cargo test`: 2,000 mutated recorded requests through the router, with
//! no panic and no internal error allowed. The large run is the `fuzz` bench.

#[path = "../../benches/fuzz/dictionary.rs"]
mod dictionary;
#[path = "../../benches/fuzz/engine.rs"]
mod engine;
#[path = "../../benches/fuzz/mutate.rs"]
mod mutate;
#[path = "../../benches/fuzz/seeds.rs"]
mod seeds;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mutated_recorded_requests_neither_panic_nor_fail_internally() {
    // Arrange
    let recordings = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/recordings");

    // Act
    let figures = engine::run(&recordings, 2_000, 17, |_| {}).await;

    // Assert
    assert_eq!((figures.panics, figures.internal), (0, 0), "{}", engine::report(&figures));
}
