//! The HTTP/1.1 server in front of the router, behaving as Node 20's `http` module behaves in
//! front of NocoBase — because that is what a client or a proxy meets: llhttp's strict framing
//! (a bare `400 Bad Request` for a request it cannot frame, `431` past 16 KiB of head, `400` for
//! `Content-Length` with `Transfer-Encoding`, bad chunk sizes, lower-case or unknown methods),
//! 1000 header lines handed on, `Expect: 100-continue`, HTTP/1.0 and 0.9 requests, Node's
//! header order (`Date`, `Connection`, `Keep-Alive`) and its timers (6 s idle between requests,
//! 60 s for a head and 300 s for a body, checked every 30 s).
//!
//! Why not hyper: hyper answers framing errors its own way (or closes without a word), cannot be
//! told Node's head budget (it counts the whole head) or its 1000-line cut, writes headers in
//! lower case, and has no such timers; several of these are not configurable. Reading the head
//! ourselves and handing only the body to hyper would still leave hyper writing the answers. So
//! the connection is served here — [`head`] reads the request head, [`body`] the body's framing,
//! [`connection`] runs a connection, [`response`] writes — and the router (axum, `app()`) stays
//! what answers each request; in-process tests call it directly.

mod body;
mod connection;
mod head;
mod response;

pub(crate) use response::NodeLength;

use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio::time::Instant;

/// Node's `connectionsCheckingInterval`: timeouts are noticed on these ticks.
const CHECK_INTERVAL: Duration = Duration::from_secs(30);

/// The server's sweep clock: Node checks for expired heads and bodies every 30 s from the
/// moment it listens, so a timeout fires on the first tick past its limit.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sweeps {
    listening: Instant,
}

impl Sweeps {
    /// The tick at which something started at `since` with `limit` is found expired.
    pub(crate) fn deadline(&self, since: Instant, limit: Duration) -> Instant {
        let due = since + limit;
        let elapsed = due.saturating_duration_since(self.listening);
        let ticks = elapsed.as_secs_f64() / CHECK_INTERVAL.as_secs_f64();
        self.listening + CHECK_INTERVAL.mul_f64(ticks.floor() + 1.0)
    }
}

/// Serves `router` on `listener` until the task is dropped — and its connections with it, as
/// when Node's process exits: they are tasks of a [`JoinSet`] this future owns, so that a server
/// stopped and started again on the same address (the embedded target's restart) leaves no
/// kept-alive connection answering from the old state. Finished connections are reaped as they
/// end, so the set holds only the open ones.
pub(crate) async fn serve(listener: TcpListener, router: Router) -> std::io::Result<()> {
    let sweeps = Sweeps { listening: Instant::now() };
    let mut connections = JoinSet::new();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
        };
        let (stream, _) = match accepted {
            Ok(accepted) => accepted,
            Err(e) if is_transient(&e) => {
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
            Err(e) => return Err(e),
        };
        connections.spawn(connection::serve(stream, router.clone(), sweeps));
    }
}

/// Errors `accept` recovers from (a connection reset before it was accepted, no descriptors
/// left for a moment).
fn is_transient(error: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(error.kind(), ConnectionAborted | ConnectionReset | Interrupted | WouldBlock)
        || error.raw_os_error() == Some(24)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_are_noticed_on_the_next_sweep() {
        // Node checks every 30 s from the moment it listens and wants the limit exceeded: a head
        // begun at 0 s or 10 s (limit 60 s) is refused at 90 s; a body (300 s) at 330 s.
        let listening = Instant::now();
        let sweeps = Sweeps { listening };
        let at = |s: u64| listening + Duration::from_secs(s);
        assert_eq!(sweeps.deadline(at(0), Duration::from_secs(60)), at(90));
        assert_eq!(sweeps.deadline(at(10), Duration::from_secs(60)), at(90));
        assert_eq!(sweeps.deadline(at(31), Duration::from_secs(60)), at(120));
        assert_eq!(sweeps.deadline(at(0), Duration::from_secs(300)), at(330));
    }
}
