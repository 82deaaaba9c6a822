//! Memoised authentication and ACL decisions, as NocoBase keeps them in its caches (`auth:<id>`,
//! `roles:<id>`, the ACL's in-memory roles). An entry is valid only for the store generation it
//! was computed in: any write makes every entry stale, so a memoised answer is always the answer
//! the database would give. Session tokens (which can be renewed) and errors are never memoised;
//! an API key's expiry is checked on every hit.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::auth::Caller;
use crate::auth::acl::Grant;
use crate::db::clock;

/// Entries kept before the memo starts over.
const CAPACITY: usize = 4096;

type AuthKey = (String, Option<String>);
type AclKey = (String, String, String);

/// The memo.
#[derive(Debug, Default)]
pub(crate) struct Memo {
    auth: Mutex<HashMap<AuthKey, (u64, Caller)>>,
    acl: Mutex<HashMap<AclKey, (u64, Option<Grant>)>>,
}

impl Memo {
    /// The caller a token (with this `X-Role`) authenticated as in `generation`, if still valid.
    pub(crate) fn caller(&self, token: &str, x_role: Option<&str>, generation: u64) -> Option<Caller> {
        let memo = self.auth.lock().ok()?;
        let (at, caller) = memo.get(&(token.to_owned(), x_role.map(str::to_owned)))?;
        let now = clock::unix_seconds(clock::now()) as f64;
        let expired = caller.exp.is_some_and(|exp| now >= exp);
        (*at == generation && !expired).then(|| caller.clone())
    }

    /// Remembers an API key's caller (session tokens are not memoised).
    pub(crate) fn remember_caller(&self, x_role: Option<&str>, generation: u64, caller: &Caller) {
        if caller.session {
            return;
        }
        if let Ok(mut memo) = self.auth.lock() {
            if memo.len() >= CAPACITY {
                memo.clear();
            }
            memo.insert((caller.token.clone(), x_role.map(str::to_owned)), (generation, caller.clone()));
        }
    }

    /// The ACL's decision for `role` on `resource:action` in `generation`, if memoised.
    pub(crate) fn decision(&self, role: &str, resource: &str, action: &str, generation: u64) -> Option<Option<Grant>> {
        let memo = self.acl.lock().ok()?;
        let (at, grant) = memo.get(&(role.to_owned(), resource.to_owned(), action.to_owned()))?;
        (*at == generation).then(|| grant.clone())
    }

    /// Remembers an ACL decision.
    pub(crate) fn remember_decision(
        &self,
        role: &str,
        resource: &str,
        action: &str,
        generation: u64,
        grant: &Option<Grant>,
    ) {
        if let Ok(mut memo) = self.acl.lock() {
            if memo.len() >= CAPACITY {
                memo.clear();
            }
            memo.insert((role.to_owned(), resource.to_owned(), action.to_owned()), (generation, grant.clone()));
        }
    }
}
