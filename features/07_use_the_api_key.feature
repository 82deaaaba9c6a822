Feature: Step 7 — list, get, create, update and delete to-dos with only the API key
  With the key in hand a program needs no session: every call carries
  `Authorization: Bearer <key>` and nothing else. The key acts as the user who created it —
  here the dedicated "To Dos API User" — limited to its role. Lists are paginated
  (`page`, `pageSize`, default 20) and take `sort`, `filter` (JSON or bracket form), `fields`,
  `appends` and `paginate=false`. Update answers the updated records as a list, destroy the
  number of records deleted, and a record that is not there comes back as `null`.

  Background:
    Given the administrator is signed in
    And the collection "todos" exists with the tutorial's to-dos
    And the role "todos" titled "To Dos API Role" has every permission on "todos"
    And the user "todos_api_user" holds the role "todos" and may manage API keys
    And the user "todos_api_user" has an API key "todos" for the role "todos" that never expires

  Scenario: Listing the to-dos gives the first page
    When the API key lists the to-dos
    Then the response status is 200
    And the to-dos listed are "eat food, sleep, play games"
    And the response matches the snapshot "list"

  Scenario: Asking for the second page of two
    When the API key lists the to-dos with "page=2&pageSize=2"
    Then the response status is 200
    And the to-dos listed are "play games"
    And the response matches the snapshot "page 2 of 2"

  Scenario: Sorting by title, descending
    When the API key lists the to-dos with "sort=-title"
    Then the response status is 200
    And the to-dos listed are "sleep, play games, eat food"
    And the response matches the snapshot "sorted by title descending"

  Scenario: Sorting by several fields, empty values last
    Given the administrator marks the to-do "sleep" as completed
    When the API key lists the to-dos with "sort=completed,-title"
    Then the response status is 200
    And the to-dos listed are "sleep, play games, eat food"
    And the response matches the snapshot "sorted by completed then title"

  Scenario: Filtering with a JSON filter
    Given the administrator marks the to-do "sleep" as completed
    When the API key lists the to-dos with "filter={"completed":true}"
    Then the response status is 200
    And the to-dos listed are "sleep"
    And the response matches the snapshot "filter json"

  Scenario: Filtering with the bracket form
    When the API key lists the to-dos with "filter[title][$includes]=ea"
    Then the response status is 200
    And the to-dos listed are "eat food"
    And the response matches the snapshot "filter brackets"

  Scenario: Combining conditions; empty counts as not completed
    Given the administrator marks the to-do "sleep" as completed
    When the API key lists the to-dos with "filter={"$and":[{"completed":{"$isFalsy":true}},{"title":{"$includes":"e"}}]}"
    Then the response status is 200
    And the to-dos listed are "eat food, play games"
    And the response matches the snapshot "filter and"

  Scenario: Only the completed to-dos
    Given the administrator marks the to-do "sleep" as completed
    When the API key lists the to-dos with "filter={"completed":{"$isTruly":true}}"
    Then the response status is 200
    And the to-dos listed are "sleep"

  Scenario: Choosing the fields
    When the API key lists the to-dos with "fields=id,title"
    Then the response status is 200
    And the response matches the snapshot "fields id and title"

  Scenario: All the to-dos at once, without pagination
    When the API key lists the to-dos with "paginate=false"
    Then the response status is 200
    And the to-dos listed are "eat food, sleep, play games"
    And the response matches the snapshot "unpaginated"

  Scenario: Getting one to-do
    When the API key gets the to-do "eat food"
    Then the response status is 200
    And the response matches the snapshot "get eat food"

  Scenario: Creating a to-do; the key's user is its creator
    When the API key creates a to-do:
      """
      {"title": "123"}
      """
    Then the response status is 200
    And the response matches the snapshot "created"
    When the API key lists the to-dos with "appends[]=createdBy&filter[title]=123"
    Then the response status is 200
    And the response matches the snapshot "created by the key's user"

  Scenario: Updating a to-do answers a list
    When the API key updates the to-do "eat food" with:
      """
      {"title": "eat food", "completed": true}
      """
    Then the response status is 200
    And the response matches the snapshot "updated"
    When the API key gets the to-do "eat food"
    Then the response status is 200
    And the response matches the snapshot "get after update"

  Scenario: Deleting a to-do answers how many were deleted
    When the API key destroys the to-do "sleep"
    Then the response status is 200
    And the response matches the snapshot "destroyed"
    When the API key gets the to-do "sleep"
    Then the response status is 200
    And the response matches the snapshot "get after destroy"
    When the API key lists the to-dos
    Then the to-dos listed are "eat food, play games"

  Scenario: The key's permissions are the role's
    When the API key checks its permissions
    Then the response status is 200
    And the response matches the snapshot "key permissions"

  Scenario: A key of the administrator works the same way
    Given the administrator holds the role "todos"
    And the administrator has an API key "admin key" for the role "todos" that never expires
    When the key "admin key" lists the to-dos with "pageSize=1"
    Then the response status is 200
    And the to-dos listed are "eat food"
