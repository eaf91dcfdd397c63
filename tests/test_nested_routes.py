"""Nested routes (issue 15, item 3): plan rules with located refusals, and two backends whose
generated tests (and a walk of every route as another user) pass on SQLite and PostgreSQL: two
levels deep with cascade (tests/fixtures/plans/herbarium.plan.yaml), and under a {user_id} path
with integer ids and restrict (brewery.plan.yaml). Every query is scoped by the owner and the
path's parents in SQL; a child through another parent or another user's parent is not found;
creates go under the path's parent only; delete rules apply through the nested route."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pydantic import ValidationError

from sp_backend.emit.context import build_project
from sp_backend.errors import PlanError
from sp_backend.plan.model import BackendPlan
from tests.conftest import make_project, run_generated_tests, sp_backend

REPO = Path(__file__).resolve().parents[1]
HERBARIUM = REPO / "tests" / "fixtures" / "plans" / "herbarium.plan.yaml"
BREWERY = REPO / "tests" / "fixtures" / "plans" / "brewery.plan.yaml"
# Every route as Bob over Alice's ids (and her parents' ids in their places): no 2xx.
WALK = REPO / "tests" / "fixtures" / "walk" / "test_walk_as_another_user.py"


def board(**extra: object) -> dict:
    return {"table": "boards", "path": "/api/boards", "fields": {"name": {"type": "str"}}, **extra}


def card(path: str = "/api/boards/{board_id}/cards", **extra: object) -> dict:
    ref = {"resource": "board", "on_delete": "cascade"}
    fields = {
        "board_id": {"type": "uuid", "required": True, "references": ref},
        "title": {"type": "str"},
    }
    return {"table": "cards", "path": path, "parent": "board_id", "fields": fields, **extra}


def plan(**resources: dict) -> BackendPlan:
    return BackendPlan.model_validate({"feature": "kanban", "resources": resources})


def test_a_nested_resource_names_its_parent_field() -> None:
    planned = plan(board=board(), card=card())
    assert planned.resources["card"].parent == "board_id"
    assert planned.resources["card"].path_params == ["board_id"]


@pytest.mark.parametrize(
    ("resources", "message"),
    [
        ({"board": board(), "card": {**card(), "parent": None}}, "states its parent"),
        ({"board": board(), "card": card(parent="title")}, "not a reference field"),
        ({"board": board(), "card": card(parent="lane_id")}, "not a reference field"),
        ({"board": board(), "card": card(path="/api/cards")}, "must end with /{board_id}/"),
        (
            {"board": board(), "card": card(path="/api/lanes/{board_id}/cards")},
            "continue the parent",
        ),
        ({"card": card()}, "not a resource of this plan"),
        (
            {"board": board(), "card": card(path="/api/boards/{board_id}/{board_id}/cards")},
            "repeats",
        ),
    ],
)
def test_nested_routes_the_plan_refuses(resources: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as refused:
        plan(**resources)
    if message == "continue the parent":
        assert "resources.card.parent" in str(refused.value)


def test_a_parent_is_never_null() -> None:
    nullable = card()
    nullable["fields"]["board_id"] = {
        "type": "uuid",
        "nullable": True,
        "references": {"resource": "board", "on_delete": "set_null"},
    }
    with pytest.raises(ValidationError, match="always has its parent"):
        plan(board=board(), card=nullable)


def test_parents_cannot_go_round_in_a_circle() -> None:
    """Each path continues its parent's, so a parent nested under its own child is refused."""
    looped = board(path="/api/cards/{card_id}/boards", parent="card_id")
    looped["fields"]["card_id"] = {
        "type": "uuid",
        "required": True,
        "references": {"resource": "card"},
    }
    with pytest.raises(ValidationError, match="continue the parent"):
        plan(board=looped, card=card())


def test_located_errors_name_the_key(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    (root / "specs" / "backend" / "kanban.plan.yaml").write_text(
        "plan_version: 1\nfeature: kanban\nresources:\n"
        "  board: {table: boards, path: /api/boards, fields: {name: {type: str}}}\n"
        "  card:\n    table: cards\n    path: /api/lanes/{board_id}/cards\n    parent: board_id\n"
        "    fields:\n"
        "      board_id: {type: uuid, required: true, references: {resource: board}}\n",
        encoding="utf-8",
    )
    done = sp_backend("validate", "kanban", "--root", str(root))
    assert done.returncode != 0
    assert "resources.card.parent" in done.stdout + done.stderr


def test_the_emitter_refuses_nested_routes_with_a_403_for_someone_elses_row() -> None:
    planned = BackendPlan.model_validate(
        {
            "feature": "kanban",
            "errors": {"not_owner_status": 403},
            "resources": {"board": board(), "card": card()},
        }
    )
    with pytest.raises(PlanError, match="not_owner_status 403"):
        build_project([planned], "kanban")


def test_the_emitter_refuses_custom_operations_of_a_nested_resource() -> None:
    custom = {"archive": {"method": "POST", "path": "/{id}/archive", "response": "none"}}
    planned = plan(board=board(), card=card(operations={"custom": custom}))
    with pytest.raises(PlanError, match="resources.card.operations.custom"):
        build_project([planned], "kanban")


def test_the_views_know_the_path_up() -> None:
    view = build_project([BackendPlan.model_validate(_herbarium())], "herbarium")
    by_name = {r.name: r for r in view.resources}
    chain = [ref.column for ref in by_name["determination"].ancestry]
    assert chain == ["specimen_id", "collection_id"]
    specimen = by_name["specimen"]
    assert [f.name for f in specimen.writable_fields] == ["taxon", "collected_on"]
    assert specimen.parent_ref.target.name == "collection" and specimen.body_references == []


def _herbarium() -> dict:
    import yaml

    return yaml.safe_load(HERBARIUM.read_text(encoding="utf-8"))


def _backend(tmp_path: Path, plan: Path) -> Path:
    root = make_project(tmp_path, plan)
    feature = plan.name.removesuffix(".plan.yaml")
    done = sp_backend("emit", feature, "--root", str(root), "--with-tests")
    assert done.returncode == 0, done.stdout + done.stderr
    backend = root / "backend"
    if plan == HERBARIUM:
        service = (backend / "app" / "services" / "determination_service.py").read_text()
        # One place scopes by the path's parents, and every statement carries it.
        assert service.count("def _in_parent()") == 1
        assert "_owned(), _in_parent()" in service
    shutil.copy(WALK, backend / "tests" / WALK.name)
    return backend


PLANS = {
    "herbarium (two levels, cascade)": HERBARIUM,
    "brewery ({user_id}, int, restrict)": BREWERY,
}


@pytest.mark.parametrize("plan", PLANS.values(), ids=PLANS.keys())
def test_nested_backend_green_on_sqlite(tmp_path: Path, plan: Path) -> None:
    done = run_generated_tests(_backend(tmp_path, plan))
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    assert "passed" in done.stdout and " failed" not in done.stdout


@pytest.mark.parametrize("plan", PLANS.values(), ids=PLANS.keys())
def test_nested_backend_green_on_postgres(
    tmp_path: Path, plan: Path, postgres_database: str
) -> None:
    done = run_generated_tests(_backend(tmp_path, plan), postgres_database)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    assert "passed" in done.stdout and "skipped" not in done.stdout.splitlines()[-1]
