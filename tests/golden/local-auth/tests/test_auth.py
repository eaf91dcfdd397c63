"""Authentication: a valid token is accepted; every forged, stale or malformed one is refused
with 401, `WWW-Authenticate: Bearer` and the error envelope.
Accounts: register, sign in (JSON and the OAuth2 form), me, and a signed-in user's own rows.
"""

import base64
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.config import Settings, get_settings
from app.database import engine
from app.main import app
from app.models.user import User
from app.services import user_service
from app.utils import auth as auth_module
from tests.conftest import ALICE, BOB, USER_ID_CLAIM, assert_error, auth, make_token

# A protected endpoint that answers 200 to a valid token.
PROBE_METHOD = "GET"
PROBE = "/api/{user_id}/notes".replace("{user_id}", str(ALICE))
PROBE_OK = 200
PUBLIC_ROUTES = {
    "/health",
    "/ready",
    "/api/auth/register",
    "/api/auth/login",
    "/api/auth/token",
}
# An RSA key pair: its public half as an HMAC secret (algorithm confusion), its private half
# signing RS256 tokens the API must refuse (only HS256 are pinned).
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PUBLIC_PEM = RSA_KEY.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def claims_of(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def forge(header: dict[str, Any], claims: dict[str, Any], hmac_key: bytes | None) -> str:
    """A token built by hand: HMAC-SHA256 over hmac_key, or no signature at all."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    signature = b""
    if hmac_key is not None:
        signature = hmac.new(hmac_key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def tampered() -> str:
    """A valid token whose payload was changed to name another user; signature kept."""
    header, _, signature = make_token().split(".")
    claims = {**claims_of(make_token()), USER_ID_CLAIM: claims_of(make_token(BOB))[USER_ID_CLAIM]}
    return f"{header}.{b64(json.dumps(claims).encode())}.{signature}"


ATTACKS: dict[str, Callable[[], dict[str, str]]] = {
    "no token": lambda: {},
    "empty bearer": lambda: {"Authorization": "Bearer"},
    "wrong scheme": lambda: {"Authorization": "Basic YWxpY2U6c2VjcmV0"},
    "malformed": lambda: bearer("not.a.jwt"),
    "garbage": lambda: bearer("%%%"),
    "two tokens": lambda: {"Authorization": f"Bearer {make_token()} {make_token()}"},
    "alg none": lambda: bearer(forge({"alg": "none"}, claims_of(make_token()), None)),
    "HS256 signed with an RSA public key": lambda: bearer(
        forge({"alg": "HS256", "typ": "JWT"}, claims_of(make_token()), PUBLIC_PEM)
    ),
    "RS256 where HMAC is pinned": lambda: bearer(make_token(key=RSA_KEY, algorithm="RS256")),
    "wrong secret": lambda: bearer(make_token(key="another-secret-that-is-long-enough-000000")),
    "HS384 (not pinned)": lambda: bearer(make_token(algorithm="HS384")),
    "expired": lambda: bearer(make_token(expires_in=-120)),
    "not yet valid": lambda: bearer(make_token(nbf=int(time.time()) + 600)),
    "issued in the future": lambda: bearer(make_token(iat=int(time.time()) + 600)),
    "no expiry": lambda: bearer(make_token(exp=None)),
    "no user id": lambda: bearer(make_token(None)),
    "user id too long": lambda: bearer(make_token("u" * 300)),
    "tampered payload": lambda: bearer(tampered()),
    "expiry as a numeric string": lambda: bearer(make_token(exp=str(int(time.time()) + 600))),
    "issued-at as a numeric string": lambda: bearer(make_token(iat=str(int(time.time())))),
    "longer than any real token": lambda: bearer(make_token(padding="p" * 10_000)),
}


def test_a_valid_token_is_accepted(client: TestClient) -> None:
    response = client.request(PROBE_METHOD, PROBE, headers=auth())
    assert response.status_code == PROBE_OK, response.text


def test_a_remembered_token_is_verified_again_once_it_expires(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    verified: list[str] = []
    decode = auth_module.decode_token

    def counted(token: str, settings: Settings) -> dict[str, Any]:
        verified.append(token)
        return decode(token, settings)

    monkeypatch.setattr(auth_module, "decode_token", counted)
    headers = auth(expires_in=60)
    for _ in range(2):
        assert client.request(PROBE_METHOD, PROBE, headers=headers).status_code == PROBE_OK
    assert len(verified) == 1  # verified once, then remembered
    # Past exp (and the leeway) by the cache's clock, the token is verified in full again, where
    # an expired token is refused (test_bad_tokens_are_refused_with_401).
    later = time.time() + 60 + get_settings().jwt_leeway_seconds + 1
    monkeypatch.setattr(auth_module, "time", SimpleNamespace(time=lambda: later))
    assert client.request(PROBE_METHOD, PROBE, headers=headers).status_code == PROBE_OK
    assert len(verified) == 2


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_bad_tokens_are_refused_with_401(client: TestClient, attack: str) -> None:
    response = client.request(PROBE_METHOD, PROBE, headers=ATTACKS[attack]())
    assert_error(response, 401)
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_remembered_tokens_are_kept_as_digests_not_as_tokens(client: TestClient) -> None:
    token = make_token()
    assert client.request(PROBE_METHOD, PROBE, headers=bearer(token)).status_code == PROBE_OK
    kept = auth_module.verified_tokens._entries
    assert kept and all(isinstance(key, bytes) and len(key) == 32 for key in kept)
    assert token.encode() not in kept


def test_refused_tokens_are_logged_as_security_events_without_the_token(
    client: TestClient,
) -> None:
    lines: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(record.getMessage())  # type: ignore[method-assign]
    security = logging.getLogger("app.security")
    security.addHandler(handler)
    token = make_token(expires_in=-120)
    try:
        client.request(PROBE_METHOD, PROBE, headers=bearer(token))
    finally:
        security.removeHandler(handler)
    assert lines and lines[0].startswith("token_refused"), lines
    assert token not in " ".join(lines) and token.split(".")[1] not in " ".join(lines)


def test_every_route_but_the_public_ones_needs_a_token(client: TestClient) -> None:
    checked = []
    for template, operations in app.openapi()["paths"].items():
        if template in PUBLIC_ROUTES:
            continue
        path = template.replace("{user_id}", str(ALICE))
        path = "/".join("1" if part.startswith("{") else part for part in path.split("/"))
        for method in operations:
            response = client.request(method.upper(), path)
            assert_error(response, 401)
            assert response.headers["WWW-Authenticate"] == "Bearer"
            checked.append(f"{method} {template}")
    assert checked


# --- accounts: register, sign in, me -----------------------------------------------------------

REGISTER = "/api/auth/register"
LOGIN = "/api/auth/login"
TOKEN = "/api/auth/token"
ME = "/api/auth/me"
PASSWORD = "42 Correct horse battery staple"
# The profile fields register requires, with valid values.
PROFILE: dict[str, Any] = {}
WRONG_PASSWORD = PASSWORD[1:] + PASSWORD[0]


def register(client: TestClient, email: str = "ada@example.com") -> dict[str, Any]:
    body = {"email": email, "password": PASSWORD, **PROFILE}
    response = client.post(REGISTER, json=body)
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


def login(client: TestClient, email: str = "ada@example.com") -> str:
    response = client.post(LOGIN, json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 1800
    token: str = body["access_token"]
    return token


def test_register_returns_the_account_without_its_password(client: TestClient) -> None:
    body = register(client, email="Ada@Example.COM")
    assert set(body) == {
        "id",
        "email",
        "created_at",
    }
    assert body["email"] == "ada@example.com"


@pytest.mark.parametrize(
    "email", ["  ada@example.com ", "ada@example", "ada example@x.org", "@x.org"]
)
def test_register_refuses_what_the_openapi_pattern_refuses(client: TestClient, email: str) -> None:
    response = client.post(REGISTER, json={"email": email, "password": PASSWORD, **PROFILE})
    assert_error(response, 422)


def test_passwords_are_stored_as_argon2_hashes(client: TestClient) -> None:
    register(client)
    with Session(engine) as session:
        user = session.exec(select(User).where(User.email == "ada@example.com")).one()
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_a_taken_email_is_409_whatever_its_case(client: TestClient) -> None:
    register(client)
    again = {"email": "ADA@example.com", "password": PASSWORD, **PROFILE}
    assert_error(client.post(REGISTER, json=again), 409)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"email": "not-an-email", "password": PASSWORD}, id="bad email"),
        pytest.param({"email": "ada@example.com"}, id="no password"),
        pytest.param(
            {"email": "ada@example.com", "password": ("4a" * 64)[:9]},
            id="password too short",
        ),
        pytest.param(
            {"email": "ada@example.com", "password": "4a" * 65},
            id="password too long",
        ),
        pytest.param({"email": "ada@example.com", "password": "a" * 10}, id="no digit"),
        pytest.param({"email": "ada@example.com", "password": "4" * 10}, id="no letter"),
        pytest.param({"email": "ada@example.com", "password": PASSWORD, "id": ALICE}, id="own id"),
        pytest.param(
            {"email": "ada@example.com", "password": PASSWORD, "is_admin": True}, id="extra field"
        ),
    ],
)
def test_register_refuses_bad_input(client: TestClient, body: dict[str, Any]) -> None:
    response = client.post(REGISTER, json=PROFILE | body)
    assert_error(response, 422)
    if "password" in body:
        assert body["password"] not in response.text


def test_login_issues_a_token_with_sub_exp_and_iat(client: TestClient) -> None:
    account = register(client)
    token = login(client)
    claims = claims_of(token)
    assert claims["sub"] == str(account["id"])
    assert claims["exp"] - claims["iat"] == 1800
    assert abs(claims["iat"] - time.time()) < 60
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    me = client.get(ME, headers=bearer(token))
    assert me.status_code == 200, me.text
    assert me.json() == account


def test_the_oauth2_password_form_signs_in_too(client: TestClient) -> None:
    register(client)
    form = {"username": "Ada@example.com", "password": PASSWORD}
    response = client.post(TOKEN, data=form)
    assert response.status_code == 200, response.text
    me = client.get(ME, headers=bearer(response.json()["access_token"]))
    assert me.json()["email"] == "ada@example.com"


def test_a_failed_sign_in_does_not_say_whether_the_email_exists(client: TestClient) -> None:
    register(client)
    attempts = [("ada@example.com", WRONG_PASSWORD), ("nobody@example.com", PASSWORD)]
    failures = [
        *(client.post(LOGIN, json={"email": e, "password": pw}) for e, pw in attempts),
        *(client.post(TOKEN, data={"username": e, "password": pw}) for e, pw in attempts),
    ]
    for response in failures:
        assert_error(response, 401)
        assert response.headers["WWW-Authenticate"] == "Bearer"
    assert len({response.text for response in failures}) == 1


def test_an_unknown_email_costs_a_full_password_check(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    register(client)
    with Session(engine) as session:
        stored = session.exec(select(User)).one().password_hash
    # Same algorithm, version and cost parameters as a real hash, so the same work per check.
    assert user_service.DUMMY_HASH.split("$")[:4] == stored.split("$")[:4]
    checked = []
    real_verify = user_service.password_hash.verify

    def counting_verify(password: str, hash: str) -> bool:
        checked.append(hash)
        return real_verify(password, hash)

    monkeypatch.setattr(user_service.password_hash, "verify", counting_verify)
    unknown = {"email": "nobody@example.com", "password": PASSWORD}
    assert_error(client.post(LOGIN, json=unknown), 401)
    assert checked == [user_service.DUMMY_HASH]


def test_me_refuses_a_valid_token_for_an_account_that_does_not_exist(client: TestClient) -> None:
    # Signed directly: auth() would create BOB's account.
    response = client.get(ME, headers=bearer(make_token(BOB)))
    assert_error(response, 401)
    assert response.headers["WWW-Authenticate"] == "Bearer"


# --- end to end: an account, its token, and note rows only it can see ---------------

NOTE_BODY = {"title": "Sample value", "body": "Sample value", "pinned": True, "color": "blue"}


def collection(account: dict[str, Any]) -> str:
    return "/api/{user_id}/notes".replace("{user_id}", str(account["id"]))


def test_register_sign_in_then_work_with_notes(client: TestClient) -> None:
    ada, grace = register(client), register(client, "grace@example.com")
    headers = bearer(login(client))
    response = client.post(collection(ada), json=NOTE_BODY, headers=headers)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["user_id"] == ada["id"]
    item = f"{collection(ada)}/{created['id']}"
    assert client.get(item, headers=headers).json() == created
    listed = client.get(collection(ada), headers=headers).json()["items"]
    assert [row["id"] for row in listed] == [created["id"]]
    # Grace signs in the same way and cannot reach Ada's row.
    grace_headers = bearer(login(client, "grace@example.com"))
    grace_item = f"{collection(grace)}/{created['id']}"
    assert_error(client.get(grace_item, headers=grace_headers), 404)
    assert client.get(collection(grace), headers=grace_headers).json()["items"] == []
    assert_error(client.delete(grace_item, headers=grace_headers), 404)
    assert client.delete(item, headers=headers).status_code == 204
