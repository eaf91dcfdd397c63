"""Related data in answers (issue 15, item 4): plan rules with located refusals, what emit
refuses (related rows it could not filter as the caller's reads are), what readers take from the
contract's JSON examples (and note when they cannot match), and a backend whose generated tests
pass on SQLite and PostgreSQL (tests/fixtures/plans/apiary.plan.yaml): summaries and counts in
list, read and the answers of writes, counts following child creates and deletes, the owner
filter on the related rows, and a page costing the same statements for one row or many."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from sp_backend.emit.context import build_project
from sp_backend.errors import PlanError
from sp_backend.plan.model import BackendPlan, Resource
from sp_backend.readers.embeds import read_embeds
from tests.conftest import make_project, run_generated_tests, sp_backend

REPO = Path(__file__).resolve().parents[1]
APIARY = REPO / "tests" / "fixtures" / "plans" / "apiary.plan.yaml"
WALK = REPO / "tests" / "fixtures" / "walk" / "test_walk_as_another_user.py"


def kanban() -> dict[str, Any]:
    board = {
        "table": "boards",
        "path": "/api/boards",
        "fields": {"name": {"type": "str"}, "settings": {"type": "json"}},
        "embed": {"counts": {"cards_count": {"resource": "card"}}},
    }
    card = {
        "table": "cards",
        "path": "/api/boards/{board_id}/cards",
        "parent": "board_id",
        "fields": {
            "board_id": {
                "type": "uuid",
                "required": True,
                "references": {"resource": "board", "on_delete": "cascade"},
            },
            "title": {"type": "str"},
        },
        "embed": {"summaries": {"board": {"reference": "board_id", "fields": ["name"]}}},
    }
    return {"feature": "kanban", "resources": {"board": board, "card": card}}


def test_an_embed_is_planned() -> None:
    planned = BackendPlan.model_validate(kanban())
    card = planned.resources["card"]
    assert card.embed.summaries["board"].fields == ["name"]
    assert planned.resources["board"].embed.counts["cards_count"].resource == "card"


def _set(path: str, value: Any) -> Any:
    def change(data: dict[str, Any]) -> None:
        *keys, last = path.split(".")
        node = data
        for key in keys:
            node = node.setdefault(key, {})
        node[last] = value

    return change


REFUSED = [
    (
        "resources.card.embed.summaries.board.fields",
        ["nmae"],
        "resources.card.embed.summaries.board.fields: 'nmae' is not a field of the referenced",
    ),
    ("resources.card.embed.summaries.board.fields", ["id"], "'id' is always shown"),
    ("resources.card.embed.summaries.board.fields", ["settings"], "settings' is json"),
    ("resources.card.embed.summaries.board.fields", ["name", "name"], "repeats a field"),
    (
        "resources.card.embed.summaries.board.reference",
        "title",
        "embed.summaries.board.reference: 'title' is not a reference field",
    ),
    (
        "resources.card.embed.summaries.title",
        {"reference": "board_id", "fields": ["name"]},
        "'title' is the name of a field",
    ),
    (
        "resources.card.embed.summaries.created_at",
        {"reference": "board_id", "fields": ["name"]},
        "'created_at' is the name of a field",
    ),
    (
        "resources.card.embed.summaries.board.json_name",
        "title",
        "its JSON key 'title' is that of 'title'",
    ),
    (
        "resources.board.embed.counts.cards_count.resource",
        "board",
        "resources.board.embed.counts.cards_count: 'board' has no field referring to 'board'",
    ),
    (
        "resources.board.embed.counts.cards_count.field",
        "title",
        "field 'title' of 'card' is not a reference to 'board'",
    ),
    (
        "resources.board.embed.summaries.cards_count",
        {"reference": "name", "fields": ["title"]},
        "is both a summary and a count",
    ),
]


@pytest.mark.parametrize(("path", "value", "message"), REFUSED, ids=[r[2][:40] for r in REFUSED])
def test_embeds_the_plan_refuses(path: str, value: Any, message: str) -> None:
    data = kanban()
    _set(path, value)(data)
    with pytest.raises(ValidationError) as refused:
        BackendPlan.model_validate(data)
    assert message in str(refused.value)


def test_a_count_names_the_field_when_the_child_refers_twice() -> None:
    data = kanban()
    card = data["resources"]["card"]
    card["fields"]["moved_from"] = {
        "type": "uuid",
        "nullable": True,
        "references": {"resource": "board", "on_delete": "set_null"},
    }
    with pytest.raises(ValidationError, match=r"refers to 'board' by \['board_id', 'moved_from'\]"):
        BackendPlan.model_validate(data)
    data["resources"]["board"]["embed"]["counts"]["cards_count"]["field"] = "board_id"
    BackendPlan.model_validate(data)


def _emit_refusal(data: dict[str, Any]) -> str:
    plan = BackendPlan.model_validate(data)
    with pytest.raises(PlanError) as refused:
        build_project([plan], plan.feature)
    return str(refused.value)


def test_emit_refuses_related_rows_it_could_not_filter_as_the_callers_reads_are() -> None:
    data = kanban()
    # Cards readable by every signed-in caller would show summaries of private boards.
    data["resources"]["card"] = {**data["resources"]["card"], "parent": None}
    data["resources"]["card"]["path"] = "/api/cards"
    data["resources"]["card"]["access"] = {"read": "signed_in"}
    message = _emit_refusal(data)
    assert "resources.card.embed.summaries.board" in message
    assert "read by their owners only" in message


def test_emit_refuses_embeds_beside_roles_that_reach_every_row() -> None:
    data = kanban()
    data["auth"] = {"roles_claim": "roles"}
    data["resources"]["board"]["access"] = {"every_row": ["admin"]}
    assert "every_row" in _emit_refusal(data)


def test_emit_checks_a_count_of_another_plans_resource() -> None:
    data = kanban()
    data["resources"]["board"]["embed"]["counts"]["cards_count"]["resource"] = "sticker"
    plan = BackendPlan.model_validate(data)  # another plan's resource: checked at emit
    with pytest.raises(PlanError, match="embed.counts.cards_count.resource: 'sticker' is not"):
        build_project([plan], plan.feature)


class Notes:
    def __init__(self) -> None:
        self.seen: list[tuple[str, str | None, str]] = []

    def add(self, what: str, where: str | None, resolution: str) -> None:
        self.seen.append((what, where, resolution))


def _resources(data: dict[str, Any]) -> dict[str, Resource]:
    return {name: Resource.model_validate(r) for name, r in data.items()}


def _as_gathered() -> dict[str, Any]:
    """Resources as a reader makes them from JSON examples: the embedded object and the count
    as plain fields, with where the example shows them."""
    data = copy.deepcopy(kanban()["resources"])
    for r in data.values():
        r.pop("embed")
    data["card"]["fields"]["board"] = {
        "type": "object",
        "fields": {"id": {"type": "str"}, "name": {"type": "str"}},
        "source": "api.md:40",
    }
    data["board"]["fields"]["cards_count"] = {"type": "int", "source": "api.md:12"}
    data["board"]["fields"]["word_count"] = {"type": "int"}
    return data


def test_readers_take_summaries_and_counts_from_the_examples() -> None:
    resources = _resources(_as_gathered())
    notes = Notes()
    read_embeds(resources, notes)
    card, board = resources["card"], resources["board"]
    assert "board" not in card.fields
    summary = card.embed.summaries["board"]
    assert (summary.reference, summary.fields, summary.source) == (
        "board_id",
        ["name"],
        "api.md:40",
    )
    assert "cards_count" not in board.fields
    assert board.embed.counts["cards_count"].resource == "card"
    assert "word_count" in board.fields  # a number of something the plan does not hold
    assert notes.seen == []
    planned = BackendPlan.model_validate(
        {"feature": "kanban", "resources": {n: r.model_dump() for n, r in resources.items()}}
    )
    assert planned.resources["card"].embed.summaries["board"].fields == ["name"]


def test_what_readers_cannot_match_goes_to_unresolved() -> None:
    data = _as_gathered()
    data["card"]["fields"]["board"]["fields"]["colour"] = {"type": "str"}
    data["card"]["fields"]["lane"] = {
        "type": "object",
        "fields": {"id": {"type": "str"}, "title": {"type": "str"}},
        "source": "api.md:41",
    }
    data["card"]["fields"]["board_count"] = {"type": "int", "source": "api.md:42"}
    resources = _resources(data)
    notes = Notes()
    read_embeds(resources, notes)
    card = resources["card"]
    assert {"board", "lane", "board_count"} <= set(card.fields)  # kept as they were
    assert card.embed.summaries == {} and card.embed.counts == {}
    said = {where: what for what, where, _ in notes.seen}
    assert "'colour' is not a field of the referenced resource" in said["api.md:40"]
    assert "no reference field it could summarise" in said["api.md:41"]
    assert "'board' has no field referring to 'card'" in said["api.md:42"]


def _backend(tmp_path: Path) -> Path:
    root = make_project(tmp_path, APIARY)
    done = sp_backend("emit", "apiary", "--root", str(root), "--with-tests")
    assert done.returncode == 0, done.stdout + done.stderr
    backend = root / "backend"
    hive = (backend / "app" / "services" / "hive_service.py").read_text()
    # The related data rides in the statements that read rows: no query per row.
    assert "EMBEDDED = (" in hive
    assert "select_columns(*ROW_COLUMNS, *EMBEDDED, total)" in hive
    assert "ONE = select_columns(*ROW_COLUMNS, *EMBEDDED)" in hive
    schema = (backend / "app" / "schemas" / "hive.py").read_text()
    assert 'inspections_count: int = Field(serialization_alias="inspectionsCount")' in schema
    inspection = (backend / "app" / "schemas" / "inspection.py").read_text()
    assert 'serialization_alias="inspectedBy"' in inspection
    shutil.copy(WALK, backend / "tests" / WALK.name)
    return backend


def test_embedding_backend_green_on_sqlite(tmp_path: Path) -> None:
    done = run_generated_tests(_backend(tmp_path))
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    assert "passed" in done.stdout and " failed" not in done.stdout


def test_embedding_backend_green_on_postgres(tmp_path: Path, postgres_database: str) -> None:
    done = run_generated_tests(_backend(tmp_path), postgres_database)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    assert "passed" in done.stdout and "skipped" not in done.stdout.splitlines()[-1]


def test_the_apiary_plan_is_what_the_fixture_says() -> None:
    data = yaml.safe_load(APIARY.read_text(encoding="utf-8"))
    assert BackendPlan.model_validate(data).resources["hive"].embed.keys == [
        "apiary",
        "inspections_count",
    ]
