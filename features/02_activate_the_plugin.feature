Feature: Step 1 — activate the "Auth: API keys" plugin
  API keys come from the *Auth: API keys* plugin (`api-keys`). NocoBase 1.x shipped it disabled
  and the tutorial starts by activating it in the plugin manager; in 2.x it is built in and
  enabled after install. Enabling it again is harmless, which makes the step safe to automate.
  The *API documentation* plugin (`api-doc`), which the tutorial uses to look up each endpoint,
  is enabled the same way.

  Background:
    Given the administrator is signed in

  Scenario: The API keys plugin is enabled
    When the administrator looks up the plugin "api-keys"
    Then the response status is 200
    And the plugin is enabled
    And the plugin summary matches the snapshot "api-keys"

  Scenario: Enabling the API keys plugin again is harmless
    When the administrator enables the plugin "api-keys"
    Then the response status is 200
    And the response matches the snapshot "enable api-keys"
    And the plugin "api-keys" is still enabled

  Scenario: The API documentation plugin is enabled too
    When the administrator looks up the plugin "api-doc"
    Then the response status is 200
    And the plugin is enabled
    And the plugin summary matches the snapshot "api-doc"
