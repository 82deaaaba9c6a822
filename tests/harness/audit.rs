//! `nocobase-conformance audit` against a reference server started with a published APP_KEY, the
//! default root password, or neither: each finding is reported with what to do and exit 3, a
//! clean deployment exits 0, and the published key itself is never printed.

use nocobase_conformance::audit::well_known_keys::WELL_KNOWN_KEYS;
use nocobase_conformance::reference::{self, AppState, RootAccount, ServerConfig};

use crate::support::run;

const STRONG_PASSWORD: &str = "Str0ng-and-l0ng-Pass";

/// A reference server with this app key and root password; its API base URL.
async fn deployment(app_key: &str, password: &str) -> String {
    let root = RootAccount { password: password.to_owned(), ..RootAccount::default() };
    let state = AppState::new(ServerConfig { app_key: app_key.to_owned(), root, database: None }).expect("starts");
    let (address, _task) = reference::spawn(state).await.expect("a free port");
    format!("http://{address}/api")
}

#[tokio::test]
async fn a_published_app_key_is_a_finding_and_is_never_printed() {
    // Arrange
    let published = WELL_KNOWN_KEYS[0].value;
    let url = deployment(published, STRONG_PASSWORD).await;

    // Act
    let audit = run(&["audit", "--base-url", &url, "--password", STRONG_PASSWORD]).await;

    // Assert
    assert_eq!(audit.code, 3, "{}", audit.all());
    assert!(
        audit.all().contains(
            "FINDING well-known-app-key: APP_KEY is the value published in NocoBase's API-keys documentation"
        ),
        "{}",
        audit.all()
    );
    assert!(audit.all().contains("what to do: set a long random APP_KEY"), "{}", audit.all());
    assert!(!audit.all().contains(published), "the key itself is printed:\n{}", audit.all());
    assert!(!audit.all().contains(STRONG_PASSWORD), "the password is printed:\n{}", audit.all());
}

#[tokio::test]
async fn the_default_root_password_is_a_finding() {
    let url = deployment("a-long-random-app-key-7f3c9e21b4d8a6", "admin123").await;

    let audit = run(&["audit", "--base-url", &url]).await;

    assert_eq!(audit.code, 3, "{}", audit.all());
    assert!(audit.all().contains("FINDING default-admin-password"), "{}", audit.all());
    assert!(audit.all().contains("not checked api-key-escalation: needs admin credentials"), "{}", audit.all());
}

#[tokio::test]
async fn a_deployment_with_its_own_key_and_password_has_no_finding() {
    let app_key = "a-long-random-app-key-7f3c9e21b4d8a6";
    let url = deployment(app_key, STRONG_PASSWORD).await;

    let audit = run(&["audit", "--base-url", &url, "--password", STRONG_PASSWORD, "--app-key", app_key]).await;

    assert_eq!(audit.code, 0, "{}", audit.all());
    for check in [
        "default-admin-password",
        "well-known-app-key",
        "unsigned-token",
        "algorithm-confusion",
        "api-key-escalation",
        "union-role-mode",
    ] {
        assert!(audit.stdout.contains(&format!("ok {check}:")), "{check} was not checked:\n{}", audit.all());
    }
    assert!(!audit.all().contains(app_key), "the app key is printed:\n{}", audit.all());
}

#[tokio::test]
async fn an_unreachable_target_cannot_be_audited() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("address").port();

    let audit = run(&["audit", "--base-url", &format!("http://127.0.0.1:{closed}/api"), "--timeout", "2"]).await;

    assert_eq!(audit.code, 2, "{}", audit.all());
    assert!(audit.stderr.contains("error:"), "{}", audit.all());
}
