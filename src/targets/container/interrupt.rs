//! A quiet console while testcontainers' watchdog handles SIGINT or SIGTERM: it removes the
//! container, then ends the process as the signal would (a shell shows exit 130 or 143). Meanwhile
//! the scenarios still running would fail one after another on the console as the server goes
//! away; this holds stdout so that they cannot, and says why the run stops.

use std::time::Duration;

use tokio::signal::unix::{SignalKind, signal};
use tokio::task::JoinHandle;

use crate::report::console::warn;

/// How long stdout is held. The watchdog ends the process well before (a `docker stop` waits
/// 10 s at most before it kills); if it did not, the run goes on and removes the container at
/// its end, as after any run.
const HOLD: Duration = Duration::from_secs(60);

/// Starts listening. Call it once the container exists: the watchdog listens from then on, and
/// before that a signal must keep its default action (nothing to remove yet).
pub(super) fn quiet_console() -> std::io::Result<JoinHandle<()>> {
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(tokio::spawn(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
        let _ = tokio::task::spawn_blocking(|| {
            let _quiet = std::io::stdout().lock();
            warn("\ninterrupted: removing the container, then stopping");
            std::thread::sleep(HOLD);
        })
        .await;
    }))
}
