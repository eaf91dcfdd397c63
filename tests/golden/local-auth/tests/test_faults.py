"""Faults: the database down at start and mid-run, statement timeouts, oversized and hostile
bodies, odd text, out-of-range numbers, and concurrent writers. Never a 500, never a stack trace.

Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL (some tests only mean something there).
"""

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from app import database
from app.config import get_settings
from app.dependencies import ReaderDep, SessionDep
from app.main import create_app
from tests.conftest import ALICE, BACKEND_DIR, assert_error, auth

POSTGRES = database.engine.dialect.name == "postgresql"
only_postgres = pytest.mark.skipif(not POSTGRES, reason="a PostgreSQL behaviour")
VALIDATION_STATUS = 422
URL = "/api/{user_id}/notes".replace("{user_id}", str(ALICE))
VALID: dict[str, Any] = {
    "title": "Sample value",
    "body": "Sample value",
    "pinned": True,
    "color": "blue",
}


def unreachable_url() -> str:
    """The same kind of database, somewhere nothing answers."""
    url = database.engine.url
    if POSTGRES:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]  # free, so closed
        return url.set(host="127.0.0.1", port=port).render_as_string(hide_password=False)
    return "sqlite:////nonexistent-directory/for/tests/app.db"


def in_parallel(count: int, call: Callable[[int], int]) -> list[int]:
    """Run call(0..count-1) in threads that start together; return their statuses."""
    barrier = threading.Barrier(count)
    statuses: list[int] = [0] * count

    def worker(i: int) -> None:
        barrier.wait()
        statuses[i] = call(i)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


# --- the database ----------------------------------------------------------------------------


