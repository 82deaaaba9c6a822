@browser
Feature: The last step — the to-dos in a web page
  The tutorial ends with a small "Todo List" page, embedded in NocoBase with an Iframe block,
  whose script fetches `todos:list` with `Authorization: Bearer <key>` and prints the JSON. It is
  the moment the key is seen working from a browser — from another origin, so the browser first
  asks NocoBase's permission (a CORS preflight). Here the page is served from an origin of its own
  on 127.0.0.1 and opened in headless Chromium: what it prints must be the API's own answer, and a
  key that no longer works must show NocoBase's message instead of a blank page.

  Background:
    Given the administrator is signed in
    And the collection "todos" exists with the tutorial's to-dos
    And the role "todos" titled "To Dos API Role" has every permission on "todos"
    And the administrator holds the role "todos"
    And the administrator has an API key "todos" for the role "todos" that never expires

  Scenario: The To-Dos page shows the to-dos fetched with the API key
    When the To-Dos page is opened with the API key
    Then the page is titled "Todo List"
    And the page shows the to-dos "eat food, sleep, play games"
    And the page shows what the API key gets listing the to-dos directly
    And the page matches the snapshot "todo list page"

  Scenario: With a revoked key the page shows the 401 message
    Given the API key "todos" has been deleted
    When the To-Dos page is opened with the API key
    Then the page is titled "Todo List"
    And the page shows the error "401 Your session has expired. Please sign in again."
    And the page matches the snapshot "todo list page"
