"""Settings merged across plans (auth, errors) are decided once for every file of a backend.

The library fixture is the case of issue 23: the authentication plan (local mode) leaves
auth.user_id_type to its default, the books plan states uuid. With both plans in the project the
stated value is used by the models and the migrations alike, in either emit order, and the
generated suite passes on PostgreSQL. A value the already emitted features were built with is not
changed by a plan added later, and two plans that state different values are refused, by
`validate` as by `emit`, with both plans' file and line. The generated migration test compares
column types, so a column type changed by hand in a migration fails it on PostgreSQL."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from conftest import PLAN_FIXTURES, make_project, run_generated_tests, sp_backend
from sp_backend.emit.context import build_project
from sp_backend.plan.model import BackendPlan

LIBRARY = PLAN_FIXTURES / "library"
AUTH_PLAN = LIBRARY / "authentication.plan.yaml"
BOOKS_PLAN = LIBRARY / "books.plan.yaml"
ORDERS = {
    "authentication-then-books": ("authentication", "books"),
    "books-then-authentication": ("books", "authentication"),
}


def _line(plan: Path, key: str) -> int:
    """1-based line where the plan file writes `key:`."""
    for number, text in enumerate(plan.read_text().splitlines(), 1):
        if text.strip().startswith(f"{key}:"):
            return number
    raise AssertionError(f"{plan} does not write {key}")


def _emit(root: Path, feature: str) -> subprocess.CompletedProcess[str]:
    return sp_backend("emit", feature, "--root", str(root), "--with-tests")


def _files(folder: Path) -> dict[str, bytes]:
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _library(folder: Path, order: tuple[str, str]) -> Path:
    """The library backend, both plans in the project from the start, emitted in this order."""
    root = make_project(folder, AUTH_PLAN, BOOKS_PLAN)
    for feature in order:
        result = _emit(root, feature)
        assert result.returncode == 0, result.stderr
    return root / "backend"


@pytest.fixture(scope="module", params=list(ORDERS))
def library(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _library(tmp_path_factory.mktemp(request.param), ORDERS[request.param])


def _pg_column_types(backend: Path, database_url: str) -> dict[str, str]:
    """Apply the backend's migrations to the database; {table.column: PostgreSQL type} of the
    users and books tables as the migrations created them."""
    env = {
        **{k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"},
        "ENVIRONMENT": "test",
        "DATABASE_URL": database_url,
        "LIBRARY_JWT_SECRET": secrets.token_hex(32),
    }
    upgrade = subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=backend,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert upgrade.returncode == 0, upgrade.stderr[-3000:]
    plain_url = database_url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(plain_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_name IN ('users', 'books')"
        ).fetchall()
        conn.execute("DROP TABLE IF EXISTS books, users, alembic_version")
    return {f"{table}.{column}": kind for table, column, kind in rows}


def test_the_stated_user_id_type_is_used_by_models_and_migrations_alike(
    library: Path, postgres_database: str
) -> None:
    types = _pg_column_types(library, postgres_database)
    assert types["users.id"] == "uuid"
    assert types["books.user_id"] == "uuid"
    user_model = (library / "app" / "models" / "user.py").read_text()
    book_model = (library / "app" / "models" / "book.py").read_text()
    assert re.search(r"^    id: UUID = ", user_model, re.M), user_model
    assert re.search(r"^    user_id: UUID\b", book_model, re.M), book_model


def test_the_generated_suite_passes_on_postgres(library: Path, postgres_database: str) -> None:
    result = run_generated_tests(library, postgres_database, extra=("-rA",))
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "PASSED tests/test_platform.py::test_migrations_match_the_models" in result.stdout
    assert "PASSED tests/test_auth.py::" in result.stdout


def test_a_plan_added_later_cannot_change_what_emitted_features_were_built_with(
    tmp_path: Path,
) -> None:
    """authentication emitted alone (users.id str, the default); then the books plan arrives
    stating uuid: emitting or validating books is refused, naming both plans, writing nothing."""
    root = make_project(tmp_path, AUTH_PLAN)
    assert _emit(root, "authentication").returncode == 0
    backend = root / "backend"
    before = _files(backend)
    shutil.copy(BOOKS_PLAN, root / "specs" / "backend" / BOOKS_PLAN.name)

    stated = f"specs/backend/books.plan.yaml:{_line(BOOKS_PLAN, 'user_id_type')}"
    for command in ("emit", "validate"):
        result = sp_backend(command, "books", "--root", str(root))
        assert result.returncode == 3, (command, result.stdout, result.stderr)
        message = " ".join(result.stderr.split())
        assert "auth.user_id_type was 'str'" in message, message
        assert "specs/backend/authentication.plan.yaml stated none" in message, message
        assert f"the plans now decide 'uuid' ({stated})" in message, message
        assert "migrations/versions/0001_authentication.py" in message, message
    assert _files(backend) == before

    # The way out the message gives: the books plan states what was emitted.
    books = root / "specs" / "backend" / BOOKS_PLAN.name
    books.write_text(books.read_text().replace("user_id_type: uuid", "user_id_type: str"))
    assert sp_backend("validate", "books", "--root", str(root)).returncode == 0
    assert _emit(root, "books").returncode == 0
    book_model = (backend / "app" / "models" / "book.py").read_text()
    assert re.search(r"^    user_id: str\b", book_model, re.M), book_model


def test_two_plans_stating_different_user_id_types_are_refused_by_validate_and_emit(
    tmp_path: Path,
) -> None:
    root = make_project(tmp_path, BOOKS_PLAN)
    auth = root / "specs" / "backend" / AUTH_PLAN.name
    auth.write_text(
        AUTH_PLAN.read_text().replace("  mode: local\n", "  mode: local\n  user_id_type: str\n")
    )
    auth_line = f"specs/backend/authentication.plan.yaml:{_line(auth, 'user_id_type')}"
    books_line = f"specs/backend/books.plan.yaml:{_line(BOOKS_PLAN, 'user_id_type')}"
    for command, feature in (
        ("validate", "books"),
        ("validate", "authentication"),
        ("emit", "books"),
        ("emit", "authentication"),
    ):
        result = sp_backend(command, feature, "--root", str(root))
        assert result.returncode == 3, (command, feature, result.stdout, result.stderr)
        message = " ".join(result.stderr.split())
        assert "'authentication' and 'books' disagree on auth.user_id_type" in message, message
        assert f"{auth_line} states 'str'" in message, message
        assert f"{books_line} states 'uuid'" in message, message
    assert not (root / "backend").exists()


# Each column type of the generated migrations, changed into one the model does not declare.
OTHER_TYPE = [
    (r"sa\.Integer\(\)", "sa.BigInteger()"),
    (r"sa\.Uuid\(\)", "sqlmodel.sql.sqltypes.AutoString(length=36)"),
    (
        r"sqlmodel\.sql\.sqltypes\.AutoString\(length=(\d+)\)",
        "sqlmodel.sql.sqltypes.AutoString(length=1{0})",
    ),
    (r"sa\.Text\(\)", "sqlmodel.sql.sqltypes.AutoString(length=4000)"),
    (r"sa\.Numeric\((\d+), (\d+)\)", "sa.Numeric({0}, 6)"),
    (r"sa\.Float\(\)", "sa.Numeric(10, 2)"),
    (r"sa\.Enum\(.*\)", "sa.Text()"),
    (r"sa\.Date\(\)", "sa.DateTime()"),
    (r"sa\.JSON\(\)", "sa.Text()"),
    (r"sa\.Boolean\(\)", "sa.SmallInteger()"),
    (r"app\.db_types\.UTCDateTime\(\)", "sa.DateTime()"),
]
COLUMN = re.compile(
    r'sa\.Column\(\s*"(?P<name>\w+)",\s*(?P<type>sa\.Enum\(.*?\)|[\w.]+\([^()]*\))', re.S
)
TABLE = re.compile(r'op\.create_table\(\s*"(\w+)"')


def _mutations(text: str) -> list[tuple[str, str, str]]:
    """(table.column, the kind of type, migration text with that column's type changed), for
    every column of the migration."""
    found = []
    for column in COLUMN.finditer(text):
        table = TABLE.findall(text[: column.start()])[-1]
        kind = column["type"]
        for pattern, other in OTHER_TYPE:
            match = re.fullmatch(pattern, kind, re.S)
            if match:
                changed = other.format(*match.groups())
                break
        else:
            raise AssertionError(f"no other type listed for {kind!r} ({table}.{column['name']})")
        mutated = text[: column.start("type")] + changed + text[column.end("type") :]
        found.append((f"{table}.{column['name']}", pattern, mutated))
    return found


def test_a_column_type_changed_in_a_migration_fails_the_migration_test_on_postgres(
    tmp_path: Path, postgres_database: str
) -> None:
    """Every kind of column type the library's migrations create (each a separate run of the
    generated test, so one per kind, and both user id columns), changed by hand.

    books.user_id is a foreign key to users.id (auth.mode local), and PostgreSQL refuses a key
    whose two ends differ in type: one end changed alone fails the upgrade itself (asserted
    below); changed together, as a hand edit of the key must, the migration test names both."""
    backend = _library(tmp_path, ORDERS["authentication-then-books"])
    only = ("tests/test_platform.py::test_migrations_match_the_models",)
    unchanged = run_generated_tests(backend, postgres_database, extra=only)
    assert unchanged.returncode == 0, unchanged.stdout[-3000:]
    key_ends = ("users.id", "books.user_id")
    mutations = {
        column: (migration, kind, mutated)
        for migration in sorted((backend / "migrations" / "versions").glob("*.py"))
        for column, kind, mutated in _mutations(migration.read_text())
    }
    originals = {path: path.read_text() for path, _, _ in mutations.values()}

    def run_with(columns: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
        for column in columns:
            path, _, mutated = mutations[column]
            path.write_text(mutated)
        try:
            return run_generated_tests(backend, postgres_database, extra=only)
        finally:
            for path, text in originals.items():
                path.write_text(text)

    kinds_seen: set[str] = set()
    checked = []
    for column, (_, kind, _) in mutations.items():
        if kind in kinds_seen or column in key_ends:
            continue
        kinds_seen.add(kind)
        result = run_with((column,))
        assert result.returncode == 1, (column, result.stdout[-3000:])
        assert "FAILED tests/test_platform.py::test_migrations_match_the_models" in (
            result.stdout
        ), column
        assert f"{column}: the migrations create" in result.stdout, (column, result.stdout)
        checked.append(column)
    for column in key_ends:
        alone = run_with((column,))
        assert alone.returncode == 1, (column, alone.stdout[-3000:])
        assert 'foreign key constraint "fk_books_user_id_users" cannot be implemented' in (
            alone.stdout
        ), (column, alone.stdout[-3000:])
    both = run_with(key_ends)
    assert both.returncode == 1, both.stdout[-3000:]
    assert "FAILED tests/test_platform.py::test_migrations_match_the_models" in both.stdout
    for column in key_ends:
        assert f"{column}: the migrations create" in both.stdout, (column, both.stdout)
        kinds_seen.add(mutations[column][1])
        checked.append(column)
    assert kinds_seen == {pattern for pattern, _ in OTHER_TYPE}
    assert set(key_ends) <= set(checked)


# --- the merge itself: what a plan states counts, a default never does --------------------------


def _plan(feature: str, **data: object) -> BackendPlan:
    resources = {
        f"{feature}_item": {
            "table": f"{feature}_items",
            "path": f"/api/{feature}",
            "owner": "user_id",
            "fields": {"x": {"type": "int"}},
        }
    }
    return BackendPlan.model_validate({"feature": feature, "resources": resources, **data})


def test_nested_settings_merge_key_by_key() -> None:
    one = _plan("shelves", auth={"password": {"min_length": 12}})
    two = _plan("loans", auth={"password": {"max_length": 64}})
    password = build_project([one, two], "shelves").auth.password
    assert (password.min_length, password.max_length) == (12, 64)


def test_the_jwks_default_algorithm_does_not_outvote_a_stated_one() -> None:
    one = _plan("shelves", auth={"mode": "jwks"})
    two = _plan("loans", auth={"mode": "jwks", "algorithms": ["ES256"]})
    assert build_project([one, two], "shelves").auth.algorithms == ["ES256"]


def test_every_resource_follows_the_merged_error_conventions() -> None:
    one = _plan("shelves", errors={"validation_status": 400, "not_owner_status": 403})
    view = build_project([one, _plan("loans")], "loans")
    assert [
        (r.name, r.errors.validation_status, r.errors.not_owner_status) for r in view.current
    ] == [("loans_item", 400, 403)]
