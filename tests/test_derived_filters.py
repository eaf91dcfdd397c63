"""Derived list filters: a boolean query parameter standing for a condition on the row
(?overdue=true: due before now and not returned). The plan key and its located refusals, the
operator table, the reader's phrasings (the condition entries of the phrase table), and an
emitted backend (from the tool-shed fixture, an OpenAPI contract written as JSON) whose
true/false split the rows exactly on SQLite and on PostgreSQL, NULLs included."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import PLAN_FIXTURES, make_project, run_generated_tests, sp_backend
from sp_backend.errors import PlanError
from sp_backend.plan.load import dump_plan, parse_plan
from sp_backend.plan.model import CLAUSE_OPS, CLOCK_WORDS, FIELD_TYPES, FILTER_TYPES

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "specs" / "toolshed-json"

# A bakery's batches (a domain no other fixture uses), edited per case.
BASE = """\
plan_version: 1
feature: bakery
auth: {mode: shared-secret, secret_env: BAKERY_SECRET}
resources:
  batch:
    table: batches
    path: /api/batches
    fields:
      loaf: {type: str, required: true, max_length: 40}
      loaves_left: {type: int, required: true, ge: 0}
      price: {type: decimal, max_digits: 6, decimal_places: 2}
      baked_on: {type: date, required: true}
      sell_by: {type: datetime}
      kind: {type: enum, values: [rye, spelt, wheat]}
      frozen: {type: bool, default: false}
      notes: {type: text}
      labels: {type: "list[str]"}
    operations:
      list:
        pagination: {style: offset}
        search: [loaf]
        search_param: q
        LIST
