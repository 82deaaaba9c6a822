//! A quiet console while testcontainers' watchdog handles SIGINT or SIGTERM: it removes the
//! container, then ends the process as the signal would (a shell shows exit 130 or 143). Until
//! then the scenarios still running would fail one after another on the console as the server
//! goes: holding stdout stops that.

use std::time::Duration;

use tokio::signal::unix::{SignalKind, signal};

/// Starts listening. Only once the container exists: the watchdog listens from then on, and
/// before, a signal keeps its default action. stdout is held for a minute at most (a
/// `docker stop` takes 10 s at most); should the watchdog fail, the run goes on and removes the
/// container at its end.
pub(super) fn quiet_console() -> std::io::Result<()> {
    let (mut interrupt, mut terminate) = (signal(SignalKind::interrupt())?, signal(SignalKind::terminate())?);
    tokio::spawn(async move {
        tokio::select! { _ = interrupt.recv() => {}, _ = terminate.recv() => {} }
        let _ = tokio::task::spawn_blocking(|| {
            let _quiet = std::io::stdout().lock();
            crate::report::console::warn("\ninterrupted: removing the container, then stopping");
            std::thread::sleep(Duration::from_secs(60));
        })
        .await;
    });
    Ok(())
}
