"""Schema evolution: a changed plan adds the next Alembic revision, never rewrites one.

A recipes backend goes through five plan changes (add a field; add an index and a unique
constraint; change a length; add a second resource; drop a field, refused without
--allow-destructive), emitting after each. Earlier revision files stay byte-identical, each new
revision holds only that change, and a PostgreSQL database created at revision 1 with rows in it
upgrades to head with every row intact and the app serving them.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import make_project, postgres_available, run_generated_tests, sp_backend

FEATURE = "recipes"
SECRET_ENV = "RECIPES_JWT_SECRET"
PLAN: dict[str, Any] = {
    "plan_version": 1,
    "feature": FEATURE,
    "project": {"name": "Recipe Box API"},
    "auth": {"mode": "shared-secret", "secret_env": SECRET_ENV, "user_id_type": "str"},
    "resources": {
        "recipe": {
            "table": "recipes",
            "path": "/api/recipes",
            "fields": {
                "name": {"type": "str", "required": True, "max_length": 80},
                "servings": {"type": "int", "default": 2, "ge": 1},
                "notes": {"type": "text"},
            },
            "operations": {"list": {}, "create": {}, "read": {}, "update": {}, "delete": {}},
        }
    },
}
Plan = dict[str, Any]


def add_a_field(plan: Plan) -> None:
    plan["resources"]["recipe"]["fields"]["cuisine"] = {"type": "str", "max_length": 40}


def add_an_index_and_a_unique_constraint(plan: Plan) -> None:
    fields = plan["resources"]["recipe"]["fields"]
    fields["cuisine"]["index"] = True
    fields["name"]["unique"] = True


def change_a_length(plan: Plan) -> None:
    plan["resources"]["recipe"]["fields"]["name"]["max_length"] = 120


def add_a_second_resource(plan: Plan) -> None:
    # recipe_id refers to one of the caller's recipes: a foreign key (ON DELETE CASCADE) and
    # its index come with the new table.
    plan["resources"]["ingredient"] = {
        "table": "ingredients",
        "path": "/api/ingredients",
        "fields": {
            "recipe_id": {
                "type": "uuid",
                "required": True,
                "references": {"resource": "recipe", "on_delete": "cascade"},
            },
            "name": {"type": "str", "max_length": 60},
        },
        "operations": {"list": {}, "create": {}, "read": {}, "delete": {}},
    }


def drop_a_field(plan: Plan) -> None:
    del plan["resources"]["recipe"]["fields"]["notes"]


# Each change, and the operations its revision holds (nothing else).
CHANGES: list[tuple[Callable[[Plan], None], list[str]]] = [
    (add_a_field, ["add column recipes.cuisine"]),
    (
        add_an_index_and_a_unique_constraint,
        [
            "create unique constraint uq_recipes_name on recipes (user_id, name)",
            "create index ix_recipes_user_id_cuisine on recipes (user_id, cuisine)",
        ],
    ),
    (
        change_a_length,
        ["alter column recipes.name: AutoString(length=80) -> AutoString(length=120)"],
    ),
    # A resource with a create brings its idempotency keys' table along.
    (
        add_a_second_resource,
        ["create table ingredients", "create table ingredients_idempotency_keys"],
    ),
    (drop_a_field, ["drop column recipes.notes"]),
]
ROWS = [("alice", "Shakshuka", 2, "eggs last"), ("alice", "Dal", 4, None), ("bob", "Pho", 3, "")]


def emit(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return sp_backend("emit", FEATURE, "--root", str(root), "--with-tests", *args)


def write_plan(root: Path, plan: Plan) -> None:
    path = root / "specs" / "backend" / f"{FEATURE}.plan.yaml"
    path.write_text(yaml.safe_dump(plan, sort_keys=False))


def tree(backend: Path) -> dict[str, str]:
    return {
        p.relative_to(backend).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(backend.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and ".pytest_cache" not in p.parts
    }


def revision_files(backend: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((backend / "migrations/versions").glob("*.py"))}


def statements(revision: str, function: str) -> list[str]:
    """The operation calls in upgrade() or downgrade(), comments and layout left out."""
    body = revision.split(f"def {function}() -> None:\n", 1)[1].split("\n\n\ndef ", 1)[0]
    return re.findall(r"^\s+((?:batch_)?op\.\w+)\(", body, re.MULTILINE)


def alembic(backend: Path, url: str, *args: str) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "ENVIRONMENT": "test",
        SECRET_ENV: secrets.token_hex(32),
    }
    result = subprocess.run(
        [sys.executable, "-m", "alembic", *args],
        cwd=backend,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def psql(url: str, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(
        url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True
    ) as c:
        cursor = c.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def test_five_plan_changes_add_five_revisions_and_keep_every_row(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    root = make_project(tmp_path)
    plan = json.loads(json.dumps(PLAN))
    write_plan(root, plan)
    first = emit(root)
    assert first.returncode == 0, first.stdout + first.stderr
    backend = root / "backend"
    assert list(revision_files(backend)) == ["0001_recipes.py"]
    snapshot = json.loads((backend / ".sp-backend/schema.json").read_text())
    assert [c["name"] for c in snapshot["tables"]["recipes"]["columns"]][:3] == [
        "id",
        "user_id",
        "name",
    ]

    # A PostgreSQL database at revision 1, with rows in it (skipped where none answers).
    pg_url = None if postgres_available() else request.getfixturevalue("postgres_database")
    if pg_url:
        alembic(backend, pg_url, "upgrade", "head")
        for owner, name, servings, notes in ROWS:
            psql(
                pg_url,
                "INSERT INTO recipes (id, user_id, name, servings, notes, created_at, updated_at)"
                " VALUES (gen_random_uuid(), %s, %s, %s, %s, now(), now())",
                (owner, name, servings, notes),
            )

    for number, (change, expected) in enumerate(CHANGES, start=2):
        before = revision_files(backend)
        change(plan)
        write_plan(root, plan)
        if change is drop_a_field:
            files = tree(backend)
            refused = emit(root)
            assert refused.returncode == 3, refused.stdout + refused.stderr
            assert "recipes.notes" in refused.stderr and "--allow-destructive" in refused.stderr
            assert tree(backend) == files, "a refused emit wrote something"
            result = emit(root, "--allow-destructive", "--json")
        else:
            result = emit(root, "--json")
        assert result.returncode == 0, result.stdout + result.stderr
        report = json.loads(result.stdout)
        after = revision_files(backend)
        for name, text in before.items():
            assert after[name] == text, f"{change.__name__} rewrote {name}"
        new = sorted(set(after) - set(before))
        assert len(new) == 1 and new[0].startswith(f"{number:04d}_recipes"), new
        ops = [o["operation"] for o in report["migrations"]["operations"]]
        assert [o.rsplit(" ", 1)[0] if o.startswith("add column") else o for o in ops] == expected
        revision = after[new[0]].decode()
        down = report["migrations"]["revisions"][0]["down_revision"]
        assert f"down_revision: str | Sequence[str] | None = {json.dumps(down)}" in revision
        upgrade = statements(revision, "upgrade")
        if change is add_a_second_resource:
            assert upgrade.count("op.create_table") == 2, upgrade  # the table and its keys
            assert set(upgrade) == {"op.create_table", "op.create_index"}, upgrade
            assert "sa.ForeignKeyConstraint" in revision and "CASCADE" in revision, revision
            assert 'op.create_table(\n        "recipes"' not in revision  # only the new tables
        else:
            assert len(upgrade) == len(expected), upgrade
            assert "op.batch_alter_table" in revision and "op.create_table" not in revision

    assert len(revision_files(backend)) == 6
    ruff = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", str(backend)],
        capture_output=True,
        text=True,
        cwd=backend,
    )
    assert ruff.returncode == 0, ruff.stdout
    # The generated suite (every revision upgraded with rows present, downgrade and upgrade
    # again, migrations equal to the models) on SQLite, then on PostgreSQL.
    run = run_generated_tests(backend, extra=("tests/test_migrations.py", "tests/test_platform.py"))
    assert run.returncode == 0, run.stdout[-4000:]
    if not pg_url:
        pytest.skip("PostgreSQL unreachable: the database created at revision 1 was not tested")

    alembic(backend, pg_url, "upgrade", "head")
    kept = psql(pg_url, "SELECT user_id, name, servings, cuisine FROM recipes ORDER BY name")
    assert kept == sorted(((o, n, s, None) for o, n, s, _ in ROWS), key=lambda r: r[1])
    columns = {
        r[0]
        for r in psql(
            pg_url,
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'recipes'",
        )
    }
    assert "notes" not in columns and "cuisine" in columns
    served = serve(backend, pg_url)
    assert sorted(r["name"] for r in served["alice"]) == ["Dal", "Shakshuka"]
    assert [r["name"] for r in served["bob"]] == ["Pho"]
    assert served["ingredients"] == 0
    # Last, the generated chain tests on PostgreSQL (they empty this database first).
    on_postgres = run_generated_tests(backend, pg_url, extra=("tests/test_migrations.py",))
    assert on_postgres.returncode == 0, on_postgres.stdout[-4000:]


SERVE = """
import json, sys, time
import jwt
from fastapi.testclient import TestClient
from app.main import app

