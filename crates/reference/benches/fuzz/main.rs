//! The fuzz target's large run (`cargo bench -p nocobase-reference --bench fuzz -- [COUNT]
//! [SEED]`, default 1,000,000 requests, seed 1): mutated recorded requests through the router
//! in process; prints the figures every 10,000 requests and at the end, and fails (exit 1) on
//! a panic, an internal error, or a resident set past 100 MiB. `cargo test` runs a small count
//! of the same engine (`tests/fuzz`).

mod dictionary;
mod engine;
mod mutate;
mod seeds;

use std::path::Path;

/// The bound the run holds the process to.
const MAX_RSS_MIB: f64 = 100.0;

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| !a.starts_with('-'));
    let count: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let recordings = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/recordings");
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    let started = std::time::Instant::now();
    let figures = runtime.block_on(engine::run(&recordings, count, seed, |f| {
        eprintln!(
            "{:>8} requests  {:>6.0} s  panics {}  internal {}  RSS now {:.1} MiB, max {:.1} MiB",
            f.requests,
            started.elapsed().as_secs_f64(),
            f.panics,
            f.internal,
            engine::rss_kib() as f64 / 1024.0,
            f.max_rss_kib as f64 / 1024.0
        );
    }));
    println!("{}", engine::report(&figures));
    println!("elapsed {:.0} s", started.elapsed().as_secs_f64());
    let rss = figures.max_rss_kib as f64 / 1024.0;
    if figures.panics > 0 || figures.internal > 0 || rss > MAX_RSS_MIB {
        std::process::exit(1);
    }
}