"""


def plan_with(listing: str) -> str:
    return BASE.replace("LIST", listing)


def test_one_table_says_which_operators_fit_each_type() -> None:
    assert set(CLAUSE_OPS) == set(FIELD_TYPES)
    ordered = {"lt", "le", "gt", "ge"}
    for kind in FILTER_TYPES["range"]:  # what can be bounded can be compared
        assert ordered <= CLAUSE_OPS[kind], kind
    for kind in ("str", "enum", "uuid", "bool"):
        assert not ordered & CLAUSE_OPS[kind] and {"eq", "ne"} <= CLAUSE_OPS[kind], kind
    assert CLAUSE_OPS["text"] == {"is_null", "not_null"}
    # JSON null and SQL NULL look alike to a reader of the API: no clause on json columns.
    assert CLAUSE_OPS["json"] == CLAUSE_OPS["list[str]"] == frozenset()
    assert CLOCK_WORDS == {"now": "datetime", "today": "date"}


def test_a_plan_with_derived_filters_is_accepted_and_round_trips() -> None:
    text = plan_with(
        "derived:\n"
        "          in_stock:\n"
        "            all_of: [{field: loaves_left, op: gt, value: 0}]\n"
        "            description: batches with loaves left\n"
        "          stale:\n"
        "            all_of:\n"
        "              - {field: sell_by, op: lt, value: now}\n"
        "              - {field: frozen, op: eq, value: false}\n"
        "          fresh:\n"
        "            all_of: [{field: baked_on, op: ge, value: 2031-04-01}]\n"
        "          noted: {all_of: [{field: notes, op: not_null}]}\n"
        "          recent: {all_of: [{field: created_at, op: ge, value: '2031-01-01T00:00:00Z'}]}"
    )
    plan = parse_plan(text)
    listing = plan.resources["batch"].operations.list
    assert listing is not None
    assert [c.value for c in listing.derived["fresh"].all_of] == ["2031-04-01"]  # YAML date
    assert listing.derived["stale"].all_of[1].value is False
    assert listing.filter_params == ["in_stock", "stale", "fresh", "noted", "recent"]
    again = parse_plan(dump_plan(plan)).resources["batch"].operations.list
    assert again is not None and again.derived == listing.derived


@pytest.mark.parametrize(
    ("derived", "expected"),
    [
        ("{field: colour, op: eq, value: red}", "all_of[0]: 'colour' is not a field"),
        ("{field: loaf, op: lt, value: b}", "'loaf' is str; op 'lt' does not apply (use eq,"),
        ("{field: notes, op: eq, value: x}", "'notes' is text; op 'eq' does not apply"),
        ("{field: labels, op: not_null}", "no clause applies to list[str] fields"),
        ("{field: loaf, op: is_null}", "'loaf' is never null"),
        ("{field: created_at, op: not_null}", "'created_at' is never null"),
        ("{field: baked_on, op: lt, value: now}", "value 'now' is a datetime word; date fields"),
        ("{field: sell_by, op: lt, value: today}", "value 'today' is a date word"),
        ("{field: sell_by, op: lt, value: '2031-01-01T10:00:00'}", "with its offset, or now"),
        ("{field: baked_on, op: lt, value: soon}", "value 'soon' is not an ISO date or today"),
        ("{field: loaves_left, op: gt, value: '0'}", "value '0' is not an int"),
        ("{field: loaves_left, op: gt, value: true}", "value True is not an int"),
        ("{field: price, op: gt, value: cheap}", "value 'cheap' is not a decimal number"),
        ("{field: frozen, op: eq, value: 0}", "value 0 is not true or false"),
        ("{field: kind, op: eq, value: sourdough}", "is not one of ['rye', 'spelt', 'wheat']"),
    ],
)
def test_bad_clauses_are_refused_where_they_are(derived: str, expected: str) -> None:
    text = plan_with(f"derived:\n          odd: {{all_of: [{derived}]}}")
    with pytest.raises(PlanError) as err:
        parse_plan(text, "specs/backend/bakery.plan.yaml")
    message = str(err.value)
    assert expected in message, message
    # file:line of the resource, then the key path inside it.
    assert message.startswith(
        "specs/backend/bakery.plan.yaml:6: resources.batch: operations.list.derived.odd"
    ), message


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("q", "derived.q: the name is taken"),  # the search parameter
        ("limit", "derived.limit: the name is taken"),
        ("loaf", "derived.loaf: the name is taken by a field"),
        ("pick-up", None),  # a name of its own, read through an attribute
        ("page", "derived.page: the name reads as 'page', which is taken"),
    ],
)
def test_a_derived_name_must_be_its_own(name: str, expected: str | None) -> None:
    clause = "{all_of: [{field: loaves_left, op: gt, value: 0}]}"
    text = plan_with(f"derived:\n          {name}: {clause}")
    if expected is None:
        parse_plan(text)
        return
    with pytest.raises(PlanError) as err:
        parse_plan(text, "bakery.plan.yaml")
    assert expected in str(err.value)


def test_a_range_and_a_derived_filter_cannot_share_a_name() -> None:
    text = plan_with(
        "ranges: {cheap: {field: price, op: le}}\n"
        "        derived: {cheap: {all_of: [{field: price, op: le, value: '2.00'}]}}"
    )
    with pytest.raises(PlanError) as err:
        parse_plan(text, "bakery.plan.yaml")
    assert "operations.list.derived.cheap: the name is taken" in str(err.value)


@pytest.mark.parametrize(
    ("clause", "expected"),
    [
        ("{field: sell_by, op: before, value: now}", "all_of.0.op: 'before' is not allowed"),
        ("{field: sell_by, op: lt}", "all_of.0: op 'lt' compares with a value"),
        ("{field: notes, op: is_null, value: x}", "all_of.0: op 'is_null' takes no value"),
        ("{field: sell_by, op: lt, value: now, when: always}", "all_of.0.when: unknown key"),
    ],
)
def test_a_clause_is_refused_at_its_own_line(clause: str, expected: str) -> None:
    text = plan_with(f"derived:\n          stale:\n            all_of:\n              - {clause}")
    with pytest.raises(PlanError) as err:
        parse_plan(text, "bakery.plan.yaml")
    line = text.splitlines().index(f"              - {clause}") + 1
    assert f"bakery.plan.yaml:{line}: " in str(err.value), str(err.value)
    assert f"resources.batch.operations.list.derived.stale.{expected}" in str(err.value)


def test_plan_schema_documents_the_key_with_an_example() -> None:
    result = sp_backend("plan-schema")
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    derived = schema["$defs"]["ListOperation"]["properties"]["derived"]
    assert "condition on the row" in derived["description"]
    (example,) = derived["examples"]
    assert example["overdue"]["all_of"][1] == {"field": "returned_at", "op": "is_null"}
    clause = schema["$defs"]["Clause"]["properties"]
    assert "CLAUSE_OPS" in clause["op"]["description"] and clause["op"]["examples"]
    assert "now" in clause["value"]["description"] and "today" in clause["value"]["description"]


# Requests against the fixture's backend beyond its own suite: NULLs on both fields, the
# negation with the owner filter, the clock read at request time, the OpenAPI and the SQL.
PROBE = """\
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.dialects.postgresql import asyncpg

from app.services.loan_service import list_statement
from tests.conftest import ALICE, BOB, auth

URL = "/api/loans"


def loan(client: TestClient, user: object = ALICE, **values: Any) -> str:
    body = {"tool_label": "Spade", "borrower": "Ines", **values}
    response = client.post(URL, json=body, headers=auth(user))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def ids(client: TestClient, overdue: str, user: object = ALICE) -> set[str]:
    response = client.get(URL, params={"overdue": overdue}, headers=auth(user))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == len(body["items"])
    return {str(row["id"]) for row in body["items"]}


