"""Cross-cutting behaviour: migrations, error envelope, request ids, limits and settings."""

import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlmodel import SQLModel

from app.config import DEVELOPMENT_SECRET, Settings, get_settings
from app.database import engine
from app.utils.logging import TextFormatter
from tests.conftest import BACKEND_DIR, assert_error

DOC_PATHS = ("/docs", "/redoc", "/openapi.json")


def test_migrations_match_the_models() -> None:
    """The tables the migrations created (on this run's database: SQLite, or PostgreSQL with
    TEST_DATABASE_URL) have the models' tables, columns, column types and indexes."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert not differences, "the migrations differ from the models:\n" + "\n".join(
        map(describe_difference, differences)
    )


def describe_difference(difference: tuple[Any, ...] | list[Any]) -> str:
    """One line per difference; type changes say which table, column and both types."""
    if isinstance(difference, list):  # alembic groups the changes of one column
        return "; ".join(map(describe_difference, difference))
    if difference[0] == "modify_type":
        _, _, table, column, _, migrated, modelled = difference
        return f"{table}.{column}: the migrations create {migrated}, the model declares {modelled}"
    return repr(difference)


def test_health(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_request_id_is_returned_and_reused_when_safe(client: TestClient) -> None:
    generated = client.get("/health").headers["X-Request-ID"]
    assert len(generated) == 32
    echoed = client.get("/health", headers={"X-Request-ID": "trace-123"})
    assert echoed.headers["X-Request-ID"] == "trace-123"
    unsafe = client.get("/health", headers={"X-Request-ID": "bad id\twith tabs"})
    assert unsafe.headers["X-Request-ID"] != "bad id\twith tabs"


def test_unknown_route_uses_the_error_envelope(client: TestClient) -> None:
    assert_error(client.get("/no/such/route"), 404, "NOT_FOUND")


def test_oversized_body_is_refused_with_413(client: TestClient) -> None:
    response = client.post(
        "/health", content=b"x" * 2_000_000, headers={"Content-Type": "application/json"}
    )
    assert_error(response, 413)


def test_unexpected_errors_reveal_no_internals() -> None:
    from app.main import create_app

    broken = create_app()

    @broken.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internal detail")

    with TestClient(broken, raise_server_exceptions=False) as test_client:
        response = test_client.get("/boom", headers={"X-Request-ID": "boom-1"})
    error = assert_error(response, 500, "INTERNAL_ERROR")
    assert "secret" not in response.text
    assert error is not None
    # A 500 is the answer a client most needs to quote: it carries the id like any other.
    assert response.headers["X-Request-ID"] == "boom-1"
    assert response.headers["Cache-Control"] == "no-store"


class Remember(logging.Handler):
    """The lines the app's text log would write."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(TextFormatter("%(levelname)s [%(request_id)s] %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def test_the_error_log_line_names_the_request() -> None:
    from app.main import create_app

    broken = create_app()

    @broken.get("/boom")
    def boom() -> None:
        raise RuntimeError("internal detail")

    remember = Remember()
    logging.getLogger("app").addHandler(remember)  # the app's loggers do not propagate
    try:
        with TestClient(broken, raise_server_exceptions=False) as test_client:
            test_client.get("/boom", headers={"X-Request-ID": "trace-500"})
    finally:
        logging.getLogger("app").removeHandler(remember)
    errors = [line for line in remember.lines if line.startswith("ERROR")]
    assert errors and all("[trace-500]" in line for line in errors), remember.lines


def test_text_logs_escape_control_characters() -> None:
    """A CR, LF or ANSI escape in a logged value (a path, say) cannot forge or colour lines."""
    record = logging.LogRecord(
        "app.access", logging.INFO, __file__, 1, "GET %s", ("/x\r\nFAKE 200\x1b[31m",), None
    )
    line = TextFormatter("%(message)s").format(record)
    assert "\n" not in line and "\r" not in line and "\x1b" not in line
    assert line == "GET /x\\x0d\\x0aFAKE 200\\x1b[31m"


