//! `nocobase-conformance leftovers`: what runs left on a target. Runs kept with `--keep` leave
//! a key, a user, roles and collections; `leftovers` names them (exit 1), `--remove` removes them
//! (exit 0), and a run that was not kept leaves nothing to find.

use super::support::{reference_server, run};

#[tokio::test]
async fn what_kept_runs_leave_is_listed_then_removed() {
    // Arrange: two scenarios run against one server and kept.
    let base_url = reference_server().await;
    for scenario in ["Issuing a key that expires in 30 days", "A dedicated user holding the role"] {
        let kept = run(&["run", "--base-url", &base_url, "--keep", "--name", scenario]).await;
        assert_eq!(kept.code, 0, "{}", kept.all());
    }

    // Act
    let listed = run(&["leftovers", "--base-url", &base_url]).await;
    let removed = run(&["leftovers", "--base-url", &base_url, "--remove"]).await;
    let after = run(&["leftovers", "--base-url", &base_url]).await;

    // Assert
    assert_eq!(listed.code, 1, "something is left: {}", listed.all());
    let kinds: Vec<&str> = listed
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("left behind: "))
        .map(|l| l.rsplit_once(' ').map_or(l, |(kind, _)| kind))
        .collect();
    assert_eq!(kinds, ["API key", "user", "role", "role", "collection", "collection"], "{}", listed.stdout);
    assert!(listed.stdout.contains("6 leftover(s) at"), "{}", listed.stdout);
    assert_eq!(removed.code, 0, "{}", removed.all());
    assert_eq!(removed.stdout.lines().filter(|l| l.starts_with("removed: ")).count(), 6, "{}", removed.stdout);
    assert_eq!(after.code, 0, "{}", after.all());
    assert!(after.stdout.contains("Nothing of the suite is left"), "{}", after.stdout);
}

#[tokio::test]
async fn a_run_that_is_not_kept_leaves_nothing() {
    // Arrange
    let base_url = reference_server().await;
    // Act
    let suite = run(&["run", "--base-url", &base_url, "--name", "Step 4"]).await;
    let listed = run(&["leftovers", "--base-url", &base_url]).await;
    // Assert
    assert_eq!(suite.code, 0, "{}", suite.all());
    assert!(suite.stdout.contains("Running 6 scenarios"), "the filter selects step 4's scenarios: {}", suite.stdout);
    assert_eq!(listed.code, 0, "{}", listed.all());
    assert!(listed.stdout.contains("Nothing of the suite is left"), "{}", listed.stdout);
}

#[tokio::test]
async fn credentials_in_the_url_are_refused_without_being_repeated() {
    let listed = run(&["leftovers", "--base-url", "http://admin:hunter2pass@127.0.0.1:9/api"]).await;
    assert_eq!(listed.code, 2, "{}", listed.all());
    assert!(listed.stderr.contains("must not carry credentials"), "{}", listed.stderr);
    assert!(!listed.all().contains("hunter2pass"), "{}", listed.all());
}
