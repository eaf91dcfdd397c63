"""Access beyond ownership (issue 15, item 5): plan rules `resources.<name>.access` (read,
write, roles, every_row) and `auth.roles_claim`, refused with the file, line and key where they
do not fit; and what the emitted code does with them (tests/fixtures/plans/stalls.plan.yaml:
public reads with owner writes and a moderator role, reads by every signed-in user, an unowned
resource only a role changes). Its generated suite (test_<collection>_access.py walks every
operation by every kind of caller) runs on SQLite and PostgreSQL in test_generated_backends.py,
and schemathesis over it in test_schemathesis.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from plan_variants import refused, variant

from sp_backend.emit import access
from sp_backend.emit.context import build_project
from sp_backend.plan.load import load_plan

STALLS = Path(__file__).resolve().parent / "fixtures" / "plans" / "stalls.plan.yaml"


def _variant(tmp_path: Path, change) -> Path:
    return variant(STALLS, tmp_path, change)


def _refused(tmp_path: Path, change, *needles: str) -> str:
    return refused(STALLS, tmp_path, change, *needles)


def test_a_role_rule_needs_the_claim_that_carries_roles(tmp_path: Path) -> None:
    _refused(
        tmp_path,
        lambda p: p["auth"].pop("roles_claim"),
        "resources.listing.access.roles",
        "auth.roles_claim",
    )


@pytest.mark.parametrize("twin", ["Moderator", "moder-ator"])
def test_roles_that_one_gate_would_pass_both_are_refused(tmp_path: Path, twin: str) -> None:
    """'moderator' and 'Moderator' (or 'moder_ator' and 'moder-ator') would be one gate
    function: holding one would pass the other's check."""
    first = "moder_ator" if "-" in twin else "moderator"

    def twins(plan: dict) -> None:
        plan["resources"]["listing"]["access"]["roles"] = {"feature": [first]}
        plan["resources"]["review"]["access"]["roles"] = {"delete": [twin]}

    _refused(tmp_path, twins, f"roles {first!r} and {twin!r} differ only in case or punctuation")


def test_open_mode_refuses_roles_and_owner_rules(tmp_path: Path) -> None:
    def open_api(plan: dict) -> None:
        plan["auth"] = {"mode": "none"}
        plan.pop("errors")
        for resource in plan["resources"].values():
            resource.pop("owner", None)

    _refused(tmp_path, open_api, "access.roles: auth.mode 'none'", "access.write")


def test_owner_rules_need_an_owner_column(tmp_path: Path) -> None:
    def owner_write(plan: dict) -> None:
        plan["resources"]["market_day"]["access"]["write"] = "owner"

    _refused(tmp_path, owner_write, "market_day", "access.write: 'owner' needs an owner column")

    def every_row(plan: dict) -> None:
        plan["resources"]["market_day"]["access"]["every_row"] = ["organiser"]

    _refused(tmp_path, every_row, "market_day", "access.every_row")


def test_a_role_gates_only_operations_the_resource_has(tmp_path: Path) -> None:
    def unknown(plan: dict) -> None:
        plan["resources"]["listing"]["access"]["roles"]["publish"] = ["moderator"]

    _refused(tmp_path, unknown, "access.roles.publish: not an operation", "feature")


def test_local_mode_has_no_roles_yet(tmp_path: Path) -> None:
    _refused(
        tmp_path,
        lambda p: p["auth"].update(mode="local"),
        "auth.roles_claim: mode 'local'",
    )


def test_shared_reads_need_no_user_id_in_the_path(tmp_path: Path) -> None:
    def path_user(plan: dict) -> None:
        plan["resources"]["review"]["path"] = "/api/{user_id}/reviews"

    _refused(tmp_path, path_user, "review", "access.read")


def _view(name: str):
    project = build_project([load_plan(STALLS)], "stalls")
    return project, next(r for r in project.resources if r.name == name)


def test_expected_answers_follow_the_rules() -> None:
    project, listing = _view("listing")
    cases = {
        (c.operation, c.caller): (c.status, c.listed)
        for c in access.cases(listing, project.gate_roles)
    }
    # Public reads: anyone, and every row is listed.
    assert cases[("list", "anonymous")] == (200, True)
    assert cases[("read", "other_user")] == (200, None)
    # Owner writes: another user is refused with the not-owner status, a moderator is not.
    assert cases[("update", "other_user")] == (403, None)
    assert cases[("delete", "other_user_with_moderator")] == (204, None)
    assert cases[("update", "anonymous")] == (401, None)
    # feature needs the moderator role, even on the owner's own row.
    assert cases[("feature", "owner_without_roles")] == (403, None)
    assert cases[("feature", "owner")] == (200, None)
    project, market_day = _view("market_day")
    cases = {
        (c.operation, c.caller): c.status for c in access.cases(market_day, project.gate_roles)
    }
    assert cases[("create", "other_user")] == 403
    assert cases[("create", "other_user_with_organiser")] == 201
    assert cases[("read", "anonymous")] == 200


def test_emitted_reads_drop_the_owner_filter_and_writes_keep_it(tmp_path: Path) -> None:
    from tests.conftest import make_project, sp_backend

    root = make_project(tmp_path, STALLS)
    result = sp_backend("emit", "stalls", "--root", str(root), "--with-tests")
    assert result.returncode == 0, result.stderr
    backend = root / "backend"
    service = (backend / "app" / "services" / "listing_service.py").read_text()
    one = next(line for line in service.splitlines() if line.startswith("ONE = "))
    assert "_owned()" not in one  # public reads
    assert 'return (col(Listing.id) == bindparam("row_id"), _owned())' in service  # writes
    assert 'bindparam("every_row", type_=Boolean())' in service
    routes = (backend / "app" / "routers" / "listings.py").read_text()
    assert "dependencies=[Depends(require_moderator)]" in routes
    dependencies = (backend / "app" / "dependencies.py").read_text()
    assert 'raise ForbiddenError("This needs the role moderator")' in dependencies
    assert (backend / "tests" / "test_listings_access.py").exists()
    assert (backend / "tests" / "test_market_days_access.py").exists()
