//! What one run shares between scenarios: the client for the target, the configuration, the run
//! tag, the admin's identity, and what cleanup could not remove. Everything else lives in a
//! scenario's own world.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use rand::RngExt;

use crate::browser::SharedBrowser;
use crate::check::openapi::Document;
use crate::client::NocoClient;
use crate::config::RunConfig;
use crate::error::HarnessError;
use crate::secret::Secret;
use crate::targets::Restart;
use crate::world::shared::Pool;
use crate::world::timing::ScenarioTiming;

/// The shared state of a run.
#[derive(Debug)]
pub struct Suite {
    /// Client for the target's API.
    pub client: NocoClient,
    /// The run's configuration.
    pub config: RunConfig,
    /// `embedded`, `live` or `container`.
    pub target_kind: &'static str,
    /// The target's APP_KEY, when known.
    pub app_key: Option<Secret>,
    /// The target's database, as `app:getInfo` names it (`sqlite`, `postgres`, `mariadb`, …).
    pub dialect: Option<String>,
    /// How the target restarts, for the `@restart` scenarios.
    pub restart: Restart,
    /// The admin's user id on the target (`None` in key-only mode).
    admin: Option<i64>,
    /// The admin's session for the whole run: what "the administrator is signed in" uses.
    admin_session: Option<Secret>,
    /// Unique to this run; every scenario tag starts with it.
    pub run_tag: String,
    scenarios: AtomicU32,
    tally: Mutex<Tally>,
    openapi: Mutex<OpenApiTally>,
    /// Set-ups no scenario is using, for the next scenario with the same set-up.
    pub pool: Pool,
    /// The run's Chromium, for the `@browser` scenarios.
    pub browser: SharedBrowser,
    timings: Mutex<Vec<ScenarioTiming>>,
    /// The OpenAPI documents of the collections scenarios checked answers of (`None`: the
    /// target did not serve one), fetched once per collection.
    documents: Mutex<BTreeMap<String, Option<SharedDocument>>>,
}

/// A collection's OpenAPI document, used by one check at a time.
pub type SharedDocument = Arc<Mutex<Document>>;

/// What OpenAPI validation saw in the run.
#[derive(Debug, Default, Clone)]
pub struct OpenApiTally {
    /// Responses checked against a schema.
    pub validated: usize,
    /// Responses whose status the document does not declare, by description.
    pub undocumented: BTreeMap<String, usize>,
    /// Violations matching a known defect of NocoBase's document, by defect.
    pub known_defects: BTreeMap<&'static str, usize>,
    /// Collections whose document the target did not serve.
    pub unavailable: BTreeMap<String, String>,
}

/// What cleanup could not do.
#[derive(Debug, Default, Clone)]
pub struct Tally {
    /// Cleanup problems (left-over data on a live target).
    pub cleanup: Vec<String>,
}

static CURRENT: RwLock<Option<Arc<Suite>>> = RwLock::new(None);

impl Suite {
    /// A new run against a ready target.
    pub fn new(
        client: NocoClient,
        config: RunConfig,
        target_kind: &'static str,
        app_key: Option<Secret>,
        dialect: Option<String>,
        restart: Restart,
        admin: Option<(i64, Secret)>,
    ) -> Self {
        let mut rng = rand::rng();
        let run_tag = format!("nc{}", base36(rng.random_range(0..36_u64.pow(5)), 5));
        Self {
            client,
            config,
            target_kind,
            app_key,
            dialect,
            restart,
            admin: admin.as_ref().map(|(id, _)| *id),
            admin_session: admin.map(|(_, session)| session),
            run_tag,
            scenarios: AtomicU32::new(0),
            tally: Mutex::new(Tally::default()),
            openapi: Mutex::new(OpenApiTally::default()),
            pool: Pool::default(),
            browser: SharedBrowser::default(),
            timings: Mutex::new(Vec::new()),
            documents: Mutex::new(BTreeMap::new()),
        }
    }

    /// The admin's user id; an error in key-only mode, where there is no admin.
    pub fn admin_id(&self) -> crate::error::Result<i64> {
        self.admin
            .ok_or_else(|| HarnessError::Scenario("this step needs admin credentials, not only an API key".into()))
    }

    /// The admin's session for the whole run (`None` in key-only mode).
    pub fn admin_session(&self) -> Option<&Secret> {
        self.admin_session.as_ref()
    }

    /// Makes this the suite scenarios run in.
    pub fn install(self: &Arc<Self>) {
        if let Ok(mut slot) = CURRENT.write() {
            *slot = Some(Arc::clone(self));
        }
    }

    /// The suite scenarios run in.
    pub fn current() -> Option<Arc<Suite>> {
        CURRENT.read().ok().and_then(|s| s.clone())
    }

    /// A tag unique to the next scenario: the run tag plus a sequence number.
    pub fn next_scenario_tag(&self) -> String {
        let n = self.scenarios.fetch_add(1, Ordering::Relaxed);
        format!("{}{}", self.run_tag, base36(u64::from(n), 3))
    }

    /// Notes something cleanup could not remove.
    pub fn record_cleanup_problem(&self, problem: String) {
        if let Ok(mut tally) = self.tally.lock() {
            tally.cleanup.push(problem);
        }
    }

    /// Updates the OpenAPI tally.
    pub fn openapi(&self, update: impl FnOnce(&mut OpenApiTally)) {
        if let Ok(mut tally) = self.openapi.lock() {
            update(&mut tally);
        }
    }

    /// The OpenAPI tally so far.
    pub fn openapi_tally(&self) -> OpenApiTally {
        self.openapi.lock().map(|t| t.clone()).unwrap_or_default()
    }

    /// The OpenAPI document of `collection`, if it was fetched (`Some(None)`: not served).
    pub fn document(&self, collection: &str) -> Option<Option<SharedDocument>> {
        self.documents.lock().ok()?.get(collection).cloned()
    }

    /// Keeps a fetched document (or that there is none) for the rest of the run; returns it.
    pub fn keep_document(&self, collection: &str, document: Option<Document>) -> Option<SharedDocument> {
        let document = document.map(|d| Arc::new(Mutex::new(d)));
        if let Ok(mut documents) = self.documents.lock() {
            documents.insert(collection.to_owned(), document.clone());
        }
        document
    }

    /// Keeps a finished scenario's timings.
    pub fn record_timing(&self, timing: ScenarioTiming) {
        if let Ok(mut timings) = self.timings.lock() {
            timings.push(timing);
        }
    }

    /// The finished scenarios' timings, taken out.
    pub fn take_timings(&self) -> Vec<ScenarioTiming> {
        self.timings.lock().map(|mut t| std::mem::take(&mut *t)).unwrap_or_default()
    }

    /// The failures so far.
    pub fn tally(&self) -> Tally {
        self.tally.lock().map(|t| t.clone()).unwrap_or_default()
    }
}

fn base36(mut n: u64, width: usize) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = vec![b'0'; width];
    for slot in out.iter_mut().rev() {
        *slot = DIGITS[(n % 36) as usize];
        n /= 36;
    }
    String::from_utf8(out).unwrap_or_default()
}
