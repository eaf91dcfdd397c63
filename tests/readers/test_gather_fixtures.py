"""Our own spec projects in five styles and domains; each ships the plan we expect."""

from __future__ import annotations

from pathlib import Path

import pytest
from plan_compare import decisions

from sp_backend.plan.load import load_plan
from sp_backend.readers.gather import gather

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "specs"
CASES = {
    "notes-heading": "notes",
    "inventory-table": "inventory",
    "expenses-designer": "expenses",
    "clinic-openapi": "patients",
    "vinyl-shelf": "shelf",
}


@pytest.mark.parametrize("folder", sorted(CASES))
def test_fixture_gives_expected_plan(folder: str) -> None:
    expected = load_plan(FIXTURES / folder / "expected.plan.yaml")
    result = gather(FIXTURES / folder, CASES[folder])
    assert decisions(result.plan) == decisions(expected)
    assert [c.what for c in result.plan.conflicts] == [c.what for c in expected.conflicts]
    assert [u.what for u in result.plan.unresolved] == [u.what for u in expected.unresolved]


def test_heading_style_user_id_in_path_and_detail_envelope() -> None:
    plan = gather(FIXTURES / "notes-heading", "notes").plan
    note = plan.resources["note"]
    assert note.path == "/api/{user_id}/notes" and note.id == "int"
    assert plan.auth.mode == "shared-secret" and plan.auth.secret_env == "BETTER_AUTH_SECRET"
    assert plan.auth.user_id_claim == "user_id"
    assert plan.errors.envelope == "detail"
    assert note.operations.list.pagination.style == "offset"
    assert (note.operations.list.pagination.default, note.operations.list.pagination.max) == (
        50,
        200,
    )
    assert note.operations.actions["pin"].field == "pinned"


def test_table_and_ddl_style_gives_two_resources_with_jwks() -> None:
    plan = gather(FIXTURES / "inventory-table", "inventory").plan
    assert set(plan.resources) == {"item", "warehouse"}
    item = plan.resources["item"]
    assert item.owner == "owner_id"
    assert item.fields["sku"].unique and item.fields["name"].input_rules == ["not_blank"]
    assert item.operations.replace is not None and item.operations.update is None
    assert plan.auth.mode == "jwks" and plan.auth.algorithms == ["RS256"]
    assert plan.auth.user_id_type == "uuid"
    assert plan.errors.validation_status == 400


def test_designer_style_conflict_names_winner_and_loser() -> None:
    plan = gather(FIXTURES / "expenses-designer", "expenses").plan
    (conflict,) = plan.conflicts
    assert conflict.what == "expense.note.max_length"
    assert conflict.winner.startswith("specs/api/expenses-endpoints.md:")
    assert conflict.loser.startswith("specs/database/schema.md:")
    assert (conflict.chosen, conflict.overruled) == (140, 200)
    assert plan.errors.not_owner_status == 403
    assert plan.resources["expense"].fields["spent_on"].input_rules == ["past"]


def test_prose_headings_and_prisma_schema_give_an_open_api() -> None:
    """The shelf says it is single-user with no login: auth.mode none, cited; the Prisma schema
    gives the fields, the enum, the lengths and the record's reference to its artist."""
    plan = gather(FIXTURES / "vinyl-shelf", "shelf").plan
    assert plan.auth.mode == "none"
    assert plan.auth.source == "specs/shelf/contracts/api.md:3"
    assert all(r.owner is None for r in plan.resources.values())
    record = plan.resources["record"]
    assert record.fields["artist_id"].type == "uuid"
    assert record.fields["artist_id"].references.resource == "artist"
    assert record.fields["condition"].values == ["MINT", "VERY_GOOD", "GOOD", "WORN"]
    assert record.fields["condition"].default == "GOOD"
    assert record.fields["notes"].type == "text"
    assert (record.fields["price_paid"].max_digits, record.fields["price_paid"].decimal_places) == (
        7,
        2,
    )
    artist = plan.resources["artist"]
    assert artist.fields["name"].unique and artist.fields["name"].max_length == 120
    assert artist.fields["country"].max_length == 2 and not artist.fields["country"].required
