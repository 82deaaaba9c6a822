//! One Chromium for a whole run: launched once (ahead of the first page, while other scenarios
//! run), used by one page at a time, and quit when the run ends. Launching Chromium is most of
//! what a browser scenario costs; a page of its own origin in a fresh incognito profile is what
//! each scenario needs, and it gets that from its own page server on its own port.

use std::time::Duration;

use tokio::sync::{Mutex, MutexGuard, OnceCell};

use super::{Browser, Installation};
use crate::error::{HarnessError, Result};

/// The run's browser, once launched.
#[derive(Debug, Default)]
pub struct SharedBrowser {
    launched: OnceCell<std::result::Result<Mutex<Option<Browser>>, String>>,
}

impl SharedBrowser {
    /// The browser, launched on the first call; held until the guard is dropped.
    pub async fn get(&self, installation: &Installation, timeout: Duration) -> Result<MutexGuard<'_, Option<Browser>>> {
        let launched = self
            .launched
            .get_or_init(|| async {
                Browser::launch(installation, timeout).await.map(|b| Mutex::new(Some(b))).map_err(|e| e.to_string())
            })
            .await;
        match launched {
            Ok(browser) => Ok(browser.lock().await),
            Err(why) => Err(HarnessError::Environment(why.clone())),
        }
    }

    /// Quits the browser, if it was launched.
    pub async fn quit(&self) -> Result<()> {
        let Some(Ok(browser)) = self.launched.get() else { return Ok(()) };
        let taken = browser.lock().await.take();
        match taken {
            Some(browser) => browser.quit().await,
            None => Ok(()),
        }
    }
}
