Feature: Sessions and keys under a token policy, and what a browser may send and read
  A session token is the admin UI's: NocoBase's token policy (`tokenControlConfig`: how long a
  token lives, how long a session lasts, how late a token may still be renewed) applies to it,
  and once it is past its time NocoBase answers the request anyway and hands a new token back in
  the `X-New-Token` header, which its CORS settings let a browser read. An API key is not a session:
  no policy applies to it, and it is never renewed. NocoBase also sets cookies at sign-in, but on
  API calls it reads the token from the `Authorization` header (or `?token=`) only: a request with
  nothing but the auth cookie is a request without a token.

  Background:
    Given the administrator is signed in
    And the collection "todos" exists with the tutorial's to-dos
    And the role "todos" titled "To Dos API Role" has every permission on "todos"
    And the administrator holds the role "todos"
    And the administrator has an API key "todos" for the role "todos" that never expires

  Scenario: A request with only the auth cookie has no token
    When a client calls "GET todos:list" with only the administrator's auth cookie
    Then the response status is 401
    And the error says "Unauthenticated. Please sign in to continue." with code "EMPTY_TOKEN"
    And the response matches the snapshot "cookie only"

  Scenario: A browser may read the renewed token
    When a client calls "GET todos:list" with the API key and the header "Origin: http://127.0.0.1:8000"
    Then the response status is 200
    And a browser may read the header "x-new-token" of the response

  # The policy is the whole deployment's: this scenario runs alone, and puts NocoBase's default
  # policy back when it ends, passed or failed.
  @serial
  Scenario: Past the token policy's time a session is renewed, and a key is not
    Given the administrator has a session of its own
    When the administrator sets the token policy to tokens of "1ms", sessions of "7d", renewal within "1d"
    And a client calls "GET auth:check" with the administrator's session
    Then the response status is 200
    And the response hands a renewed session token back
    When a client calls "GET todos:list" with the API key
    Then the response status is 200
    And the response hands no new token back
