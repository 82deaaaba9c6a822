Feature: Step 2 — create the "todos" collection and the tutorial's to-dos
  The tutorial keeps its to-dos in a collection called `todos` with a `title` (single line text)
  and a `completed` flag (checkbox). The admin UI's "General collection" template adds five
  preset fields: a Snowflake `id` (large time-ordered numbers, not 1, 2, 3), `createdAt`,
  `createdBy`, `updatedAt` and `updatedBy`. The tutorial then enters three to-dos by hand.
  These scenarios send exactly what the admin UI sends.

  Background:
    Given the administrator is signed in

  Scenario: Creating the collection the way the admin UI does
    When the administrator creates the collection "todos" from the General collection template
    Then the response status is 200
    And the response matches the snapshot "collection created"

  Scenario: Adding the title and completed fields
    Given the collection "todos" exists without its fields
    When the administrator adds the field "title"
    Then the response status is 200
    And the response matches the snapshot "title field"
    When the administrator adds the field "completed"
    Then the response status is 200
    And the response matches the snapshot "completed field"

  Scenario: The collection has the preset fields and the two new ones
    Given the collection "todos" exists
    When the administrator reads the collection "todos" with its fields
    Then the response status is 200
    And the response matches the snapshot "collection with fields"

  Scenario: Entering the tutorial's sample to-dos
    Given the collection "todos" exists
    When the administrator creates the to-do "eat food"
    Then the response status is 200
    And the response matches the snapshot "eat food created"
    When the administrator creates the to-do "sleep"
    Then the response status is 200
    When the administrator creates the to-do "play games"
    Then the response status is 200
    When the administrator lists the to-dos
    Then the response status is 200
    And the to-dos listed are "eat food, sleep, play games"
    And the response matches the snapshot "three to-dos"

  Scenario: A collection name can be used only once
    Given the collection "todos" exists
    When the administrator creates the collection "todos" from the General collection template
    Then the response status is 500
    And the response matches the snapshot "name taken"
