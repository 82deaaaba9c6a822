Feature: Step 4 — issue an API key for the role
  The key is created for one of the caller's own roles, with an expiry ("1d", "7d", "30d", "90d"
  or "never"). NocoBase answers the token once — copy it then, it is never shown again. The token
  is a plain HS256 JWT signed with the app's secret: `{userId, roleName, iat, exp}`, no session
  fields. "never" means a thousand years.

  Background:
    Given the administrator is signed in
    And the collection "todos" exists with the tutorial's to-dos
    And the role "todos" titled "To Dos API Role" has every permission on "todos"
    And the administrator holds the role "todos"

  Scenario: Issuing a key that expires in 30 days
    When the administrator creates an API key "todos" for the role "todos" that expires in "30d"
    Then the response status is 200
    And the response holds a token and nothing else
    And the key's claims are userId, roleName, iat and exp, with exp - iat = 2592000 seconds
    And the response matches the snapshot "key issued"

  Scenario: A key that never expires lives a thousand years
    When the administrator creates an API key "todos" for the role "todos" that never expires
    Then the response status is 200
    And the key's claims are userId, roleName, iat and exp, with exp - iat = 31557600000 seconds

  Scenario: The key list never shows the token
    Given the administrator has an API key "todos" for the role "todos" that expires in "30d"
    When the administrator lists the API keys
    Then the response status is 200
    And no listed key shows a token
    And the response matches the snapshot "key list"

  Scenario: A key for a role the user does not hold is refused
    Given the role "noperm" titled "No Permissions Role" exists
    When the administrator creates an API key "stranger" for the role "noperm" that expires in "30d"
    Then the response status is 400
    And the response matches the snapshot "role not found"

  Scenario: A key without a role is not created
    When the administrator creates an API key "norole" without a role
    Then the response status is 200
    And the response matches the snapshot "no role"
    And the administrator has no API key "norole"

  Scenario: Acting as the new role while creating its key is refused
    When the administrator, acting as the role "todos", creates an API key "todos" for the role "todos" that expires in "30d"
    Then the response status is 403
    And the response matches the snapshot "acting as the role"
