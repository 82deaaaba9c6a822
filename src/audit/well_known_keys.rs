//! `APP_KEY` values NocoBase's own repository publishes (read at v2.2.0, the same in 2.2.15): in its
//! documentation, its docker-compose examples and its `.env` templates. A deployment that kept one
//! signs its tokens with a secret anyone can read, so anyone can mint a root JWT. A data table.
//!
//! `your-secret-key` and `test-key` are left out: NocoBase refuses both as a JWT secret and writes
//! a random one instead (`packages/core/auth/src/auth-manager.ts`). An empty `APP_KEY` becomes
//! `test-jwt-secret` when NocoBase starts through its CLI (`packages/core/cli-v1/src/util.js`).

/// A published `APP_KEY` and where NocoBase publishes it. The value is never printed: on a
/// deployment that uses it, it is that deployment's secret.
#[derive(Debug, Clone, Copy)]
pub struct WellKnownKey {
    /// The value.
    pub value: &'static str,
    /// Where it is published, for the finding's message.
    pub source: &'static str,
}

/// Every published value, most widely copied first.
pub const WELL_KNOWN_KEYS: &[WellKnownKey] = &[
    WellKnownKey {
        value: "4jAokvLKTJgM0v_JseUkJ",
        source: "NocoBase's API-keys documentation (docs/docs/en/integration/api-keys/index.md, \"How to configure APP_KEY\")",
    },
    WellKnownKey {
        value: "app-key-test",
        source: "NocoBase's environment-variable documentation (docs/docs/en/get-started/installation/env.md)",
    },
    WellKnownKey {
        value: "replace-with-your-secret-key",
        source: "NocoBase's CLI docker-compose documentation (docs/docs/en/nocobase-cli/installation/docker-compose.md)",
    },
    WellKnownKey {
        value: "test-key-e2e",
        source: "NocoBase's end-to-end test templates (.env.e2e.example, create-nocobase-app's .env.e2e.tpl)",
    },
    WellKnownKey {
        value: "test-jwt-secret",
        source: "NocoBase's CLI default for an empty APP_KEY (packages/core/cli-v1/src/util.js)",
    },
];
