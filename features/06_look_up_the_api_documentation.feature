Feature: Step 6 — look up each endpoint in the API documentation
  Before calling the API, the tutorial sends the reader to the *API documentation* plugin: it
  publishes an OpenAPI 3.0.3 document per collection (`swagger:get?ns=collections/todos`), listed
  by `swagger:getUrls`, describing `list`, `get`, `create`, `update` and `destroy` with their
  parameters and the bearer security scheme. Reading it needs a login (a session or an API key).
  The suite also checks every response to these actions against this very document.

  Background:
    Given the administrator is signed in
    And the collection "todos" exists

  Scenario: The plugin lists a document for the collection
    When the administrator lists the API documents
    Then the response status is 200
    And the documents include one for the collection "todos"
    And the general and collection documents match the snapshot "documents"

  Scenario: The collection's document describes its five actions
    When the administrator reads the API document of the collection "todos"
    Then the response status is 200
    And the document is OpenAPI 3.0.3 with a bearer security scheme
    And the document's outline matches the snapshot "outline"

  Scenario: An API key can read the document too
    Given the role "todos" titled "To Dos API Role" has every permission on "todos"
    And the administrator holds the role "todos"
    And the administrator has an API key "todos" for the role "todos" that never expires
    When the API key reads the API document of the collection "todos"
    Then the response status is 200
    And the document's outline matches the snapshot "outline for the key"

  Scenario: The document needs a login
    When a client reads the API document of the collection "todos" without credentials
    Then the response status is 401
    And the response matches the snapshot "no login"
