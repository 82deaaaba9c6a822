//! Recent session renewals, as `TokenController.renew` caches them (`jti-renewed-cahce:<jti>`
//! for `RENEWED_JTI_CACHE_MS`, 10 s): a token whose jti was just renewed is renewed again into
//! the same jti and issue time — so the same new token — rather than refused, which lets a
//! client's concurrent requests with the old token all succeed (recordings 418, 430). After the
//! 10 s the old jti is gone and renewal fails (428).

use std::collections::HashMap;
use std::sync::Mutex;

/// How long a renewal is replayed (`RENEWED_JTI_CACHE_MS`).
const REPLAY_MS: i64 = 10_000;
/// Entries kept before expired ones are swept, and, if all are fresh, before the memo starts over.
const CAPACITY: usize = 4096;

/// What a jti was renewed into.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Renewal {
    /// The new jti.
    pub(crate) jti: String,
    /// When it was issued (ms since the epoch): the new token's `iat` is this in seconds.
    pub(crate) issued_ms: i64,
}

/// The replay memo: old jti → its renewal and when that renewal stops being replayed.
#[derive(Debug, Default)]
pub(crate) struct Renewals(Mutex<HashMap<String, (Renewal, i64)>>);

impl Renewals {
    /// The renewal of `jti` made less than 10 s before `now_ms`, if any.
    pub(crate) fn recent(&self, jti: &str, now_ms: i64) -> Option<Renewal> {
        let memo = self.0.lock().ok()?;
        memo.get(jti).filter(|(_, until)| now_ms < *until).map(|(renewal, _)| renewal.clone())
    }

    /// Remembers that `jti` was renewed into `renewal` at `now_ms`.
    pub(crate) fn remember(&self, jti: &str, renewal: Renewal, now_ms: i64) {
        if let Ok(mut memo) = self.0.lock() {
            if memo.len() >= CAPACITY {
                memo.retain(|_, (_, until)| now_ms < *until);
                if memo.len() >= CAPACITY {
                    memo.clear();
                }
            }
            memo.insert(jti.to_owned(), (renewal, now_ms + REPLAY_MS));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_renewal_is_replayed_for_ten_seconds() {
        let renewals = Renewals::default();
        let renewal = Renewal { jti: "new".into(), issued_ms: 1_000 };
        renewals.remember("old", renewal.clone(), 1_000);
        assert_eq!(renewals.recent("old", 10_999), Some(renewal));
        assert_eq!(renewals.recent("old", 11_000), None);
        assert_eq!(renewals.recent("other", 1_000), None);
    }
}
