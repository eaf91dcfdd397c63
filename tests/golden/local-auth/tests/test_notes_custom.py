"""Your own tests for the note routes in app/extensions/notes.py.
This file is yours: sp-backend created it once and never changes it again.

The generated tests' helpers work here too: the `client` fixture, `auth(user_id)` for a
signed-in caller's headers, ALICE and BOB, and `assert_error(response, status)` from
tests/conftest.py; from tests/test_notes.py, `url(user, suffix)` for a path
and `create(client, user)` for a stored note of that user.
"""
