"""The accounts of a backend that issues its own tokens, read from the contract's own routes and
bodies: which route does what, the profile fields, the sign-in answer, the token lifetime and
what cannot be served as written."""

from __future__ import annotations

import pytest

from sp_backend.readers.accounts import read_accounts, role_of, token_lifetime
from sp_backend.readers.facts import Endpoint, FieldFact


def ep(method: str, path: str, **extra: object) -> Endpoint:
    return Endpoint(method, path, f"specs/api/auth.md:{len(path)}", **extra)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("method", "path", "role"),
    [
        ("POST", "/api/auth/register", "register"),
        ("POST", "/auth/signup", "register"),
        ("POST", "/v1/auth/sign-up", "register"),
        ("POST", "/api/auth/users", "register"),
        ("POST", "/api/auth/login", "login"),
        ("POST", "/auth/signin", "login"),
        ("POST", "/auth/session", "login"),
        ("POST", "/auth/logout", "logout"),
        ("DELETE", "/auth/session", "logout"),  # ends the session POST opened
        ("DELETE", "/auth/sign-out", "logout"),
        ("GET", "/users/me", "me"),
        ("GET", "/api/account", "me"),
        ("PATCH", "/users/me", "profile"),
        ("PUT", "/api/profile", "profile"),
        ("POST", "/users/me/password", "password"),
        ("PUT", "/auth/change-password", "password"),
        ("POST", "/api/users", None),  # a resource's create, not an account route
        ("GET", "/api/auth/login", None),
    ],
)
def test_each_route_is_known_by_its_method_and_last_word(
    method: str, path: str, role: str | None
) -> None:
    assert role_of(ep(method, path)) == role


def test_the_register_body_gives_profile_fields_and_password_rules() -> None:
    register = ep("POST", "/auth/signup", statuses={201: "Created"})
    for name in ("email", "password", "confirmPassword", "displayName", "shoe_size"):
        register.body.append(FieldFact(name, "specs/api/auth.md:9", 0, 0))
    reading = read_accounts([register])
    assert sorted(reading.profile) == ["display_name", "shoe_size"]
    assert [f.name for f in reading.password] == ["password"]
    assert reading.routes["register"][:2] == ("POST", "/auth/signup")
    assert reading.data["register_status"] == 201


@pytest.mark.parametrize(
    ("answer", "shape"),
    [
        (
            {"access_token": "eyJx.y.z", "token_type": "bearer", "expires_in": 3600},
            {"token_key": "access_token", "token_type": True, "expires_in": True},
        ),
        (
            {"token": "eyJhbGciOi.e30.sig", "user": {"id": 1, "email": "a@b.c"}},
            {"token_key": "token", "token_type": False, "expires_in": False, "user_key": "user"},
        ),
        (
            {"jwt": "abc", "account": {"email": "a@b.c"}},
            {"token_key": "jwt", "token_type": False, "expires_in": False, "user_key": "account"},
        ),
    ],
)
def test_the_sign_in_answer_is_read_from_its_example(answer: dict, shape: dict) -> None:
    login = ep("POST", "/auth/login", response_examples=[(answer, "specs/api/auth.md:20")])
    assert read_accounts([login]).data["login_answer"] == shape


def test_a_sign_in_answer_without_a_token_key_is_a_note() -> None:
    login = ep("POST", "/auth/login", response_examples=[({"ok": True}, "x.md:3")])
    reading = read_accounts([login])
    assert "login_answer" not in reading.data
    assert any("no token key" in what for what, _, _ in reading.notes)


def test_routes_that_cannot_be_served_as_written_are_notes() -> None:
    reading = read_accounts(
        [
            ep("POST", "/auth/forgot-password"),
            ep("POST", "/auth/refresh"),
            ep("POST", "/auth/login"),
            ep("POST", "/auth/signin"),
            ep("GET", "/users/{user_id}/me"),
        ]
    )
    assert list(reading.routes) == ["login"]
    said = " ".join(what for what, _, _ in reading.notes)
    for route in ("/auth/forgot-password", "/auth/refresh", "/auth/signin", "/users/{user_id}/me"):
        assert route in said


def test_the_password_change_keys_come_from_its_body() -> None:
    change = ep("PUT", "/auth/change-password", statuses={200: "OK"})
    for name in ("oldPassword", "newPassword"):
        change.body.append(FieldFact(name, "x.md:4", 0, 0))
    data = read_accounts([change]).data
    keys = (data["current_password_key"], data["new_password_key"])
    assert keys == ("oldPassword", "newPassword")
    assert (data["password_method"], data["password_status"]) == ("PUT", 200)


@pytest.mark.parametrize(
    ("line", "minutes"),
    [
        ("Tokens expire after 12 hours.", 720),
        ("The access token is valid for 30 minutes", 30),
        ("JWT lifetime: 7 days", 7 * 24 * 60),
        ("Session tokens last 90 min", 90),
        ("A token expires in 1 h", 60),
        ("Tokens are signed with HS256", None),
        ("Reservations expire after 2 days", None),  # not about tokens
    ],
)
def test_the_token_lifetime_is_read_where_a_line_says_it(line: str, minutes: int | None) -> None:
    assert token_lifetime(line) == minutes
