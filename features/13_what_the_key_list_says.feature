Feature: What the key list says, and what a key can do, over the key's life
  `apiKeys:list` is bookkeeping: it shows the caller's own rows, and nothing checks them. A key
  works while its signature verifies, it has not been revoked, its user exists and still holds
  the key's role. So a key deleted from the list stops working at once (BLOCKED_TOKEN); a key
  whose role was taken from its user stays in the list but is refused (ROLE_NOT_FOUND_FOR_USER)
  until the role is given back, when it works again — nothing had been revoked; the key of a user
  who was removed is refused (NOT_EXIST_USER), its row listed to nobody; and deleting another
  user's key answers 0 deleted, leaves the row in its owner's list, and revokes the key all the
  same.

  Background:
    Given the administrator is signed in
    And the collection "todos" exists with the tutorial's to-dos
    And the role "todos" titled "To Dos API Role" has every permission on "todos"

  Scenario: A deleted key leaves the list and is refused
    Given the administrator holds the role "todos"
    And the administrator has an API key "todos" for the role "todos" that never expires
    When the administrator deletes the API key "todos"
    Then the response status is 200
    And the response data is "1"
    And the administrator's key list does not show the key "todos"
    When a client calls "GET todos:list" with the API key
    Then the response status is 401
    And the error says "Your session has expired. Please sign in again." with code "BLOCKED_TOKEN"

  Scenario: A key whose role was taken from its user stays listed, is refused, and works again when the role comes back
    Given the administrator holds the role "todos"
    And the administrator has an API key "todos" for the role "todos" that never expires
    When the administrator gives up the role "todos"
    Then the administrator's key list shows the key "todos"
    When a client calls "GET todos:list" with the API key
    Then the response status is 401
    And the error says "The role does not belong to the user" with code "ROLE_NOT_FOUND_FOR_USER"
    And the response matches the snapshot "role taken"
    When the administrator takes the role "todos" back
    And a client calls "GET todos:list" with the API key
    Then the response status is 200
    And the to-dos listed are "eat food, sleep, play games"

  Scenario: The key of a user who was removed is refused
    Given the user "todos_api_user" holds the role "todos" and may manage API keys
    And the user "todos_api_user" has an API key "todos" for the role "todos" that never expires
    When the administrator removes the user "todos_api_user"
    And a client calls "GET todos:list" with the API key
    Then the response status is 401
    And the error says "User not found. Please sign in again to continue." with code "NOT_EXIST_USER"
    And the response matches the snapshot "user removed"

  Scenario: Deleting another user's key answers 0 deleted, keeps its row, and revokes it all the same
    Given the user "todos_api_user" holds the role "todos" and may manage API keys
    And the user "todos_api_user" has an API key "todos" for the role "todos" that never expires
    When the administrator deletes the API key "todos" of the user "todos_api_user"
    Then the response status is 200
    And the response data is "0"
    And the key list of the user "todos_api_user" shows the key "todos"
    When a client calls "GET todos:list" with the API key
    Then the response status is 401
    And the error says "Your session has expired. Please sign in again." with code "BLOCKED_TOKEN"
