"""References between resources (issue 15): plan rules, readers, and two generated backends
whose tests (and a walk of every route as another user) pass on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from sp_backend.emit.context import build_project
from sp_backend.errors import PlanError
from sp_backend.plan.model import BackendPlan, FieldSpec
from sp_backend.readers.types import on_delete_rule, parse_constraints
from tests.conftest import make_project, run_generated_tests, sp_backend

REPO = Path(__file__).resolve().parents[1]
WORKSHOP = REPO / "tests" / "fixtures" / "plans" / "workshop.plan.yaml"
UPKEEP = REPO / "tests" / "fixtures" / "specs" / "workshop-upkeep"
WALK = REPO / "tests" / "fixtures" / "walk" / "test_walk_as_another_user.py"


def plan_with(fields: dict, extra: dict | None = None) -> BackendPlan:
    resources = {
        "board": {"table": "boards", "path": "/api/boards", "fields": {"name": {"type": "str"}}},
        "card": {"table": "cards", "path": "/api/cards", "fields": fields},
        **(extra or {}),
    }
    return BackendPlan.model_validate({"feature": "kanban", "resources": resources})


def test_reference_rules() -> None:
    ref = {"resource": "board", "on_delete": "set_null"}
    with pytest.raises(ValidationError, match="set_null needs a nullable field"):
        FieldSpec(type="uuid", required=True, references=ref)
    with pytest.raises(ValidationError, match="type uuid, int or str"):
        FieldSpec(type="text", references={"resource": "board"})
    assert FieldSpec(type="uuid", nullable=True, references=ref).references.on_delete == "set_null"


@pytest.mark.parametrize(
    ("fields", "extra", "message"),
    [
        (
            {"board_id": {"type": "uuid", "references": {"resource": "lane"}}},
            None,
            "not a resource",
        ),
        ({"board_id": {"type": "int", "references": {"resource": "board"}}}, None, "ids are uuid"),
        ({"card_id": {"type": "uuid", "references": {"resource": "card"}}}, None, "itself"),
        (
            {"board_id": {"type": "uuid", "references": {"resource": "board"}}},
            {
                "tag": {
                    "table": "tags",
                    "path": "/api/tags",
                    "owner": None,
                    "fields": {"card_id": {"type": "uuid", "references": {"resource": "card"}}},
                }
            },
            "no owner column",
        ),
    ],
)
def test_references_the_emitter_refuses(fields: dict, extra: dict | None, message: str) -> None:
    with pytest.raises(PlanError, match=message):
        build_project([plan_with(fields, extra)], "kanban")


def test_readers_take_on_delete_from_ddl_models_and_tables() -> None:
    assert on_delete_rule("REFERENCES boards(id) ON DELETE CASCADE") == "cascade"
    assert on_delete_rule("on delete set null") == "set_null"
    assert on_delete_rule("ON DELETE NO ACTION") == "restrict"
    assert on_delete_rule("REFERENCES boards(id)") is None
    found = parse_constraints("FK -> boards.id, on delete cascade")
    assert found["foreign_key"] == "boards.id" and found["on_delete"] == "cascade"


def test_gather_reads_a_sqlmodel_reference(tmp_path: Path) -> None:
    root = tmp_path / "p"
    shutil.copytree(UPKEEP, root)
    (root / "specs" / "database" / "schema.md").write_text(
        textwrap.dedent(
            """\
            # Upkeep models

            ```python
            class Machine(SQLModel, table=True):
                __tablename__ = "machines"
                id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
                user_id: str = Field(max_length=255)
                label: str = Field(max_length=80)

            class MaintenanceLog(SQLModel, table=True):
                __tablename__ = "maintenance_logs"
                id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
                user_id: str = Field(max_length=255)
                machine_id: uuid.UUID = Field(foreign_key="machines.id", ondelete="CASCADE")
                summary: str = Field(max_length=200)
            ```
            """
        )
    )
    done = sp_backend("gather", "upkeep", "--root", str(root))
    assert done.returncode == 0, done.stdout + done.stderr
    plan = yaml.safe_load((root / "specs" / "backend" / "upkeep.plan.yaml").read_text())
    field = plan["resources"]["maintenance_log"]["fields"]["machine_id"]
    assert field["references"]["resource"] == "machine"
    assert field["references"]["on_delete"] == "cascade"


def _gathered_upkeep(tmp_path: Path) -> Path:
    root = tmp_path / "upkeep"
    shutil.copytree(UPKEEP, root)
    done = sp_backend("gather", "upkeep", "--root", str(root))
    assert done.returncode == 0, done.stdout + done.stderr
    plan = yaml.safe_load((root / "specs" / "backend" / "upkeep.plan.yaml").read_text())
    ref = plan["resources"]["maintenance_log"]["fields"]["machine_id"]["references"]
    assert ref["resource"] == "machine" and ref.get("on_delete", "restrict") == "restrict"
    done = sp_backend("emit", "upkeep", "--root", str(root), "--with-tests")
    assert done.returncode == 0, done.stdout + done.stderr
    return root / "backend"


def _workshop(tmp_path: Path) -> Path:
    root = make_project(tmp_path, WORKSHOP)
    done = sp_backend("emit", "workshop", "--root", str(root), "--with-tests")
    assert done.returncode == 0, done.stdout + done.stderr
    return root / "backend"


BACKENDS = {"upkeep (gathered, restrict)": _gathered_upkeep, "workshop (all three)": _workshop}


@pytest.mark.parametrize("make", BACKENDS.values(), ids=BACKENDS.keys())
def test_generated_backend_green_and_walked_as_another_user_on_sqlite(tmp_path: Path, make) -> None:
    backend = make(tmp_path)
    shutil.copy(WALK, backend / "tests" / WALK.name)
    done = run_generated_tests(backend)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    assert "passed" in done.stdout and " failed" not in done.stdout


@pytest.mark.parametrize("make", BACKENDS.values(), ids=BACKENDS.keys())
def test_generated_backend_green_and_walked_as_another_user_on_postgres(
    tmp_path: Path, make, postgres_database: str
) -> None:
    backend = make(tmp_path)
    shutil.copy(WALK, backend / "tests" / WALK.name)
    done = run_generated_tests(backend, postgres_database)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    assert "passed" in done.stdout and "skipped" not in done.stdout.splitlines()[-1]
