Feature: What NocoBase does with mistakes in a call
  Not every mistake is refused. The `resource:action` URL form ignores the HTTP method, missing
  records answer 200 with an empty result rather than 404, a wrong value type is stored as given
  on SQLite but refused by PostgreSQL and MariaDB, an unknown filter operator is a server error,
  and a malformed JSON body gets V8's parser message. Knowing this saves debugging time; these
  scenarios pin it down.

  Background:
    Given the administrator is signed in
    And the collection "todos" exists with the tutorial's to-dos
    And the role "todos" titled "To Dos API Role" has every permission on "todos"
    And the administrator holds the role "todos"
    And the administrator has an API key "todos" for the role "todos" that never expires

  Scenario: A record that does not exist
    When a client calls "GET todos:get?filterByTk=999999" with the API key
    Then the response status is 200
    And the response matches the snapshot "get missing"
    When a client calls "POST todos:update?filterByTk=999999" with the API key and the body:
      """
      {"title": "nothing"}
      """
    Then the response status is 200
    And the response matches the snapshot "update missing"
    When a client calls "POST todos:destroy?filterByTk=999999" with the API key
    Then the response status is 200
    And the response matches the snapshot "destroy missing"

  Scenario: Update and destroy need a filter or a key
    When a client calls "POST todos:destroy" with the API key
    Then the response status is 500
    And the response matches the snapshot "destroy without key"

  Scenario: An unknown filter operator is a server error
    When a client calls "GET todos:list?filter={"title":{"$includesAny":["milk","dog"]}}" with the API key
    Then the response status is 500
    And the response matches the snapshot "unknown operator"

  Scenario: A malformed JSON body gets the parser's message
    When a client calls "POST todos:create" with the API key and the raw JSON body '{"title": "broken", '
    Then the response status is 400
    And the response matches the snapshot "malformed body"

  # NocoBase itself checks no boolean (its boolean field is only Sequelize's BOOLEAN) and makes a
  # string of anything given to a string field. What happens to "maybe" is the database's doing:
  # SQLite stores any value in any column; PostgreSQL (boolean) and MariaDB or MySQL (TINYINT(1),
  # strict mode) refuse it, and NocoBase answers the database's own message as a 500 — on MariaDB
  # with the connection id, the table and the whole SQL statement with its parameters in it.
  @dialect-sqlite
  Scenario: Values of the wrong type are stored as given
    When a client calls "POST todos:create" with the API key and the body:
      """
      {"title": {"nested": "object"}, "completed": "maybe"}
      """
    Then the response status is 200
    And the response matches the snapshot "wrong types"

  @dialect-postgres @dialect-mariadb @dialect-mysql
  Scenario: A value the column cannot hold is refused by the database
    When a client calls "POST todos:create" with the API key and the body:
      """
      {"title": {"nested": "object"}, "completed": "maybe"}
      """
    Then the response status is 500
    And the error message names "maybe"

  Scenario: The method does not matter in the resource:action form
    When a client calls "GET todos:create" with the API key
    Then the response status is 200
    And the response matches the snapshot "get creates"
    When a client calls "DELETE todos:list?pageSize=1" with the API key
    Then the response status is 200
    And the response matches the snapshot "delete lists"

  Scenario: The REST form routes by method, and only where a route exists
    When a client calls "PATCH todos" with the API key
    Then the response status is 404
    And the response matches the snapshot "patch without id"
    When a client calls "GET todos/{eat food}" with the API key
    Then the response status is 200
    And the response matches the snapshot "rest get"
