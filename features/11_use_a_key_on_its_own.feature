@key-only
Feature: A key on its own — what its holder can check with nothing else
  The tutorial's reader often ends up holding nothing but the key: an integration, a CI job, a
  web page. These scenarios need no admin credentials. Run the suite with `--api-key KEY`
  (and `--collection NAME` if the key was not granted `todos`) to check a key against a
  deployment; with admin credentials they run on a key the scenario issues itself.

  Background:
    Given an API key that may read and write the collection "todos"

  Scenario: The key lists the records of its collection
    When the key lists the records
    Then the response status is 200
    And the response is a page of records

  Scenario: The key writes, reads, updates and deletes a record of its own
    When the key creates a record titled "written with the key"
    Then the response status is 200
    And the record shows "title" as "written with the key"
    And the record was created by the key's owner
    When the key reads the record "written with the key"
    Then the response status is 200
    And the record shows "title" as "written with the key"
    When the key marks the record "written with the key" as completed
    Then the response status is 200
    And the record shows "completed" as "true"
    When the key deletes the record "written with the key"
    Then the response status is 200
    And the response data is "1"
    When the key reads the record "written with the key"
    Then the response status is 200
    And the response data is "null"

  Scenario: Without the key the same call is refused
    When a client lists the records without a key
    Then the response status is 401
    And the error says "Unauthenticated. Please sign in to continue." with code "EMPTY_TOKEN"
