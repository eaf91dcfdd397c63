"""Your own tests for the task routes in app/extensions/tasks.py.
This file is yours: sp-backend created it once and never changes it again.

The generated tests' helpers work here too: the `client` fixture, `auth(user_id)` for a
signed-in caller's headers, ALICE and BOB, and `assert_error(response, status)` from
tests/conftest.py; from tests/test_tasks.py, `url(user, suffix)` for a path
and `create(client, user)` for a stored task of that user.
"""