def test_start_without_a_database_fails_with_a_clear_message() -> None:
    env = {**os.environ, "DATABASE_URL": unreachable_url(), "ENVIRONMENT": "development"}
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = str(s.getsockname()[1])
    result = subprocess.run(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", port],
        cwd=BACKEND_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "database unreachable at start-up; check DATABASE_URL" in result.stderr


def test_database_down_mid_run_answers_503_then_recovers(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert client.get(URL, headers=auth()).status_code == 200
    settings = get_settings().model_copy(update={"database_url": unreachable_url()})
    down = database.build_engine(settings)
    # Reads go through the reader, writes through the engine: both lose the database.
    monkeypatch.setattr(database, "engine", down)
    monkeypatch.setattr(database, "reader", database.build_reader(settings, down))
    for response in (
        client.get(URL, headers=auth()),
        client.post(URL, json=VALID, headers=auth()),
    ):
        assert_error(response, 503)
        assert response.headers["Retry-After"]
        assert "Traceback" not in response.text and "Error" not in response.json().__repr__()
    monkeypatch.undo()
    down.dispose()
    assert client.get(URL, headers=auth()).status_code == 200


@only_postgres
def test_connections_killed_by_the_server_are_replaced(client: TestClient) -> None:
    assert client.get(URL, headers=auth()).status_code == 200
    with database.engine.connect() as connection:
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    assert client.get(URL, headers=auth()).status_code == 200
    assert client.post(URL, json=VALID, headers=auth()).status_code == 201


@only_postgres
def test_a_statement_over_the_timeout_answers_503(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = get_settings().model_copy(update={"db_statement_timeout_ms": 100})
    slow = database.build_engine(settings)
    monkeypatch.setattr(database, "engine", slow)
    app = create_app()

    @app.get("/slow")
    def sleep(session: SessionDep) -> None:
        session.connection().execute(text("SELECT pg_sleep(2)"))

    with TestClient(app, raise_server_exceptions=False) as test_client:
        response = test_client.get("/slow")
    slow.dispose()
    assert_error(response, 503)
    assert "pg_sleep" not in response.text


@only_postgres
def test_a_read_over_the_timeout_answers_503(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = get_settings().model_copy(update={"db_statement_timeout_ms": 100})
    monkeypatch.setattr(database, "reader", database.build_reader(settings, database.engine))
    app = create_app()

    @app.get("/slow-read")
    async def sleep(reader: ReaderDep) -> None:
        await reader.all(select(func.pg_sleep(2)), {})

    with TestClient(app, raise_server_exceptions=False) as test_client:
        response = test_client.get("/slow-read")
    assert_error(response, 503)
    assert "pg_sleep" not in response.text


# --- hostile bodies ----------------------------------------------------------------------------


def test_an_oversized_body_is_refused_with_413(client: TestClient) -> None:
    big = b'{"x": "' + b"a" * 2_000_000 + b'"}'
    declared = client.post(URL, content=big, headers={**auth(), "Content-Type": "application/json"})
    assert_error(declared, 413)

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(40):
            yield b"a" * 65_536

    streamed = client.post(
        URL, content=chunks(), headers={**auth(), "Content-Type": "application/json"}
    )
    assert_error(streamed, 413)


@pytest.mark.parametrize(
    "body",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"a": ' * 50_000 + "1" + "}" * 50_000,
        '{"n": 1' + "0" * 5_000 + "}",
        '{"s": "' + "\\u00e9" * 100_000 + '"}',
        "[" + ",".join(["{}"] * 100_000) + "]",
    ],
    ids=["deep array", "deep object", "huge number", "long string", "many items"],
)
def test_huge_or_deeply_nested_json_is_refused_not_crashed_on(
    client: TestClient, body: str
) -> None:
    response = client.post(
        URL, content=body.encode(), headers={**auth(), "Content-Type": "application/json"}
    )
    assert response.status_code in (400, VALIDATION_STATUS, 413), response.text[:300]
    assert_error(response, response.status_code)


@pytest.mark.parametrize(
    "value",
    ["ünïcödé", "emoji 😀👍🏽", "𝔘𝔫𝔦 math", "עברית RTL", "e\u0301 combining", "zero\u200bwidth"],
)
def test_unicode_is_stored_and_returned_intact(client: TestClient, value: str) -> None:
    created = client.post(URL, json={**VALID, "title": value}, headers=auth())
    assert created.status_code == 201, created.text
    assert created.json()["title"] == value
    read = client.get(f"{URL}/{created.json()['id']}", headers=auth())
    assert read.json()["title"] == value


def test_a_nul_byte_is_stored_intact_or_refused_never_a_500(client: TestClient) -> None:
    value = "before\x00after"
    response = client.post(URL, json={**VALID, "title": value}, headers=auth())
    if POSTGRES:  # PostgreSQL text cannot hold NUL: refused as invalid input
        assert_error(response, VALIDATION_STATUS)
    else:
        assert response.status_code == 201, response.text
        assert response.json()["title"] == value


def test_out_of_range_integers_in_query_and_path_are_refused(client: TestClient) -> None:
    """Every integer parameter of every operation: a huge or negative value is a validation
    error (the bounds are in the OpenAPI), never a database overflow."""
    api = client.app
    assert isinstance(api, FastAPI)
    tried = 0
    for template, operations in api.openapi()["paths"].items():
        for method, operation in operations.items():
            for param in operation.get("parameters", []):
                schema = param.get("schema", {})
                kinds = {schema.get("type")} | {s.get("type") for s in schema.get("anyOf", [])}
                if "integer" not in kinds or param["in"] not in ("query", "path"):
                    continue
                for value in (10**30, -(10**30)):
                    path = template.replace("{user_id}", str(ALICE))
                    query = {}
                    if param["in"] == "path":
                        path = path.replace("{" + param["name"] + "}", str(value))
                    else:
                        query[param["name"]] = value
                    path = "/".join("1" if s.startswith("{") else s for s in path.split("/"))
                    response = client.request(method.upper(), path, params=query, headers=auth())
                    assert response.status_code == VALIDATION_STATUS, (method, path, query)
                    tried += 1
    assert tried or not any(
        "integer" in str(op) for ops in api.openapi()["paths"].values() for op in ops
    )


# --- development tokens ------------------------------------------------------------------------


def devtoken(environment: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.devtoken", str(ALICE)],
        cwd=BACKEND_DIR,
        env={**os.environ, "ENVIRONMENT": environment},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("environment", ["test", "production"])
def test_devtoken_refuses_outside_development(environment: str) -> None:
    result = devtoken(environment)
    assert result.returncode != 0
    assert result.stdout == ""
    assert "development" in result.stderr


def test_devtoken_in_development_is_accepted_by_the_api(client: TestClient) -> None:
    result = devtoken("development")
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    assert client.get(URL, headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_concurrent_pin_toggles_end_where_serial_ones_would(client: TestClient) -> None:
    """32 toggles at once: each flips the stored value (no lost update), so the answers hold
    each value 16 times and the row ends where it started."""
    row_id = client.post(URL, json=VALID, headers=auth()).json()["id"]
    start = client.get(f"{URL}/{row_id}", headers=auth()).json()["pinned"]
    answers: list[bool] = []

    def toggle(_: int) -> int:
        response = client.post(f"{URL}/{row_id}/pin", headers=auth())
        answers.append(response.json()["pinned"])
        return response.status_code

    assert in_parallel(32, toggle) == [200] * 32
    assert sorted(answers) == [False] * 16 + [True] * 16
    assert client.get(f"{URL}/{row_id}", headers=auth()).json()["pinned"] == start


def test_racing_deletes_of_one_row_answer_one_204_and_404s(client: TestClient) -> None:
    row_id = client.post(URL, json=VALID, headers=auth()).json()["id"]

    def remove(_: int) -> int:
        return client.delete(f"{URL}/{row_id}", headers=auth()).status_code

    assert sorted(in_parallel(16, remove)) == [204] + [404] * 15


def test_updates_racing_a_delete_answer_200_or_404_never_500(client: TestClient) -> None:
    row_id = client.post(URL, json=VALID, headers=auth()).json()["id"]

    def update_or_delete(i: int) -> int:
        if i == 8:
            return client.delete(f"{URL}/{row_id}", headers=auth()).status_code
        body = {"title": f"writer {i}"}
        return client.patch(f"{URL}/{row_id}", json=body, headers=auth()).status_code

    statuses = in_parallel(16, update_or_delete)
    assert statuses[8] == 204
    assert set(statuses[:8] + statuses[9:]) <= {200, 404}, statuses


def test_concurrent_updates_of_one_row_last_write_wins(client: TestClient) -> None:
    """No optimistic locking: every PATCH succeeds and the row holds one of the values sent."""
    row = client.post(URL, json=VALID, headers=auth()).json()
    sent = [f"writer {i}" for i in range(8)]

    def update(i: int) -> int:
        return client.patch(
            f"{URL}/{row['id']}", json={"title": sent[i]}, headers=auth()
        ).status_code

    assert in_parallel(8, update) == [200] * 8
    final = client.get(f"{URL}/{row['id']}", headers=auth()).json()["title"]
    assert final in sent
