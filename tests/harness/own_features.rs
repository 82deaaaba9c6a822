//! A user's own feature file, in a folder of its own, runs with `--features` on the suite's steps:
//! its own collection (`projects`), its own records and its own checks, against the embedded
//! server; the record steps work on the collection it made, not the tutorial's `todos`.

use serde_json::Value;

use super::support::{run, temp_dir};

const OWN_FEATURE: &str = r#"Feature: Our projects
  Our deployment keeps projects; an integration reads them with a key.

  Background:
    Given the administrator is signed in
    And the collection "projects" exists
    And the role "projects" titled "Projects Role" has every permission on "projects"
    And the administrator holds the role "projects"
    And the administrator has an API key "projects" for the role "projects" that never expires

  Scenario: The key lists the projects we made
    When the administrator creates the to-do "ship 1.0"
    And the key "projects" lists the to-dos
    Then the response status is 200
    And the to-dos listed are "ship 1.0"

  Scenario: The key's call goes to our collection
    When the key "projects" lists the to-dos
    Then the response status is 201
"#;

#[tokio::test]
async fn a_feature_of_the_user_s_own_runs_on_its_own_collection() {
    // Arrange
    let dir = temp_dir("own");
    let features = dir.path().join("features");
    std::fs::create_dir(&features).expect("made");
    std::fs::write(features.join("projects.feature"), OWN_FEATURE).expect("written");
    let json = dir.path().join("results.jsonl");

    // Act
    let out =
        run(&["run", "--features", features.to_str().expect("UTF-8"), "--json", json.to_str().expect("UTF-8")]).await;

    // Assert: the first passes; the second fails as written, on a call to `projects`.
    assert_eq!(out.code, 1, "{}", out.all());
    let lines: Vec<Value> = std::fs::read_to_string(&json)
        .expect("JSON written")
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    let status = |name: &str| lines.iter().find(|l| l["scenario"] == name).map(|l| l["status"].clone());
    assert_eq!(status("The key lists the projects we made"), Some("passed".into()), "{}", out.all());
    let failed = lines.iter().find(|l| l["status"] == "failed").expect("the second failed");
    let message = failed["failure"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("| GET /api/projects_nc"), "its own collection, tagged: {message}");
    assert!(out.stdout.contains("OpenAPI: ") && !out.stdout.contains("0 responses validated"), "{}", out.stdout);
}
