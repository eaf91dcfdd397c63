"""Test set-up: a throwaway database migrated with Alembic, a client, and signed tokens.

Runs on a temporary SQLite file by default. Set TEST_DATABASE_URL to run on PostgreSQL
(postgresql+psycopg://user@host/dbname): the tests create and drop their tables there, so use
a database that holds nothing else.
"""

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
os.environ["BETTER_AUTH_SECRET"] = TEST_SECRET
ALGORITHM = "HS256"

import httpx2  # noqa: E402
import jwt  # noqa: E402
import pytest  # noqa: E402
from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlmodel import SQLModel  # noqa: E402

from app.database import engine  # noqa: E402
from app.main import app  # noqa: E402
from app.utils.auth import verified_tokens  # noqa: E402

BACKEND_DIR = Path(__file__).resolve().parents[1]
ALICE = "user-alice-0001"
BOB = "user-bob-0002"
USER_ID_CLAIM = "sub"


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
    """A token as the identity provider issues it; claims=None drops a claim."""
    now = int(time.time())
    # RFC 7519: "sub" is a string, whatever the user id's type.
    subject = None if user_id is None else str(user_id)
    payload: dict[str, object] = {"sub": subject, "iat": now, "exp": now + expires_in}
    payload.update(claims)
    payload = {name: value for name, value in payload.items() if value is not None}
    return jwt.encode(payload, key or TEST_SECRET, algorithm=algorithm, headers=headers)


def auth(user_id: object = ALICE, **kwargs: Any) -> dict[str, str]:  # make_token's keywords
    return {"Authorization": f"Bearer {make_token(user_id, **kwargs)}"}


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