def test_answers_are_not_cached_or_sniffed(client: TestClient) -> None:
    for response in (client.get("/health"), client.get("/no/such/route")):
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "Strict-Transport-Security" not in response.headers


def test_hsts_is_sent_when_a_setting_says_tls_terminates_in_front(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from app.main import create_app

    monkeypatch.setenv("HSTS_SECONDS", "31536000")
    get_settings.cache_clear()
    try:
        with TestClient(create_app()) as test_client:
            response = test_client.get("/health")
    finally:
        get_settings.cache_clear()
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


@pytest.mark.parametrize(
    ("environment", "setting", "served"),
    [("production", None, False), ("test", None, True), ("production", "true", True)],
)
def test_docs_are_served_as_the_settings_say(
    environment: str, setting: str | None, served: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.main import create_app

    monkeypatch.setenv("ENVIRONMENT", environment)
    if setting is not None:
        monkeypatch.setenv("DOCS_ENABLED", setting)
    get_settings.cache_clear()
    try:
        with TestClient(create_app()) as test_client:
            statuses = {test_client.get(path).status_code for path in DOC_PATHS}
    finally:
        get_settings.cache_clear()
    assert statuses == ({200} if served else {404})


def test_readiness_checks_the_database(client: TestClient) -> None:
    assert client.get("/ready").json() == {"status": "ready"}


def test_oversized_headers_are_refused_with_431(client: TestClient) -> None:
    response = client.get("/health", headers={"X-Padding": "p" * 20_000})
    assert_error(response, 431)


@pytest.mark.parametrize(
    "secret",
    [
        None,
        "",
        "k3Qw9z",
        "a" * 32,
        "abcd" * 12,
        DEVELOPMENT_SECRET,
        "change-me-to-a-long-random-value-before-deploying",
        "your-jwt-secret-key-goes-here-0123456789",
    ],
    ids=["unset", "empty", "short", "one char", "repeating", "development", "change me", "your"],
)
@pytest.mark.parametrize("environment", ["production", "test"])
def test_outside_development_a_missing_or_weak_secret_is_refused(
    secret: str | None, environment: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("APP_JWT_SECRET", raising=False)
    values: dict[str, Any] = {"environment": environment, "_env_file": None}
    if secret is not None:
        values["app_jwt_secret"] = secret
    with pytest.raises(ValidationError, match="APP_JWT_SECRET") as refused:
        Settings(**values)
    if secret:
        # The refusal names the setting, never its value: it ends up in logs.
        assert secret not in str(refused.value)


def test_a_generated_secret_is_accepted_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("APP_JWT_SECRET", raising=False)
    secret = secrets.token_hex(32)
    settings = Settings(_env_file=None, environment="production", app_jwt_secret=secret)
    assert settings.app_jwt_secret.get_secret_value() == secret


def test_the_development_secret_needs_development_said_explicitly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("APP_JWT_SECRET", raising=False)
    monkeypatch.delenv("ENVIRONMENT", raising=False)
    with pytest.raises(ValidationError, match="APP_JWT_SECRET"):
        Settings(_env_file=None)  # no settings at all: production
    settings = Settings(_env_file=None, environment="development")
    assert settings.app_jwt_secret.get_secret_value() == DEVELOPMENT_SECRET


def test_started_with_no_settings_at_all_the_app_refuses_to_start(tmp_path: Path) -> None:
    """Fail closed: no ENVIRONMENT, no secret, no .env (an empty working directory)."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name in ("PATH", "HOME", "SYSTEMROOT", "VIRTUAL_ENV")
    }
    env["PYTHONPATH"] = str(BACKEND_DIR)
    result = subprocess.run(
        [sys.executable, "-c", "import app.main"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "APP_JWT_SECRET" in result.stderr


def test_postgres_urls_use_psycopg3() -> None:
    settings = Settings(database_url="postgres://u@h/db", environment="development")
    assert settings.database_url == "postgresql+psycopg://u@h/db"