def test_true_and_false_split_every_combination(client: TestClient) -> None:
    past, future = "2001-05-01T08:00:00Z", "2999-05-01T08:00:00Z"
    late = loan(client, due_at=past)
    late_back = loan(client, due_at=past, returned_at="2001-05-03T08:00:00+02:00")
    open_ended = loan(client)  # no due date: never overdue
    open_back = loan(client, returned_at=past)
    not_yet = loan(client, due_at=future)
    loan(client, BOB, due_at=past)  # someone else's, under either answer: never
    assert ids(client, "true") == {late}
    assert ids(client, "false") == {late_back, open_ended, open_back, not_yet}
    assert ids(client, "true", BOB) != set() and ids(client, "false", BOB) == set()
    for word in ("yes", "1", "TRUE", "maybe"):
        response = client.get(URL, params={"overdue": word}, headers=auth())
        assert response.status_code == 422, word


def test_the_moment_is_the_request_s(client: TestClient) -> None:
    from datetime import UTC, datetime, timedelta

    soon = (datetime.now(UTC) + timedelta(seconds=2)).isoformat()
    due = loan(client, due_at=soon)
    assert ids(client, "true") == set()
    import time

    time.sleep(2.5)
    assert ids(client, "true") == {due}  # the same statement, a later now


def test_the_sql_negates_a_condition_that_is_never_null() -> None:
    shown = list_statement(("unmet_overdue", "derived_overdue_0"), "created_at", True)
    sql = shown.compile(dialect=asyncpg.dialect()).string
    assert "NOT (loans.due_at IS NOT NULL AND loans.due_at < $" in sql, sql
    assert "loans.returned_at IS NULL)" in sql, sql
    assert "loans.user_id = $1" in sql, sql


def test_the_openapi_states_the_condition(client: TestClient) -> None:
    paths = client.app.openapi()["paths"]  # type: ignore[attr-defined]
    params = {p["name"]: p for p in paths[URL]["get"]["parameters"]}
    overdue = params["overdue"]
    assert overdue["schema"]["anyOf"][0] == {"type": "boolean"}
    assert overdue["description"].startswith("Only loans past their due date")
    assert "due_at < now (the request's time, UTC) and returned_at is null" in overdue[
        "description"
    ]
    assert "starred" not in params
    tools = {p["name"]: p for p in paths["/api/tools"]["get"]["parameters"]}
    assert "next_service_on <= today (UTC)" in tools["service_due"]["description"]
"""


@pytest.fixture(scope="module")
def shed_backend(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("shed") / "project"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("expected.plan.yaml"))
    gathered = sp_backend("gather", "toolshed", "--root", str(root))
    assert gathered.returncode == 0, gathered.stderr
    emitted = sp_backend("emit", "toolshed", "--root", str(root), "--with-tests")
    assert emitted.returncode == 0, emitted.stderr
    backend = root / "backend"
    (backend / "tests" / "test_derived_probe.py").write_text(PROBE)
    return backend


def test_the_generated_suite_tests_each_derived_filter(shed_backend: Path) -> None:
    loans = (shed_backend / "tests" / "test_loans.py").read_text()
    assert "def test_list_overdue_splits_rows_by_its_condition" in loans
    assert '{"due_at": None, "returned_at": None}' in loans  # a NULL due date: not overdue
    tools = (shed_backend / "tests" / "test_tools.py").read_text()
    for name in ("in_stock", "service_due"):
        assert f"def test_list_{name}_splits_rows_by_its_condition" in tools
        assert f"def test_list_{name}_takes_true_or_false_only" in tools
    service = (shed_backend / "app" / "services" / "loan_service.py").read_text()
    assert 'where["derived_overdue_0"] = datetime.now(UTC)' in service


def test_derived_filters_answer_exactly_on_sqlite(shed_backend: Path) -> None:
    result = run_generated_tests(shed_backend)
    assert result.returncode == 0, result.stdout[-4000:]


def test_derived_filters_answer_exactly_on_postgres(
    shed_backend: Path, postgres_database: str
) -> None:
    result = run_generated_tests(shed_backend, postgres_database)
    assert result.returncode == 0, result.stdout[-4000:]


def test_the_bakery_plan_emits_every_clause_form(tmp_path: Path) -> None:
    """Literals of each type, both clock words, a timestamp (tests/test_generated_types.py
    checks the same backend with ruff and mypy --strict, test_emit.py runs its suite)."""
    plan = PLAN_FIXTURES / "bakery.plan.yaml"
    root = make_project(tmp_path, plan)
    emitted = sp_backend("emit", "bakery", "--root", str(root), "--with-tests")
    assert emitted.returncode == 0, emitted.stderr
    backend = root / "backend"
    schema = (backend / "app" / "schemas" / "batch.py").read_text()
    assert 'from_: QueryFlag | None = Field(\n        None,\n        alias="from"' in schema
    service = (backend / "app" / "services" / "batch_service.py").read_text()
    assert 'bindparam("derived_cheaprye_1", Decimal("3.50")' in service
    assert 'where["derived_from__0"] = datetime.now(UTC).date()' in service
    chosen = "in_stock or stale or from or rye or recent"
    result = run_generated_tests(backend, extra=("-k", chosen))
    assert result.returncode == 0, result.stdout[-4000:]
