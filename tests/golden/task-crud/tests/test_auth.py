"""Authentication: a valid token is accepted; every forged, stale or malformed one is refused
with 401, `WWW-Authenticate: Bearer` and the error envelope.
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

from app.config import Settings, get_settings
from app.main import app
from app.utils import auth as auth_module
from tests.conftest import ALICE, BOB, USER_ID_CLAIM, assert_error, auth, make_token

# A protected endpoint that answers 200 to a valid token.
PROBE_METHOD = "GET"
PROBE = "/api/tasks".replace("{user_id}", str(ALICE))
PROBE_OK = 200
PUBLIC_ROUTES = {
    "/health",
    "/ready",
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
