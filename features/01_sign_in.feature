Feature: Step 0 — sign in as an administrator
  Everything in the tutorial starts in NocoBase's admin UI, signed in as an administrator.
  Over HTTP that is `POST /api/auth:signIn` with the `basic` authenticator. The answer carries
  the user and a session token: a one-day JWT for the admin UI, not an API key. The steps that
  set things up (collection, role, key) use it.

  Scenario: Signing in returns the user and a one-day session token
    When the administrator signs in
    Then the response status is 200
    And the response holds the signed-in user and a token
    And the session token's claims are userId, temp, iat, signInTime, exp and jti, with exp - iat = 86400 seconds

  Scenario: The session token says who is signed in
    Given the administrator is signed in
    When the administrator checks who is signed in
    Then the response status is 200
    And the checked user is the administrator

  Scenario: A wrong password is refused
    When someone signs in as the administrator with the password "not-the-password"
    Then the response status is 401
    And the response matches the snapshot "wrong password"

  Scenario: Signing in needs an account
    When someone signs in without an account
    Then the response status is 400
    And the response matches the snapshot "no account"
