"""Accounts as the contract writes them: register with every profile field and each of its
constraints, the sign-in answer's shape, me,
the sign-in throttle (429 with Retry-After, on a controlled clock) and what register reveals."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response

from app.utils.throttle import get_login_throttle
from tests.conftest import assert_error

REGISTER = "/api/auth/register"
LOGIN = "/api/auth/login"
TOKEN = "/api/auth/token"
ME = "/api/auth/me"
PASSWORD = "42 Correct horse battery staple"
OTHER_PASSWORD = PASSWORD[::-1]
WRONG_PASSWORD = PASSWORD[1:] + PASSWORD[0]
# Every profile field the contract gives an account, with a valid value.
PROFILE: dict[str, Any] = {}
REQUIRED: dict[str, Any] = {}
USER_KEYS = {
    "id",
    "email",
    "created_at",
}
LOGIN_KEYS = {
    "access_token",
    "token_type",
    "expires_in",
}
PER_ACCOUNT = 5
PER_ADDRESS = 20
WINDOW = 900


class Clock:
    """The throttle's clock, moved by hand: no test sleeps."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(get_login_throttle(), "clock", fake)
    return fake


def register(
    client: TestClient, email: str = "ada@example.com", **fields: object
) -> dict[str, Any]:
    body = {"email": email, "password": PASSWORD, **REQUIRED, **fields}
    response = client.post(REGISTER, json=body)
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


def sign_in(
    client: TestClient, email: str = "ada@example.com", password: str = PASSWORD
) -> Response:
    return client.post(LOGIN, json={"email": email, "password": password})


def token_of(client: TestClient, email: str = "ada@example.com", password: str = PASSWORD) -> str:
    response = sign_in(client, email, password)
    assert response.status_code == 200, response.text
    answer: str = response.json()["access_token"]
    return answer


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_register_keeps_every_profile_field(client: TestClient) -> None:
    answer = register(client, **PROFILE)
    account = answer
    assert set(account) == USER_KEYS
    assert {name: account[name] for name in PROFILE} == PROFILE
    me = client.get(ME, headers=bearer(token_of(client)))
    assert me.status_code == 200, me.text
    assert me.json() == account


def test_the_sign_in_answer_has_the_contracts_shape(client: TestClient) -> None:
    register(client, **PROFILE)
    body = sign_in(client).json()
    assert set(body) == LOGIN_KEYS
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 1800
    # The OAuth2 form answers as RFC 6749 has it, whatever the JSON sign-in answers.
    form = client.post(TOKEN, data={"username": "ada@example.com", "password": PASSWORD})
    assert set(form.json()) == {"access_token", "token_type", "expires_in"}


def test_me_needs_a_token(client: TestClient) -> None:
    assert_error(client.get(ME), 401)


# --- the sign-in throttle ------------------------------------------------------------------------


def test_an_account_is_throttled_after_its_failed_sign_ins(
    client: TestClient, clock: Clock
) -> None:
    register(client)
    for _ in range(PER_ACCOUNT):
        assert_error(sign_in(client, password=WRONG_PASSWORD), 401)
        clock.now += 1
    # Past the limit even the right password waits: the guesser cannot tell it was right.
    throttled = sign_in(client)
    assert_error(throttled, 429)
    retry_after = int(throttled.headers["Retry-After"])
    assert 1 <= retry_after <= WINDOW
    form = client.post(TOKEN, data={"username": "ada@example.com", "password": PASSWORD})
    assert_error(form, 429)
    # Another account from the same address is not locked out by this one.
    register(client, "grace@example.com")
    assert sign_in(client, "grace@example.com").status_code == 200
    clock.now += retry_after
    assert sign_in(client).status_code == 200


def test_a_right_password_clears_the_accounts_count(client: TestClient, clock: Clock) -> None:
    register(client)
    for _ in range(PER_ACCOUNT - 1):
        assert_error(sign_in(client, password=WRONG_PASSWORD), 401)
    assert sign_in(client).status_code == 200
    assert_error(sign_in(client, password=WRONG_PASSWORD), 401)
    assert sign_in(client).status_code == 200


def test_an_address_is_throttled_across_accounts(client: TestClient, clock: Clock) -> None:
    for n in range(PER_ADDRESS):
        assert_error(sign_in(client, f"nobody{n}@example.com"), 401)
    throttled = sign_in(client, "someone-else@example.com")
    assert_error(throttled, 429)
    assert "Retry-After" in throttled.headers
    clock.now += WINDOW + 1
    assert_error(sign_in(client, "someone-else@example.com"), 401)


def test_the_throttle_remembers_a_bounded_number_of_keys() -> None:
    from app.utils.throttle import MemoryStore

    store = MemoryStore(max_keys=100)
    for n in range(1000):
        store.add(f"address:{n}", float(n), keep=3, since=-1.0)
    assert len(store._failures) == 100
    assert store.recent("address:999", since=0.0) == [999.0]
    assert store.recent("address:0", since=-1.0) == []


# --- what register reveals ----------------------------------------------------------------------


def test_a_taken_email_is_a_conflict_that_names_nothing(client: TestClient) -> None:
    register(client, "ada@example.com")
    again = {"email": "Ada@Example.com", "password": OTHER_PASSWORD, **REQUIRED}
    response = client.post(REGISTER, json=again)
    assert_error(response, 409)
    assert "ada@example.com" not in response.text.lower()
    assert OTHER_PASSWORD not in response.text
    # The first account keeps its password.
    assert sign_in(client).status_code == 200


def test_probing_taken_emails_through_register_is_throttled(
    client: TestClient, clock: Clock
) -> None:
    register(client, "ada@example.com")
    for _ in range(PER_ADDRESS):
        again = {"email": "ada@example.com", "password": PASSWORD, **REQUIRED}
        assert_error(client.post(REGISTER, json=again), 409)
    fresh = {"email": "new@example.com", "password": PASSWORD, **REQUIRED}
    assert_error(client.post(REGISTER, json=fresh), 429)
    clock.now += WINDOW + 1
    assert client.post(REGISTER, json=fresh).status_code == 201
