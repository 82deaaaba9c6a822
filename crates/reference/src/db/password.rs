//! The password field as NocoBase's `PasswordField` treats it: hashed on every create and update,
//! checked at sign-in. The reference server is a test double: its hash is a salted SHA-256.

use sha2::{Digest, Sha256};

use crate::db::ids::random_token;

/// A salted SHA-256 of a password. The reference server is a test double: never deploy it.
pub(crate) fn hash(password: &str) -> String {
    let salt = random_token(16);
    format!("{salt}${}", hex::encode(Sha256::digest(format!("{salt}{password}"))))
}

/// Checks a password against [`hash`]'s output.
pub(crate) fn verify(stored: &str, password: &str) -> bool {
    match stored.split_once('$') {
        Some((salt, hash)) => hex::encode(Sha256::digest(format!("{salt}{password}"))) == hash,
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_with_the_right_secret() {
        let stored = hash("admin123");
        assert!(verify(&stored, "admin123"));
        assert!(!verify(&stored, "admin124"));
    }
}
