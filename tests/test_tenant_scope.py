"""Rows scoped to a tenant (issue 15, item 5): `auth.tenant_claim` and `resources.<name>.tenant`,
refused with the file, line and key where they do not fit; and what the emitted code does with
them (tests/fixtures/plans/freight.plan.yaml: shipments every member of a company reads and
their booker changes, depots only an admin opens). Its generated suite (test_<collection>_access.py
walks every operation by the owner, a colleague, another tenant's user holding every role and a
token without a tenant) runs on SQLite and PostgreSQL in test_generated_backends.py, and
schemathesis over it in test_schemathesis.py (the fuzzer's token names a tenant)."""

from __future__ import annotations

from pathlib import Path

import pytest
from plan_variants import refused, variant

from sp_backend.emit import access
from sp_backend.emit.context import build_project
from sp_backend.plan.load import load_plan

FREIGHT = Path(__file__).resolve().parent / "fixtures" / "plans" / "freight.plan.yaml"


def _variant(tmp_path: Path, change) -> Path:
    return variant(FREIGHT, tmp_path, change)


def _refused(tmp_path: Path, change, *needles: str) -> str:
    return refused(FREIGHT, tmp_path, change, *needles)


def test_a_tenant_scope_needs_the_claim_that_carries_the_tenant(tmp_path: Path) -> None:
    _refused(
        tmp_path,
        lambda p: p["auth"].pop("tenant_claim"),
        "resources.depot.tenant",
        "auth.tenant_claim",
    )


def test_local_mode_has_no_source_for_a_tenant(tmp_path: Path) -> None:
    def local(plan: dict) -> None:
        plan["auth"] = {"mode": "local", "tenant_claim": "company"}

    _refused(tmp_path, local, "auth.tenant_claim", "mode 'local'", "shared-secret or jwks")


def test_no_auth_has_no_tenant(tmp_path: Path) -> None:
    def open_api(plan: dict) -> None:
        plan["auth"] = {"mode": "none"}
        for r in plan["resources"].values():
            r.pop("access", None)
            r["owner"] = None
        plan["resources"]["shipment"].pop("owner")

    _refused(tmp_path, open_api, "resources.shipment.tenant", "auth.mode 'none'")


@pytest.mark.parametrize(
    ("change", "needles"),
    [
        (lambda r: r["access"].update(read="public"), ["access.read", "no tenant"]),
        (lambda r: r.update(tenant="booked_by"), ["tenant 'booked_by'", "owner column"]),
        (lambda r: r.update(tenant="weight_kg"), ["tenant 'weight_kg'", "field"]),
        (lambda r: r.update(path="/api/{user_id}/shipments"), ["{user_id}"]),
    ],
)
def test_a_tenant_scope_that_does_not_fit_the_resource_is_refused(
    tmp_path: Path, change, needles: list[str]
) -> None:
    _refused(tmp_path, lambda p: change(p["resources"]["shipment"]), "shipment", *needles)


def test_references_into_a_tenants_rows_are_refused(tmp_path: Path) -> None:
    def refer(plan: dict) -> None:
        plan["resources"]["shipment"]["fields"]["depot_id"] = {
            "type": "uuid",
            "required": True,
            "references": {"resource": "depot"},
        }

    _refused(tmp_path, refer, "resources.shipment.fields.depot_id.references", "tenant-scoped")


def _view(name: str):
    project = build_project([load_plan(FREIGHT)], "freight")
    return project, next(r for r in project.resources if r.name == name)


def test_expected_answers_follow_the_rules() -> None:
    project, shipment = _view("shipment")
    cases = {
        (c.operation, c.caller): (c.status, c.listed)
        for c in access.cases(shipment, project.gate_roles)
    }
    # The same tenant: a colleague reads every row, changes only with the every-row role.
    assert cases[("list", "colleague")] == (200, True)
    assert cases[("read", "colleague")] == (200, None)
    assert cases[("update", "colleague")] == (404, None)
    assert cases[("update", "colleague_with_planner")] == (200, None)
    # Another tenant, holding every role: never listed, never found; creates in its own tenant.
    assert cases[("list", "other_tenant_user")] == (200, False)
    for operation in ("read", "update", "delete", "deliver"):
        assert cases[(operation, "other_tenant_user")] == (404, None)
    assert cases[("create", "other_tenant_user")] == (201, None)
    # A token without a tenant: 403 everywhere; no token: 401.
    assert {cases[(op, "owner_without_tenant")][0] for op in access.operations(shipment)} == {403}
    assert cases[("list", "anonymous")] == (401, None)
    project, depot = _view("depot")
    cases = {(c.operation, c.caller): c.status for c in access.cases(depot, project.gate_roles)}
    assert cases[("create", "colleague")] == 403  # the role is missing
    assert cases[("create", "colleague_with_admin")] == 201
    assert cases[("delete", "colleague_with_admin")] == 204  # no owner: the tenant's row
    assert cases[("delete", "other_tenant_user")] == 404  # an admin of another tenant


def test_emitted_statements_carry_the_tenant_filter(tmp_path: Path) -> None:
    from tests.conftest import make_project, sp_backend

    root = make_project(tmp_path, FREIGHT)
    result = sp_backend("emit", "freight", "--root", str(root), "--with-tests")
    assert result.returncode == 0, result.stderr
    backend = root / "backend"
    service = (backend / "app" / "services" / "shipment_service.py").read_text()
    one = next(line for line in service.splitlines() if line.startswith("ONE = "))
    assert "_in_tenant()" in one and "_owned()" not in one  # every member reads
    assert '"row_id"), _owned(), _in_tenant())' in service  # writes: the booker, in the tenant
    assert 'stamped = {"booked_by": self.owner_id, "company_id": self.tenant_id}' in service
    schemas = (backend / "app" / "schemas" / "shipment.py").read_text()
    assert "company_id" not in schemas  # no body carries it, no answer shows it
    model = (backend / "app" / "models" / "shipment.py").read_text()
    assert 'UniqueConstraint("company_id", "reference"' in model  # unique within a tenant
    auth_module = (backend / "app" / "utils" / "auth.py").read_text()
    assert 'TENANT_CLAIM = "company"' in auth_module
    assert (backend / "tests" / "test_depots_access.py").exists()
