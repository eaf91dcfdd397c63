"""auth.mode local: the owner column of every owned table is a foreign key to users.id.

Two backends: the clockmakers' guild (two plans, int ids, a required profile field, the members'
commissions kept with `owner_on_delete: restrict`) and the soil lab (one plan holding both the
accounts and the specimens, uuid ids, the default cascade). On each, the key is in the model and
in the migrated schema on SQLite and on PostgreSQL, with its ON DELETE, and the generated suite
(which makes an account for every token it signs, and deletes one in the database) passes on
both. `validate` refuses set_null at the plan's line; a feature emitted before the users table
exists gets the key in the revision its next emit adds."""

from __future__ import annotations

import os
import re
import secrets
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from live_backend import migrate

from conftest import PLAN_FIXTURES, make_project, run_generated_tests, sp_backend

GUILD = PLAN_FIXTURES / "guild"
LAB = PLAN_FIXTURES / "lab"
# name -> (plans in emit order, secret variable, owned table, owner column, ON DELETE)
BACKENDS = {
    "guild": (
        (GUILD / "authentication.plan.yaml", GUILD / "commissions.plan.yaml"),
        "GUILD_TOKEN_KEY",
        "commissions",
        "member_id",
        "RESTRICT",
    ),
    "lab": (
        (LAB / "specimens.plan.yaml",),
        "LAB_SIGNING_SECRET",
        "specimens",
        "technician_id",
        "CASCADE",
    ),
}


def _emit(root: Path, feature: str) -> None:
    result = sp_backend("emit", feature, "--root", str(root), "--with-tests")
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module", params=list(BACKENDS))
def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, Path]:
    plans = BACKENDS[request.param][0]
    root = make_project(tmp_path_factory.mktemp(request.param), *plans)
    for plan in plans:
        _emit(root, plan.name.removesuffix(".plan.yaml"))
    return request.param, root / "backend"


def _migrated_keys(backend: Path, name: str, database_url: str) -> list[dict[str, object]]:
    """Upgrade the database to head with the backend's migrations; the owned table's foreign
    keys as the database reports them."""
    env = {
        **{k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"},
        "ENVIRONMENT": "test",
        "DATABASE_URL": database_url,
        BACKENDS[name][1]: secrets.token_hex(32),
    }
    migrate(backend, env)
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            keys: list[dict[str, object]] = list(
                sa.inspect(connection).get_foreign_keys(BACKENDS[name][2])
            )
    finally:
        engine.dispose()
    return keys


def _assert_owner_key(keys: list[dict[str, object]], name: str) -> None:
    _, _, table, owner, rule = BACKENDS[name]
    found = [k for k in keys if k["constrained_columns"] == [owner]]
    assert len(found) == 1, keys
    key = found[0]
    assert key["name"] == f"fk_{table}_{owner}_users", key
    assert (key["referred_table"], key["referred_columns"]) == ("users", ["id"]), key
    options = key["options"]
    assert isinstance(options, dict), key
    assert str(options.get("ondelete", "")).upper() == rule, key


def test_the_model_declares_the_owner_key(backend: tuple[str, Path]) -> None:
    name, folder = backend
    _, _, table, owner, rule = BACKENDS[name]
    model = next((folder / "app" / "models").glob(f"{table[:-1]}.py")).read_text()
    declared = re.search(rf"^    {owner}: \w+ = Field\((.*?)\)$", model, re.M)
    assert declared, model
    assert f'foreign_key="users.id", ondelete="{rule}"' in declared[1], declared[0]


def test_the_key_is_in_the_migrated_sqlite_schema(
    backend: tuple[str, Path], tmp_path: Path
) -> None:
    name, folder = backend
    _assert_owner_key(_migrated_keys(folder, name, f"sqlite:///{tmp_path / 'schema.db'}"), name)


def test_the_key_is_in_the_migrated_postgres_schema(
    backend: tuple[str, Path], postgres_database: str
) -> None:
    name, folder = backend
    _assert_owner_key(_migrated_keys(folder, name, postgres_database), name)


def test_the_generated_suite_passes_on_sqlite(backend: tuple[str, Path]) -> None:
    name, folder = backend
    result = run_generated_tests(folder, extra=("-rA",))
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    table = BACKENDS[name][2]
    verb = "is_refused_while_it_owns" if BACKENDS[name][4] == "RESTRICT" else "deletes_its"
    assert f"PASSED tests/test_{table}.py::test_deleting_an_account_{verb}_{table}" in result.stdout
    assert "PASSED tests/test_faults.py::test_devtoken_in_development_is_accepted_by_the_api" in (
        result.stdout
    )


def test_the_generated_suite_passes_on_postgres(
    backend: tuple[str, Path], postgres_database: str
) -> None:
    name, folder = backend
    result = run_generated_tests(folder, postgres_database, extra=("-rA",))
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    table = BACKENDS[name][2]
    assert f"PASSED tests/test_{table}.py::test_deleting_an_account_" in result.stdout
    assert "PASSED tests/test_platform.py::test_migrations_match_the_models" in result.stdout


def test_validate_refuses_set_null_at_its_line(tmp_path: Path) -> None:
    root = make_project(tmp_path, *BACKENDS["guild"][0])
    plan = root / "specs" / "backend" / "authentication.plan.yaml"
    text = plan.read_text().replace("owner_on_delete: restrict", "owner_on_delete: set_null")
    plan.write_text(text)
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "owner_on_delete" in t)
    for command, feature in (("validate", "authentication"), ("emit", "commissions")):
        result = sp_backend(command, feature, "--root", str(root))
        assert result.returncode == 3, (command, result.stdout, result.stderr)
        message = " ".join(result.stderr.split())
        assert (
            f"specs/backend/authentication.plan.yaml:{line}: auth.accounts.owner_on_delete: "
            "set_null is not possible for the owner column"
        ) in message, message
        assert "use cascade" in message and "or restrict" in message, message
    assert not (root / "backend").exists()


