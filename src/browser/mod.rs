//! The tutorial's last step in a real browser: the "Todo List" page ([`page`]), served from an
//! origin of its own on 127.0.0.1 ([`server`]) and loaded in Debian's headless Chromium through
//! `chromedriver` ([`chrome`]), the way a reader's embedding page would call the API: across
//! origins, with only `Authorization: Bearer <key>`.
//!
//! Chromium is optional: [`Installation::at`] (the run's `--chromium` and `--chromedriver`) says
//! why the browser scenarios cannot run, and the runner leaves them out with that reason (or
//! stops, with `--require-browser` / `NOCOBASE_REQUIRE_BROWSER=1`).

pub mod chrome;
pub mod page;
pub mod server;
pub mod shared;

use std::fmt;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

pub use chrome::{Browser, RenderedPage};
pub use page::TodoPage;
pub use server::PageServer;
pub use shared::SharedBrowser;

/// Where Debian's `chromium` package puts the browser.
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// Where Debian's `chromium-driver` package puts the WebDriver server.
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The tag of the scenarios that need the browser (without `@`).
pub const TAG: &str = "browser";

/// A Chromium and its `chromedriver`, found on this machine.
#[derive(Debug, Clone)]
pub struct Installation {
    /// The browser.
    pub chromium: PathBuf,
    /// The WebDriver server that drives it.
    pub chromedriver: PathBuf,
}

/// Why the browser scenarios cannot run here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unavailable(String);

impl Unavailable {
    /// The one-line reason, e.g. "Chromium not found at /usr/bin/chromium (install chromium and
    /// chromium-driver)".
    pub fn reason(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Installation {
    /// A Chromium and chromedriver at these paths, if both are executable files.
    pub fn at(chromium: &Path, chromedriver: &Path) -> Result<Self, Unavailable> {
        for (what, path) in [("Chromium", chromium), ("chromedriver", chromedriver)] {
            if !is_executable(path) {
                return Err(Unavailable(format!(
                    "{what} not found at {} (install chromium and chromium-driver)",
                    path.display()
                )));
            }
        }
        Ok(Self { chromium: chromium.to_owned(), chromedriver: chromedriver.to_owned() })
    }
}

fn is_executable(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_browser_is_named_with_what_to_install() {
        // Arrange
        let dir = tempfile::tempdir().expect("temp dir");
        let chromium = dir.path().join("chromium");

        // Act
        let missing = Installation::at(&chromium, Path::new("/bin/sh"));

        // Assert
        assert_eq!(
            missing.map(|_| ()).map_err(|u| u.reason().to_owned()),
            Err(format!("Chromium not found at {} (install chromium and chromium-driver)", chromium.display()))
        );
    }

    #[test]
    fn a_file_that_is_not_executable_does_not_count() {
        // Arrange
        let dir = tempfile::tempdir().expect("temp dir");
        let driver = dir.path().join("chromedriver");
        std::fs::write(&driver, "not a program").expect("write");

        // Act
        let missing = Installation::at(Path::new("/bin/sh"), &driver);

        // Assert
        assert!(missing.is_err_and(|u| u.reason().starts_with("chromedriver not found at ")));
    }

    #[test]
    fn executables_at_both_paths_are_an_installation() {
        assert!(Installation::at(Path::new("/bin/sh"), Path::new("/bin/sh")).is_ok());
    }
}
