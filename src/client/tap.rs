//! What one scenario's requests did, as the shared set-up needs to know it: whether any of them
//! could have changed the target's state (any action but a read), and how long each took (for
//! the suite's benchmark). A scenario's client carries its own [`Tap`].

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// NocoBase actions that only read. Every other action may change what the target holds —
/// `GET todos:create` creates too: NocoBase ignores the HTTP method of `resource:action` URLs.
const READS: &[&str] = &["list", "get", "check", "getInfo", "getUrls", "getHtml", "listEnabled"];

/// Actions that only add something new, which the scenario notes for removal (a role, a user, a
/// key, a collection, a session): removing it restores what was there. Every other write may
/// change what was there before.
const ADDITIONS: &[&str] = &["roles:create", "users:create", "apiKeys:create", "collections:create", "auth:signIn"];

/// One request's action and how long its answer took.
#[derive(Debug, Clone, PartialEq)]
pub struct Timed {
    /// `GET roles/<name>/users:list`: the method and the route, run tags and ids left out.
    pub action: String,
    /// From sending the request to the answer's last byte.
    pub took: Duration,
}

/// Since when writes are counted: the end of the scenario's Background, or of its whole set-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Since {
    /// The end of the feature's Background.
    Background = 0,
    /// The end of the set-up (the Background and the scenario's opening `Given` steps).
    SetUp = 1,
}

/// The record of one scenario's requests.
#[derive(Debug, Default)]
pub struct Tap {
    wrote: [AtomicBool; 2],
    changed: [AtomicBool; 2],
    requests: Mutex<Vec<Timed>>,
}

impl Tap {
    /// Notes a request to `path` (`todos_nc…:list?page=2`) about to be sent: a write counts
    /// even when no answer comes.
    pub(super) fn sending(&self, path: &str) {
        let route = route(path);
        if changes_state(route) {
            let addition = ADDITIONS.contains(&route);
            for window in 0..2 {
                self.wrote[window].store(true, Ordering::Relaxed);
                if !addition {
                    self.changed[window].store(true, Ordering::Relaxed);
                }
            }
        }
    }

    /// Notes how long the answer to a request to `path` took.
    pub(super) fn answered(&self, method: &str, path: &str, took: Duration) {
        if let Ok(mut requests) = self.requests.lock() {
            requests.push(Timed { action: format!("{method} {}", generic(route(path))), took });
        }
    }

    /// Whether a request since `since` could have changed the target.
    pub fn wrote(&self, since: Since) -> bool {
        self.wrote[since as usize].load(Ordering::Relaxed)
    }

    /// Whether a write since `since` was more than an addition: it may have changed something
    /// that was there before.
    pub fn changed(&self, since: Since) -> bool {
        self.changed[since as usize].load(Ordering::Relaxed)
    }

    /// Starts counting writes since `since`, which is now.
    pub fn start(&self, since: Since) {
        self.wrote[since as usize].store(false, Ordering::Relaxed);
        self.changed[since as usize].store(false, Ordering::Relaxed);
    }

    /// The requests so far, taken out.
    pub fn take_requests(&self) -> Vec<Timed> {
        self.requests.lock().map(|mut r| std::mem::take(&mut *r)).unwrap_or_default()
    }
}

/// A request path without its query.
fn route(path: &str) -> &str {
    path.split('?').next().unwrap_or(path)
}

/// Whether a request to `route` may change the target's state.
fn changes_state(route: &str) -> bool {
    match route.rsplit_once(':') {
        Some((_, action)) => !READS.contains(&action.split('/').next().unwrap_or(action)),
        None => false,
    }
}

/// A route with the names a run gives things reduced to their logical names (`todos_nc1a2b3c4d`
/// → `todos`) and numeric ids to `{id}`, so that timings of the same action add up.
fn generic(route: &str) -> String {
    route
        .split('/')
        .map(|segment| {
            let (name, action) = segment.split_once(':').map_or((segment, None), |(n, a)| (n, Some(a)));
            let name = match name.rfind("_nc") {
                Some(at) if name.len() - at == 11 => &name[..at],
                _ if !name.is_empty() && name.bytes().all(|b| b.is_ascii_digit()) => "{id}",
                _ => name,
            };
            match action {
                Some(action) => format!("{name}:{action}"),
                None => name.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_told_from_writes_by_the_action_alone() {
        assert!(!changes_state("todos_nc1a2b3c4d:list"));
        assert!(!changes_state("roles:check"));
        assert!(!changes_state("__health_check"));
        assert!(changes_state("todos_nc1a2b3c4d:create"));
        assert!(changes_state("roles/todos_nc1a2b3c4d/users:add"));
        assert!(changes_state("auth:signIn"));
        assert!(changes_state("apiKeys:destroy/5"));
        assert!(!changes_state("iframeHtml:getHtml/x1y2z3"));
    }

    #[test]
    fn additions_are_told_from_changes() {
        let tap = Tap::default();
        tap.sending("apiKeys:create");
        tap.sending("roles:create");
        assert!(tap.wrote(Since::SetUp) && !tap.changed(Since::SetUp));
        tap.sending("roles/todos_nc1a2b3c4d/users:add");
        assert!(tap.changed(Since::SetUp));
        tap.start(Since::SetUp);
        tap.sending("todos_nc1a2b3c4d:create");
        assert!(tap.changed(Since::SetUp), "a record added to a collection the scenario did not create changes it");
    }

    #[test]
    fn timings_add_up_across_run_tags_and_ids() {
        assert_eq!(generic("todos_nc1a2b3c4d:list"), "todos:list");
        assert_eq!(generic("roles/todos_nc1a2b3c4d/users:add"), "roles/todos/users:add");
        assert_eq!(generic("users/42/roles:list"), "users/{id}/roles:list");
        assert_eq!(generic("collections:create"), "collections:create");
    }

    #[test]
    fn writes_count_from_where_they_start_and_timings_stay() {
        let tap = Tap::default();
        tap.sending("todos_nc1a2b3c4d:create");
        tap.answered("POST", "todos_nc1a2b3c4d:create", Duration::from_millis(3));
        tap.start(Since::SetUp);
        tap.sending("todos_nc1a2b3c4d:list?page=2");
        tap.answered("GET", "todos_nc1a2b3c4d:list?page=2", Duration::from_millis(1));
        assert!(!tap.wrote(Since::SetUp) && tap.wrote(Since::Background));
        let actions: Vec<String> = tap.take_requests().into_iter().map(|t| t.action).collect();
        assert_eq!(actions, ["POST todos:create", "GET todos:list"]);
    }
}
