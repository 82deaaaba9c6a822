//! The JWT secret, fixed once at startup as NocoBase derives it from `APP_KEY`
//! (`auth-manager.ts` `getDefaultJWTSecret`, and the CLI's `initEnv`): an empty APP_KEY is the
//! CLI's default `test-jwt-secret`; an existing `jwt_secret.dat` beats APP_KEY; the placeholder
//! keys `your-secret-key` and `test-key` are never used — 32 random bytes are, written to
//! `jwt_secret.dat` so that the next start finds them.

use std::path::{Path, PathBuf};

use rand::RngExt as _;

/// What NocoBase's CLI puts in an empty `APP_KEY`.
const EMPTY_APP_KEY_DEFAULT: &str = "test-jwt-secret";
/// APP_KEYs NocoBase refuses to sign with.
const PLACEHOLDERS: &[&str] = &["your-secret-key", "test-key"];

/// The secret tokens are signed with, for `app_key` and a server keeping its data in `database`
/// (`None`: in memory, no `jwt_secret.dat`). The file sits beside the database, as NocoBase's
/// sits in the app's storage.
pub(crate) fn jwt_secret(app_key: &str, database: Option<&Path>) -> Vec<u8> {
    let file = database.map(secret_file);
    if let Some(bytes) = file.as_deref().and_then(|f| std::fs::read(f).ok()).filter(|b| !b.is_empty()) {
        return bytes;
    }
    if app_key.is_empty() {
        return EMPTY_APP_KEY_DEFAULT.as_bytes().to_vec();
    }
    if !PLACEHOLDERS.contains(&app_key) {
        return app_key.as_bytes().to_vec();
    }
    let random: [u8; 32] = rand::rng().random();
    if let Some(file) = file {
        // Not kept when the directory is read-only: the secret then lasts as long as the process.
        let _ = std::fs::write(file, random);
    }
    random.to_vec()
}

fn secret_file(database: &Path) -> PathBuf {
    database.parent().unwrap_or_else(|| Path::new(".")).join("jwt_secret.dat")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_app_key_is_the_secret_and_an_empty_one_is_the_cli_default() {
        assert_eq!(jwt_secret("lab-key", None), b"lab-key");
        assert_eq!(jwt_secret("", None), b"test-jwt-secret");
    }

    #[test]
    fn a_placeholder_key_gives_a_random_secret_that_later_starts_keep() {
        // Arrange
        let dir = tempfile::tempdir().expect("a directory");
        let database = dir.path().join("db.sqlite");
        // Act
        let first = jwt_secret("your-secret-key", Some(&database));
        let after_restart = jwt_secret("lab-key", Some(&database));
        // Assert
        assert_ne!(first, b"your-secret-key");
        assert_eq!(first.len(), 32);
        assert_eq!(after_restart, first, "an existing jwt_secret.dat beats APP_KEY");
    }
}
