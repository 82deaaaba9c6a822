Feature: Step 8 — what an unauthorised call gets
  A call without a valid key is refused with 401 and NocoBase's error format,
  `{"errors":[{"message": …, "code": …}]}`. The code says why: no token at all (EMPTY_TOKEN), a
  token that does not verify — garbage, signed with another secret, or expired (INVALID_TOKEN,
  with the tutorial's "Your session has expired" message) —, a key that was deleted
  (BLOCKED_TOKEN), or a key whose role its user no longer holds (ROLE_NOT_FOUND_FOR_USER). A valid
  key without permission gets 403 "No permissions", and `X-Role` cannot lift a key above its
  role. An unknown collection is a plain-text 404, before any authentication.

  Background:
    Given the administrator is signed in
    And the collection "todos" exists with the tutorial's to-dos
    And the role "todos" titled "To Dos API Role" has every permission on "todos"
    And the administrator holds the role "todos"
    And the administrator has an API key "todos" for the role "todos" that never expires

  Scenario Outline: Calling with <credential>
    When a client calls "<request>" with <credential>
    Then the response status is <status>
    And the error says "<message>" with code "<code>"
    And the response matches the snapshot "<snapshot>"

    Examples:
      | request                     | credential                                      | status | code                    | message                                          | snapshot            |
      | GET todos:list              | no Authorization header                         | 401    | EMPTY_TOKEN             | Unauthenticated. Please sign in to continue.     | no header           |
      | GET todos:list              | the token "this-is-not-a-jwt"                   | 401    | INVALID_TOKEN           | Your session has expired. Please sign in again.  | garbage token       |
      | GET todos:list              | the token "invalid-api-key"                     | 401    | INVALID_TOKEN           | Your session has expired. Please sign in again.  | tutorial bad key    |
      | GET todos:list              | a JWT signed with another secret                | 401    | INVALID_TOKEN           | Your session has expired. Please sign in again.  | other secret        |
      | GET todos:list              | an API key that has expired                     | 401    | INVALID_TOKEN           | Your session has expired. Please sign in again.  | expired key         |
      | GET todos:list              | an API key that was deleted                     | 401    | BLOCKED_TOKEN           | Your session has expired. Please sign in again.  | revoked key         |
      | GET todos:list              | a key whose role was taken from its user        | 401    | ROLE_NOT_FOUND_FOR_USER | The role does not belong to the user             | role taken away     |
      | GET todos:list              | a key whose role has no permissions             | 403    | -                       | No permissions                                   | role without rights |
      | POST todos:create           | a key whose role has no permissions             | 403    | -                       | No permissions                                   | create without rights |
      | GET users:list              | the API key and the header "X-Role: root"       | 403    | -                       | No permissions                                   | x-role root         |
      | GET apiKeys:list            | the API key                                     | 403    | -                       | No permissions                                   | key lists keys      |
      | GET no_such_collection:list | the API key                                     | 404    | -                       | Not Found                                        | unknown collection  |
      | GET todos:frobnicate        | the API key                                     | 404    | -                       | Not Found                                        | unknown action      |

  @app-key
  Scenario: Any JWT signed with the app's secret is accepted as a key
    When a client calls "GET todos:list?pageSize=1" with a JWT minted offline with the app key for the role "todos"
    Then the response status is 200
    And the to-dos listed are "eat food"
