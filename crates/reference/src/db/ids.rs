//! Identifiers the reference server generates the way NocoBase does: snowflake ids for records of
//! collections with a `snowflakeId` primary key, short random uids for collection and field keys.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use rand::RngExt;

/// NocoBase's snowflake ids (`@nocobase/snowflake-id`) are 53-bit integers: milliseconds since
/// 2024-01-01 shifted left by 12 bits, plus a sequence. They increase within a process.
const SNOWFLAKE_EPOCH_MS: u64 = 1_704_067_200_000;

/// Hands out increasing 53-bit snowflake ids.
#[derive(Debug)]
pub(crate) struct Snowflakes {
    last: AtomicU64,
}

impl Snowflakes {
    pub(crate) fn new() -> Self {
        Self { last: AtomicU64::new(0) }
    }

    /// The next id: at least the current time's id, and always above the previous one.
    pub(crate) fn next(&self) -> i64 {
        let now_ms =
            SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(SNOWFLAKE_EPOCH_MS);
        let floor = (now_ms.saturating_sub(SNOWFLAKE_EPOCH_MS) & 0x1FF_FFFF_FFFF) << 12;
        let mut prev = self.last.load(Ordering::Relaxed);
        loop {
            let next = floor.max(prev + 1);
            match self.last.compare_exchange(prev, next, Ordering::Relaxed, Ordering::Relaxed) {
                Ok(_) => return next as i64,
                Err(actual) => prev = actual,
            }
        }
    }

    /// Makes sure later ids stay above `id` (used when a database file is reopened).
    pub(crate) fn observe(&self, id: i64) {
        self.last.fetch_max(id.max(0) as u64, Ordering::Relaxed);
    }
}

/// An 11-character lowercase base-36 uid, like NocoBase's `uid()` for collection and field keys.
pub(crate) fn uid() -> String {
    const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut rng = rand::rng();
    (0..11).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()
}

/// A random token of `len` URL-safe characters (CSRF cookie values, salts).
pub(crate) fn random_token(len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..len).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snowflakes_increase_and_fit_in_53_bits() {
        let ids = Snowflakes::new();
        let a = ids.next();
        let b = ids.next();
        assert!(b > a);
        assert!(a < (1_i64 << 53));
        assert!(a > 1_000_000_000_000, "a snowflake is a large number, got {a}");
    }

    #[test]
    fn uid_has_eleven_base36_characters() {
        let key = uid();
        assert_eq!(key.len(), 11);
        assert!(key.chars().all(|c| c.is_ascii_digit() || c.is_ascii_lowercase()));
    }
}
