Feature: What X-Role does, with a key and with a session
  `X-Role` names which of the user's roles a request acts as. An API key carries its role in its
  token, and NocoBase puts that role in place of whatever `X-Role` says before anything reads the
  header (`BaseAuth.checkToken`): with a key, every value answers as the key's role — `root` lifts
  nothing, and a role that does not exist is no error. With a session, `X-Role` decides: a role
  the user holds (`root` for the root user); a role it does not hold, existing or not, is
  401 ROLE_NOT_FOUND_FOR_USER; an empty header means the user's default role; and `__union__` —
  the union of the user's roles, where the system's role mode allows it — is quietly rewritten to
  the user's first role while the role mode is `default` (NocoBase issue #10399). In the role mode
  `only-use-union` a key acts with all of its owner's roles: `nocobase-conformance audit` reports
  that mode.

  Background:
    Given the administrator is signed in
    And the collection "todos" exists with the tutorial's to-dos
    And the role "todos" titled "To Dos API Role" has every permission on "todos"
    And the administrator holds the role "todos"
    And the administrator has an API key "todos" for the role "todos" that never expires
    And the role "other" titled "Other Role" exists

  Scenario Outline: A key acts as its own role, whatever X-Role says: <x-role>
    When a client calls "GET roles:check" with the API key and the header "X-Role: <x-role>"
    Then the response status is 200
    And the response matches the snapshot "roles check"
    When a client calls "GET todos:list" with the API key and the header "X-Role: <x-role>"
    Then the response status is 200
    And the to-dos listed are "eat food, sleep, play games"

    Examples:
      | x-role       |
      | todos        |
      | admin        |
      | other        |
      | no_such_role |
      | root         |
      | __union__    |
      | (empty)      |

  Scenario Outline: A session acts as the role X-Role names, if the user holds it: <x-role>
    When a client calls "GET roles:check" with the administrator's session and the header "X-Role: <x-role>"
    Then the response status is <status>
    And the response matches the snapshot "roles check"
    When a client calls "GET todos:list?pageSize=1" with the administrator's session and the header "X-Role: <x-role>"
    Then the response status is <status>

    Examples:
      | x-role       | status |
      | todos        | 200    |
      | admin        | 200    |
      | other        | 401    |
      | no_such_role | 401    |
      | root         | 200    |
      | __union__    | 200    |
      | (empty)      | 200    |
