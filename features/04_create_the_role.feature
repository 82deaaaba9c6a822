Feature: Step 3 — create the "To Dos API Role" and give it to a user
  An API key acts as a user, limited to one of that user's roles. The tutorial creates a role,
  "To Dos API Role" (role name `todos`), allows it every action on the `todos` collection
  ("Individual" permissions with every Allow box ticked, every field selected), and assigns it —
  to the signed-in administrator, or to a dedicated "To Dos API User". A user without the admin's
  plugin permissions needs one more setting before it can manage its own keys: the role must be
  allowed to configure plugins, with only the API keys settings ticked.

  Background:
    Given the administrator is signed in
    And the collection "todos" exists with the tutorial's to-dos

  Scenario: Creating the role the way the admin UI does
    When the administrator creates the role "todos" titled "To Dos API Role"
    Then the response status is 200
    And the response matches the snapshot "role created"

  Scenario: Allowing the role every action on to-dos
    Given the role "todos" titled "To Dos API Role" exists
    When the administrator allows the role "todos" every action on the collection "todos"
    Then the response status is 200
    And the response matches the snapshot "permissions granted"
    When the administrator reads the permissions of the role "todos" on the collection "todos"
    Then the response status is 200
    And the response matches the snapshot "permissions read back"

  Scenario: Assigning the role to the signed-in administrator
    Given the role "todos" titled "To Dos API Role" has every permission on "todos"
    When the administrator assigns the role "todos" to themselves
    Then the response status is 200
    And the response matches the snapshot "role assigned"
    And the administrator holds the role "todos"

  Scenario: A dedicated user holding the role
    Given the role "todos" titled "To Dos API Role" has every permission on "todos"
    When the administrator creates the user "todos_api_user" with the role "todos"
    Then the response status is 200
    And the response matches the snapshot "user created"
    When the administrator lists the roles of the user "todos_api_user"
    Then the response status is 200
    And the response matches the snapshot "user roles"

  Scenario: The dedicated user sees exactly what the role allows
    Given the role "todos" titled "To Dos API Role" has every permission on "todos"
    And the user "todos_api_user" holds the role "todos"
    When the user "todos_api_user" checks its permissions
    Then the response status is 200
    And the response matches the snapshot "user permissions"

  Scenario: Without plugin permissions the dedicated user cannot create keys
    Given the role "todos" titled "To Dos API Role" has every permission on "todos"
    And the user "todos_api_user" holds the role "todos"
    When the user "todos_api_user" creates an API key "todos" for the role "todos" that never expires
    Then the response status is 403
    And the response matches the snapshot "no permission for keys"

  Scenario: Allowing the role to manage API keys and nothing else
    Given the role "todos" titled "To Dos API Role" has every permission on "todos"
    And the user "todos_api_user" holds the role "todos"
    When the administrator lets the role "todos" configure plugins
    Then the response status is 200
    And the response matches the snapshot "plugins allowed"
    When the administrator unticks every plugin setting for the role "todos"
    Then the response status is 200
    When the administrator ticks the API keys settings for the role "todos"
    Then the response status is 200
    When the administrator reads the role "todos"
    Then the response status is 200
    And the response matches the snapshot "role settings"
    When the user "todos_api_user" creates an API key "todos" for the role "todos" that never expires
    Then the response status is 200
    And the response holds a token and nothing else
