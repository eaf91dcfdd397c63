"""PUT that replaces only the fields the contract names (operations.replace.fields): the plan
key and its refusals, the reader's literal evidence (two documented bodies), and the generated
schema and tests. The kiln-log spec fixture runs the whole chain on SQLite and PostgreSQL
(tests/readers/test_gather_to_backend.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_generated_tests, sp_backend
from sp_backend.errors import PlanError
from sp_backend.plan.load import parse_plan
from sp_backend.plan.model import FieldSpec
from sp_backend.readers.build import _replaced
from sp_backend.readers.facts import Endpoint, FieldFact

# A harbour's moorings, edited per case.
BASE = """\
plan_version: 1
feature: harbour
auth: {mode: shared-secret, secret_env: HARBOUR_SECRET}
resources:
  mooring:
    table: moorings
    path: /api/moorings
    fields:
      berth: {type: str, required: true, max_length: 10, immutable: true}
      boat_name: {type: str, required: true, max_length: 60}
      draft_m: {type: float, ge: 0}
      paid_until: {type: date}
      inspected: {type: bool, read_only: true}
    operations:
      replace: REPLACE
"""


def plan(replace: str) -> str:
    return BASE.replace("REPLACE", replace)


def test_the_fields_a_put_replaces_are_planned_in_order_given() -> None:
    parsed = parse_plan(plan("{fields: [paid_until, draft_m]}"))
    replace = parsed.resources["mooring"].operations.replace
    assert replace is not None and replace.fields == ["paid_until", "draft_m"]


@pytest.mark.parametrize(
    ("replace", "expected"),
    [
        ("{fields: [keel]}", "operations.replace.fields: 'keel' is not a field of this resource"),
        ("{fields: [berth]}", "'berth' is immutable, so no PUT replaces it"),
        ("{fields: [inspected]}", "'inspected' is read_only (set by the server)"),
        ("{fields: []}", "name at least one field"),
        ("{fields: [draft_m, draft_m]}", "draft_m named more than once"),
        ("{fields: draft_m}", "fields"),
    ],
)
def test_a_replace_that_cannot_be_is_refused_where_it_is(replace: str, expected: str) -> None:
    with pytest.raises(PlanError) as err:
        parse_plan(plan(replace), "specs/backend/harbour.plan.yaml")
    message = str(err.value)
    assert expected in message, message
    assert message.startswith("specs/backend/harbour.plan.yaml:"), message


def test_plan_schema_documents_the_key() -> None:
    result = sp_backend("plan-schema")
    assert result.returncode == 0, result.stderr
    prop = json.loads(result.stdout)["$defs"]["ReplaceOperation"]["properties"]["fields"]
    assert prop["examples"] == [["title", "notes"]]
    assert "keeps its value" in prop["description"]


def endpoint(method: str, names: list[str]) -> Endpoint:
    return Endpoint(
        method,
        "/api/moorings" + ("/{id}" if method == "PUT" else ""),
        "contract.md:1",
        body=[FieldFact(n, "contract.md:2", 0, 0) for n in names],
    )


FIELDS = {
    "berth": FieldSpec(type="str", immutable=True),
    "boat_name": FieldSpec(type="str"),
    "draft_m": FieldSpec(type="float"),
    "paid_until": FieldSpec(type="date"),
}


@pytest.mark.parametrize(
    ("put", "create", "expected"),
    [
        # Fewer than the create's body, all changeable: those are replaced (in field order).
        (
            ["paidUntil", "draft_m"],
            ["berth", "boat_name", "draft_m", "paid_until"],
            ["draft_m", "paid_until"],
        ),
        # The same fields as the create's (less the immutable one): a full replacement.
        (["boat_name", "draft_m", "paid_until"], ["boat_name", "draft_m", "paid_until"], None),
        # A key no PATCH may change: not evidence of a partial PUT.
        (["berth", "draft_m"], ["berth", "boat_name", "draft_m", "paid_until"], None),
        # No documented body on one side: nothing to compare.
        ([], ["berth", "boat_name"], None),
        (["draft_m"], [], None),
    ],
)
def test_the_reader_compares_the_two_documented_bodies(
    put: list[str], create: list[str], expected: list[str] | None
) -> None:
    assert _replaced(endpoint("PUT", put), endpoint("POST", create), FIELDS) == expected


@pytest.fixture(scope="module")
def harbour_backend(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The harbour plan with PUT replacing two fields, beside an immutable and a read-only one."""
    root = tmp_path_factory.mktemp("harbour")
    specs = root / "specs" / "backend"
    specs.mkdir(parents=True)
    (specs / "harbour.plan.yaml").write_text(plan("{fields: [draft_m, paid_until]}"))
    emitted = sp_backend("emit", "harbour", "--root", str(root), "--with-tests")
    assert emitted.returncode == 0, emitted.stderr
    return root / "backend"


def test_the_put_body_holds_only_the_replaced_fields(harbour_backend: Path) -> None:
    schema = (harbour_backend / "app" / "schemas" / "mooring.py").read_text()
    body = schema.split("class MooringReplace(BaseModel):", 1)[1].split("\nclass ", 1)[0]
    assert "draft_m:" in body and "paid_until:" in body
    assert "boat_name:" not in body  # kept: refused in the body (extra="forbid")
    assert "keeps boat_name" in body
    tests = (harbour_backend / "tests" / "test_moorings.py").read_text()
    assert "def test_replace_keeps_the_fields_it_does_not_replace" in tests
    assert "def test_replace_refuses_a_field_it_does_not_replace" in tests


def test_the_generated_suite_passes_on_sqlite(harbour_backend: Path) -> None:
    result = run_generated_tests(harbour_backend)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_the_generated_suite_passes_on_postgres(
    harbour_backend: Path, postgres_database: str
) -> None:
    result = run_generated_tests(harbour_backend, postgres_database)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