def headers(user):
    now = int(time.time())
    token = jwt.encode({"sub": user, "iat": now, "exp": now + 60}, sys.argv[1], algorithm="HS256")
    return {"Authorization": f"Bearer {token}"}

with TestClient(app) as client:
    out = {}
    for user in ("alice", "bob"):
        response = client.get("/api/recipes", headers=headers(user))
        assert response.status_code == 200, response.text
        out[user] = response.json()["items"]
    ingredients = client.get("/api/ingredients", headers=headers("alice"))
    assert ingredients.status_code == 200, ingredients.text
    out["ingredients"] = len(ingredients.json()["items"])
    print(json.dumps(out))
"""


def serve(backend: Path, url: str) -> dict[str, Any]:
    """The app, on the upgraded database, lists each user's rows."""
    secret = secrets.token_hex(32)
    env = {**os.environ, "DATABASE_URL": url, "ENVIRONMENT": "test", SECRET_ENV: secret}
    result = subprocess.run(
        [sys.executable, "-c", SERVE, secret], cwd=backend, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _emitted(root: Path, *args: str) -> dict[str, Any]:
    result = sp_backend("emit", FEATURE, "--root", str(root), "--json", *args)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


HAND_WRITTEN = '''"""Backfill: recipes without servings serve two."""

revision = "a1b2c3d4e5f6"
down_revision = "0001_recipes"


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
'''


def test_a_hand_written_revision_is_kept_and_chained(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    plan = json.loads(json.dumps(PLAN))
    write_plan(root, plan)
    _emitted(root)
    versions = root / "backend" / "migrations" / "versions"
    (versions / "a1b2c3d4e5f6_backfill.py").write_text(HAND_WRITTEN)
    add_a_field(plan)
    write_plan(root, plan)
    dry = sp_backend("emit", FEATURE, "--root", str(root), "--dry-run")
    assert "add column recipes.cuisine" in dry.stdout and "after a1b2c3d4e5f6" in dry.stdout
    assert sorted(p.name for p in versions.glob("*.py")) == [
        "0001_recipes.py",
        "a1b2c3d4e5f6_backfill.py",
    ]
    report = _emitted(root)
    assert report["migrations"]["revisions"][0]["down_revision"] == "a1b2c3d4e5f6"
    assert (versions / "a1b2c3d4e5f6_backfill.py").read_text() == HAND_WRITTEN
    assert '= "a1b2c3d4e5f6"' in (versions / "0002_recipes_add_cuisine.py").read_text()


def test_a_backend_emitted_before_snapshots_gets_its_baseline_from_its_first_revision(
    tmp_path: Path,
) -> None:
    """As an earlier generator left it: 0001_recipes.py and a manifest, no schema.json."""
    root = make_project(tmp_path)
    plan = json.loads(json.dumps(PLAN))
    write_plan(root, plan)
    _emitted(root)
    backend = root / "backend"
    (backend / ".sp-backend" / "schema.json").unlink()
    manifest_path = backend / ".sp-backend" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    del manifest["files"][".sp-backend/schema.json"]
    manifest_path.write_text(json.dumps(manifest))
    first = (backend / "migrations/versions/0001_recipes.py").read_bytes()
    change_a_length(plan)
    write_plan(root, plan)
    report = _emitted(root)
    assert report["migrations"]["baseline"] == "revisions"
    operations = [o["operation"] for o in report["migrations"]["operations"]]
    assert operations == [CHANGES[2][1][0]]
    assert (backend / "migrations/versions/0001_recipes.py").read_bytes() == first
    assert (backend / ".sp-backend" / "schema.json").exists()
