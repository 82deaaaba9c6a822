@serial @restart
Feature: What outlives a restart
  NocoBase keeps what makes a key or a session valid in its database — the users and their roles,
  the revoked tokens — and signs both with a secret it derives from APP_KEY when it starts. So
  after a restart a key and a session still work, and a revoked key stays revoked, as long as
  APP_KEY is the same (with another APP_KEY every key and session answers 401 INVALID_TOKEN, which
  is what rotating a published APP_KEY costs: `nocobase-conformance audit`). A deployment restarts
  with the command given as --restart-command; the embedded server restarts on its database file,
  a container is restarted by its engine. This runs alone: nothing else may meet the restart.

  Scenario: A key, a session and a revoked key, after a restart
    Given the administrator is signed in
    And the collection "todos" exists with the tutorial's to-dos
    And the role "todos" titled "To Dos API Role" has every permission on "todos"
    And the administrator holds the role "todos"
    And the administrator has an API key "todos" for the role "todos" that never expires
    And the administrator has an API key "revoked" for the role "todos" that expires in "30d"
    And the API key "revoked" has been deleted
    And the administrator has a session of its own
    When the target restarts
    And the API key lists the to-dos
    Then the response status is 200
    And the to-dos listed are "eat food, sleep, play games"
    When a client calls "GET auth:check" with the administrator's session
    Then the response status is 200
    When a client calls "GET todos:list" with the key "revoked"
    Then the response status is 401
    And the error says "Your session has expired. Please sign in again." with code "BLOCKED_TOKEN"
