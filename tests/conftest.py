"""Shared fixtures: paths, a PostgreSQL database per test that needs one, and helpers that emit
a backend and run its generated tests in a subprocess."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPTS = REPO / "scripts"
EXAMPLES = REPO / "assets" / "examples"
PLAN_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "plans"
CORPUS = REPO.parent / "shared" / "corpus"

if str(SCRIPTS) not in sys.path:
    sys.path.insert(0, str(SCRIPTS))

# Test files copied into generated backends (tests/fixtures/walk/...) and the golden copies of
# generated backends (tests/golden/) are not this suite's.
collect_ignore = ["fixtures", "golden"]

POSTGRES_URL = os.environ.get("SPB_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_POSTGRES = os.environ.get("SPB_REQUIRE_POSTGRES") == "1"


def _admin_connect():  # noqa: ANN202 - psycopg connection
    import psycopg

    return psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=3)


def postgres_available() -> str | None:
    """None when reachable, else why not."""
    try:
        with _admin_connect() as conn:
            conn.execute("SELECT 1")
        return None
    except Exception as exc:  # any failure to connect means "not here"
        return f"{type(exc).__name__}: {exc}".splitlines()[0]


@pytest.fixture
def postgres_database(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh, empty PostgreSQL database (SQLAlchemy URL), dropped afterwards."""
    problem = postgres_available()
    if problem:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL required (SPB_REQUIRE_POSTGRES=1) but unreachable: {problem}")
        pytest.skip(f"PostgreSQL leg skipped: {POSTGRES_URL} unreachable ({problem})")
    # Carried in the test's report (to the main process too, under pytest-xdist).
    request.node.user_properties.append(("postgres_leg", "ran"))
    name = f"spb_{uuid.uuid4().hex[:12]}"
    with _admin_connect() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}".replace("postgresql://", "postgresql+psycopg://", 1)
    finally:
        with _admin_connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_project(tmp_path: Path, *plans: Path) -> Path:
    """A throwaway project holding the given plan files in specs/backend/."""
    root = tmp_path / "project"
    (root / "specs" / "backend").mkdir(parents=True)
    for plan in plans:
        shutil.copy(plan, root / "specs" / "backend" / plan.name)
    return root


def sp_backend(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the CLI the way a user does (as a separate process)."""
    return subprocess.run(
        [sys.executable, str(SCRIPTS / "sp_backend" / "cli.py"), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(SCRIPTS)},
        timeout=120,
    )


def run_generated_tests(
    backend: Path, database_url: str | None = None, extra: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEST_DATABASE_URL")}
    if database_url:
        env["TEST_DATABASE_URL"] = database_url
    # More pytest arguments from the environment: .ci/floors relaxes old libraries' warnings.
    more = shlex.split(os.environ.get("SPB_GENERATED_PYTEST_ARGS", ""))
    args = ["-q", "-p", "no:cacheprovider", "-W", "error", *more, *extra]
    return subprocess.run(
        [sys.executable, "-m", "pytest", *args],
        cwd=backend,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say plainly whether the PostgreSQL leg ran: a run of dots never does."""
    reports = [r for kind in ("passed", "failed") for r in terminalreporter.stats.get(kind, [])]
    ran = {
        r.nodeid
        for r in reports
        if getattr(r, "when", "") == "call" and ("postgres_leg", "ran") in r.user_properties
    }
    skipped = [
        str(r.longrepr)
        for r in terminalreporter.stats.get("skipped", [])
        if "PostgreSQL leg skipped" in str(r.longrepr)
    ]
    if ran:
        line = f"PostgreSQL leg: ran ({len(ran)} tests, each on its own database)"
    elif skipped:
        reason = skipped[0].split("PostgreSQL leg skipped: ", 1)[1].rstrip("')")
        line = f"PostgreSQL leg: SKIPPED, {reason}"
    else:
        return  # no selected test needed PostgreSQL
    terminalreporter.write_line(line)
