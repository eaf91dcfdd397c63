"""Our own spec projects in four styles and domains; each ships the plan we expect."""

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
    "fleet-memo": "servicelog",
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


def test_memo_style_query_table_gives_any_of_and_ranges() -> None:
    plan = gather(FIXTURES / "fleet-memo", "servicelog").plan
    listing = plan.resources["service_record"].operations.list
    assert listing is not None
    assert listing.any_of == ["kind"] and listing.filters == ["vehicle_code"]
    bounds = {param: (r.field, r.op) for param, r in listing.ranges.items()}
    assert bounds == {
        "odometer_min": ("odometer_km", "ge"),  # <f>_min, the field's stem (odometer_km)
        "max_cost": ("cost", "le"),  # max_<f>
        "serviced_from": ("serviced_on", "ge"),  # <f>_from on a date field (serviced_on)
        "serviced_before": ("serviced_on", "lt"),  # <f>_before: strictly before
    }
    assert all(r.source and r.source.startswith("specs/api/") for r in listing.ranges.values())
    (warranty,) = [u for u in plan.unresolved if "warranty_until" in u.what]
    assert "names no field" in warranty.what and warranty.source
