"""Test set-up: a throwaway database migrated with Alembic, a client, and signed tokens.

Runs on a temporary SQLite file by default. Set TEST_DATABASE_URL to run on PostgreSQL
(postgresql+psycopg://user@host/dbname): the tests create and drop their tables there, so use
a database that holds nothing else.
"""

import hashlib
import os
import secrets
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# Settings are read at import time: configure them before anything imports the app.
_tmp = tempfile.mkdtemp(prefix="api-tests-")
os.environ["ENVIRONMENT"] = "test"
os.environ["DATABASE_URL"] = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{_tmp}/test.db"
TEST_SECRET = secrets.token_hex(32)
os.environ["APP_JWT_SECRET"] = TEST_SECRET
ALGORITHM = "HS256"

import httpx2  # noqa: E402
import jwt  # noqa: E402
import pytest  # noqa: E402
from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy.exc import IntegrityError  # noqa: E402
from sqlmodel import Session, SQLModel  # noqa: E402

from app.database import engine  # noqa: E402
from app.main import app  # noqa: E402
from app.models.user import User  # noqa: E402
from app.schemas.user import UserCreate  # noqa: E402
from app.utils.auth import parse_user_id, verified_tokens  # noqa: E402
from app.utils.throttle import get_login_throttle  # noqa: E402

BACKEND_DIR = Path(__file__).resolve().parents[1]
ALICE = "user-alice-0001"
BOB = "user-bob-0002"
USER_ID_CLAIM = "sub"
# What the accounts of ensure_account are created with (the profile's required fields).
ACCOUNT_PASSWORD = "42 Correct horse battery staple"
ACCOUNT_PROFILE: dict[str, Any] = {}


def alembic_config() -> Config:
    config = Config(str(BACKEND_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(BACKEND_DIR / "migrations"))
    return config


@pytest.fixture(scope="session", autouse=True)
def database() -> Iterator[None]:
    """The schema comes from the migrations, so every run proves they match the models."""
    SQLModel.metadata.drop_all(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    command.upgrade(alembic_config(), "head")
    yield
    SQLModel.metadata.drop_all(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    engine.dispose()


@pytest.fixture(autouse=True)
def empty_tables() -> Iterator[None]:
    yield
    with engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture(autouse=True)
def forget_verified_tokens() -> None:
    """Each test has its tokens verified afresh (tokens minted in the same second are equal)."""
    verified_tokens.clear()


@pytest.fixture(autouse=True)
def fresh_login_throttle() -> Iterator[None]:
    """Each test starts with no failed sign-ins counted (the throttle is per process)."""
    get_login_throttle.cache_clear()
    yield
    get_login_throttle.cache_clear()


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


def make_token(
    user_id: object = ALICE,
    *,
    key: Any = None,  # a secret or a private key object, as PyJWT signs with
    algorithm: str = ALGORITHM,
    expires_in: int = 600,
    headers: dict[str, object] | None = None,
    **claims: object,
) -> str:
    """A token as the API issues it; claims=None drops a claim."""
    now = int(time.time())
    # RFC 7519: "sub" is a string, whatever the user id's type.
    subject = None if user_id is None else str(user_id)
    payload: dict[str, object] = {"sub": subject, "iat": now, "exp": now + expires_in}
    payload.update(claims)
    payload = {name: value for name, value in payload.items() if value is not None}
    return jwt.encode(payload, key or TEST_SECRET, algorithm=algorithm, headers=headers)


def auth(user_id: object = ALICE, **kwargs: Any) -> dict[str, str]:  # make_token's keywords
    """Headers with a token for the user, whose account exists (see ensure_account); a test
    of a token for an account that does not exist signs it with make_token instead."""
    ensure_account(user_id)
    return {"Authorization": f"Bearer {make_token(user_id, **kwargs)}"}


def ensure_account(user_id: object) -> None:
    """The account a token names exists: owned rows refer to users.id (a foreign key), so a
    row cannot be written for a user with no account. Its profile is what UserCreate accepts;
    its password hash "!" is no Argon2 hash, so no password signs in to it. An id the API
    refuses (not of the users.id type) makes no row: its token is refused before any write."""
    if user_id is None:
        return
    try:
        account_id = parse_user_id(user_id if isinstance(user_id, int) else str(user_id))
    except ValueError:
        return
    with Session(engine) as session:
        if session.get(User, account_id) is not None:
            return
        # One address per id, hashed: a string id need not be valid in an address.
        email = f"account-{hashlib.sha256(str(account_id).encode()).hexdigest()[:24]}@example.test"
        account = UserCreate.model_validate(
            {"email": email, "password": ACCOUNT_PASSWORD, **ACCOUNT_PROFILE}
        ).model_dump(exclude={"password"})
        session.add(User(id=account_id, **account, password_hash="!"))
        try:
            session.commit()
        except IntegrityError:
            # Another request of the same test (parallel callers) created it first.
            session.rollback()


def assert_error(
    response: httpx2.Response, status_code: int, code: str | None = None
) -> dict[str, Any]:
    """Every error uses the one envelope; the answer is the part holding its message."""
    assert response.status_code == status_code, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"error"}, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code, body
    error: dict[str, Any] = body["error"]
    return error