def test_a_feature_emitted_before_the_accounts_gets_the_key_when_emitted_again(
    tmp_path: Path,
) -> None:
    """commissions first: there is no users table yet, so neither its model nor its revision
    has the key. Once authentication is emitted, the next emit of commissions adds it, in a
    revision of its own that says existing rows must name an account."""
    root = make_project(tmp_path, *BACKENDS["guild"][0])
    _emit(root, "commissions")
    backend = root / "backend"
    model = backend / "app" / "models" / "commission.py"
    assert "foreign_key" not in model.read_text()
    _emit(root, "authentication")
    assert "foreign_key" not in model.read_text()  # a feature's files are its own emit's
    _emit(root, "commissions")
    assert 'foreign_key="users.id", ondelete="RESTRICT"' in model.read_text()
    added = sorted((backend / "migrations" / "versions").glob("0003_commissions_*.py"))
    assert len(added) == 1, sorted(p.name for p in (backend / "migrations" / "versions").iterdir())
    revision = added[0].read_text()
    assert "batch_op.create_foreign_key(" in revision, revision
    assert '"fk_commissions_member_id_users"' in revision and 'ondelete="RESTRICT"' in revision
    assert "must name a row of users, or the upgrade fails" in " ".join(revision.split())
    result = run_generated_tests(backend, extra=("-rA",))
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "PASSED tests/test_platform.py::test_migrations_match_the_models" in result.stdout


OBSERVATORY = Path(__file__).parent / "fixtures" / "specs" / "observatory-ddl"


@pytest.mark.parametrize(
    ("clause", "rule", "noted"),
    [
        ("ON DELETE CASCADE", "cascade", False),
        ("ON DELETE RESTRICT", "restrict", False),
        ("ON DELETE SET NULL", "restrict", True),
        ("", "restrict", True),  # no ON DELETE: SQL's NO ACTION refuses the delete
    ],
)
def test_gather_reads_the_owner_key_of_a_ddl_contract(
    tmp_path: Path, clause: str, rule: str, noted: bool
) -> None:
    """sessions.member_id REFERENCES members(id), members being the accounts table: its
    ON DELETE is auth.accounts.owner_on_delete; SET NULL cannot hold an owned row, so it is
    read as restrict and said in `unresolved` at the DDL's line."""
    from sp_backend.readers.gather import gather

    folder = tmp_path / "observatory"
    shutil.copytree(OBSERVATORY, folder)
    schema = folder / "specs" / "database" / "schema.md"
    text = schema.read_text()
    stated = "REFERENCES members(id) ON DELETE CASCADE"
    assert stated in text
    written = f"REFERENCES members(id) {clause}".rstrip()
    schema.write_text(text.replace(stated, written))
    line = next(n for n, t in enumerate(schema.read_text().splitlines(), 1) if written in t)
    plan = gather(folder, "observing").plan
    assert plan.auth.mode == "local"
    accounts = plan.auth.accounts
    assert "owner_on_delete" in accounts.model_fields_set
    assert accounts.owner_on_delete == rule
    said = [
        u
        for u in plan.unresolved
        if "ON DELETE SET NULL" in u.what or "states no ON DELETE" in u.what
    ]
    assert bool(said) == noted, plan.unresolved
    if noted:
        assert said[0].source == f"specs/database/schema.md:{line}", said
        assert "auth.accounts.owner_on_delete restrict" in said[0].resolution
