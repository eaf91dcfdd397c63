"""List filters beyond equality: any_of (?f=a,b or ?f=a&f=b) and ranges (?min_f=1). The plan
keys and their located refusals, the reader's naming forms, and emitted backends that answer
them exactly on SQLite and on PostgreSQL (whose reads go through asyncpg, which cannot expand
an IN list: each value is its own bound parameter)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import PLAN_FIXTURES, make_project, run_generated_tests, sp_backend
from sp_backend.errors import PlanError
from sp_backend.plan.load import parse_plan
from sp_backend.plan.model import ANY_OF_MAX, FIELD_TYPES, FILTER_TYPES
from sp_backend.readers.facts import Param
from sp_backend.readers.filters import read_any_of, read_range

TIDES = PLAN_FIXTURES / "tides.plan.yaml"

# A plan of another domain than the fixtures' (an orchard's harvest log), edited per case.
BASE = """\
plan_version: 1
feature: harvest
auth: {mode: shared-secret, secret_env: HARVEST_SECRET}
resources:
  crate:
    table: crates
    path: /api/crates
    fields:
      variety: {type: str, required: true, max_length: 40}
      grade: {type: enum, values: [extra, first, second]}
      weight_kg: {type: decimal, max_digits: 6, decimal_places: 2}
      picked_on: {type: date, required: true}
      bruised: {type: bool, default: false}
      remarks: {type: text}
    operations:
      list:
        pagination: {style: offset}
        search: [variety]
        search_param: q
        LIST
"""


def plan_with(listing: str) -> str:
    return BASE.replace("LIST", listing)


def test_the_table_says_which_types_each_kind_accepts() -> None:
    assert set(FILTER_TYPES) == {"equality", "any_of", "range"}
    for kind, types in FILTER_TYPES.items():
        assert types <= set(FIELD_TYPES), kind
    assert "bool" not in FILTER_TYPES["any_of"] and "str" not in FILTER_TYPES["range"]
    # a date's comma-separated form has no exact pattern the OpenAPI could state
    assert "date" not in FILTER_TYPES["any_of"]
    assert {"date", "datetime", "decimal", "int"} <= FILTER_TYPES["range"]


def test_a_plan_with_any_of_and_ranges_is_accepted() -> None:
    plan = parse_plan(
        plan_with(
            "any_of: [grade, variety]\n"
            "        ranges:\n"
            "          from: {field: picked_on, op: ge}\n"
            "          heavier_than: {field: weight_kg, op: gt}"
        )
    )
    listing = plan.resources["crate"].operations.list
    assert listing is not None and listing.any_of == ["grade", "variety"]
    assert {p: (r.field, r.op) for p, r in listing.ranges.items()} == {
        "from": ("picked_on", "ge"),
        "heavier_than": ("weight_kg", "gt"),
    }
    assert listing.filter_params == ["grade", "variety", "from", "heavier_than"]


@pytest.mark.parametrize(
    ("listing", "expected"),
    [
        ("any_of: [colour]", "operations.list.any_of[0]: list filter 'colour' is not a field"),
        ("any_of: [grade, bruised]", "any_of[1]: 'bruised' is bool; any_of filters accept"),
        ("filters: [grade]\n        any_of: [grade]", "any_of[0]: 'grade' is in filters too"),
        ("filters: [remarks]", "filters[0]: 'remarks' is text; equality filters accept"),
        ("ranges: {min_note: {field: remarks, op: ge}}", "ranges.min_note: 'remarks' is text"),
        ("ranges: {since: {field: season, op: ge}}", "ranges.since: list filter 'season' is not"),
        ("ranges: {limit: {field: picked_on, op: le}}", "ranges.limit: the name is taken"),
        ("ranges: {q: {field: picked_on, op: le}}", "ranges.q: the name is taken"),
        ("ranges: {sort: {field: picked_on, op: le}}", "ranges.sort: the name is taken"),
        ("ranges: {variety: {field: picked_on, op: le}}", "ranges.variety: the name is taken"),
        (
            "any_of: [grade]\n        ranges: {grade: {field: weight_kg, op: le}}",
            "ranges.grade: the name is taken",
        ),
        (
            "ranges:\n          min-kg: {field: weight_kg, op: ge}\n"
            "          min_kg: {field: weight_kg, op: ge}",
            "ranges.min_kg: the name reads as 'min_kg', which is taken",
        ),
        ("ranges: {page: {field: weight_kg, op: ge}}", "ranges.page: the name reads as 'page'"),
    ],
)
def test_bad_filters_are_refused_where_they_are(listing: str, expected: str) -> None:
    with pytest.raises(PlanError) as err:
        parse_plan(plan_with(listing), "specs/backend/harvest.plan.yaml")
    message = str(err.value)
    assert expected in message
    # file:line of the resource, then the key path inside it.
    assert message.startswith("specs/backend/harvest.plan.yaml:6: resources.crate: ")


def test_a_bound_needs_a_known_operator_at_its_own_line() -> None:
    text = plan_with("ranges:\n          heavy: {field: weight_kg, op: between}")
    with pytest.raises(PlanError) as err:
        parse_plan(text, "harvest.plan.yaml")
    line = text.splitlines().index("          heavy: {field: weight_kg, op: between}") + 1
    assert f"harvest.plan.yaml:{line}: " in str(err.value)
    assert "operations.list.ranges.heavy.op: 'between' is not allowed" in str(err.value)


# ---- reader --------------------------------------------------------------------------------

FIELDS = parse_plan(plan_with("filters: []")).resources["crate"].fields


def param(name: str, description: str = "", kind: str | None = None) -> Param:
    return Param(name, "query", "specs/api/crates.md:12", kind, None, description)


@pytest.mark.parametrize(
    ("name", "description", "bound"),
    [
        ("weight_kg_min", "", ("weight_kg", "ge")),
        ("min_weight_kg", "", ("weight_kg", "ge")),
        ("weight_max", "", ("weight_kg", "le")),  # a stem of the field's name
        ("maxWeight", "", ("weight_kg", "le")),  # camelCase
        ("weight_kg_gte", "", ("weight_kg", "ge")),
        ("weight_kg_lt", "", ("weight_kg", "lt")),
        ("picked_from", "", ("picked_on", "ge")),
        ("picked_to", "", ("picked_on", "le")),
        ("picked_after", "", ("picked_on", "gt")),
        ("picked_before", "", ("picked_on", "lt")),
        ("picked_before", "the day itself included (inclusive)", ("picked_on", "le")),
        ("picked_from", "exclusive", ("picked_on", "gt")),
        ("from", "earliest harvest day", ("picked_on", "ge")),  # the one date field
        ("until", "", ("picked_on", "le")),
    ],
)
def test_bounding_names_are_read_as_ranges(name: str, description: str, bound: tuple) -> None:
    reading = read_range(param(name, description), FIELDS)
    assert reading is not None and reading.range is not None, reading
    assert (reading.range.field, reading.range.op) == bound
    assert reading.range.source == "specs/api/crates.md:12"


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("price_min", "reads as a bound on 'price', which names no field"),
        ("variety_max", "'variety', a str field; range filters accept"),
    ],
)
def test_bounds_that_cannot_be_planned_say_why(name: str, problem: str) -> None:
    reading = read_range(param(name), FIELDS)
    assert reading is not None and reading.range is None
    assert reading.problem is not None and problem in reading.problem


def test_a_lone_from_needs_exactly_one_date_field() -> None:
    fields = (
        parse_plan(
            plan_with("filters: []").replace(
                "      bruised:", "      stored_on: {type: date}\n      bruised:"
            )
        )
        .resources["crate"]
        .fields
    )
    reading = read_range(param("from"), fields)
    assert reading is not None and reading.problem is not None
    assert "2 date fields could be meant (picked_on, stored_on)" in reading.problem
    named = read_range(param("from", "earliest stored_on"), fields)
    assert named is not None and named.range is not None and named.range.field == "stored_on"


def test_names_without_a_bounding_form_are_left_to_other_readers() -> None:
    assert read_range(param("grade"), FIELDS) is None
    assert read_range(param("organic"), FIELDS) is None


@pytest.mark.parametrize(
    ("name", "description", "kind"),
    [
        ("grade", "one or more of extra, first, second", None),
        ("grade", "comma-separated grades", None),
        ("variety", "may be repeated: ?variety=gala&variety=fuji", None),
        ("grade", "", "array"),
        ("grade", "", "string[]"),
    ],
)
def test_several_values_wording_or_types_give_any_of(
    name: str, description: str, kind: str | None
) -> None:
    reading = read_any_of(param(name, description, kind), FIELDS)
    assert reading is not None and reading.any_of == name
    # the backend reads commas only: a repeated parameter is planned with a note saying so
    assert (reading.note is not None) == ("repeated" in description), reading.note


def test_any_of_that_cannot_be_planned_says_why() -> None:
    assert read_any_of(param("grade", "exact grade"), FIELDS) is None  # equality, not any_of
    wrong = read_any_of(param("bruised", "one or more of true, false"), FIELDS)
    assert wrong is not None and wrong.problem and "a bool field; any_of filters" in wrong.problem
    plural = read_any_of(param("grades", "comma-separated"), FIELDS)
    assert plural is not None and plural.problem and "not named like it" in plural.problem


# ---- emitted backend -----------------------------------------------------------------------

# Requests against the tides fixture's backend (its generated suite tests each filter alone):
# filters combined, aliases for keyword names, the cap, and the SQL each statement sends.
PROBE = """\
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.dialects.postgresql import asyncpg

from app.services.reading_service import list_statement
from tests.conftest import auth

URL = "/api/readings"


def reading(client: TestClient, **values: Any) -> str:
    body = {
        "gauge": "DOVER",
        "observed_on": "2031-05-01",
        "observed_at": "2031-05-01T06:00:00Z",
        "level_cm": 100,
        **values,
    }
    response = client.post(URL, json=body, headers=auth())
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def ids(client: TestClient, params: Any) -> set[str]:
    response = client.get(URL, params=params, headers=auth())
    assert response.status_code == 200, response.text
    return {str(row["id"]) for row in response.json()["items"]}


def test_filters_combine_and_bind_every_value(client: TestClient) -> None:
    early = reading(client, observed_at="2031-05-01T01:00:00Z", quality=1)
    late = reading(client, observed_at="2031-05-01T23:00:00Z", quality=2)
    calais = reading(client, gauge="CALAIS", observed_at="2031-05-01T12:00:00Z", quality=5)
    brest = reading(client, gauge="BREST", level_cm=1500, water_temp=18.5, quality=4)
    assert ids(client, {"gauge": "DOVER,CALAIS"}) == {early, late, calais}
    assert ids(client, {"gauge": "DOVER,BREST,CALAIS"}) == {early, late, calais, brest}
    assert ids(client, {"gauge": "dover"}) == set()  # values match exactly
    # from/to are Python keywords: read through aliases; to is inclusive (le).
    window = {"from": "2031-05-01T00:30:00Z", "to": "2031-05-01T12:00:00+00:00"}
    assert ids(client, window) == {early, calais, brest}
    assert ids(client, {**window, "gauge": "DOVER"}) == {early}
    assert ids(client, {"gauge": "DOVER", "from": "2031-05-01T02:00:00Z"}) == {late}
    assert ids(client, {"quality": "1,5", "level_cm_lte": 1000}) == {early, calais}
    assert ids(client, {"warmer_than": 18.5}) == set()  # gt: the value itself is excluded
    assert ids(client, {"warmer_than": 18.4}) == {brest}
    # The cap: exactly ANY_OF_MAX values are taken, one more is refused, none is refused.
    many = ",".join(["DOVER"] * ANY_OF_MAX)
    assert ids(client, {"gauge": many}) == {early, late}
    refused = client.get(URL, params={"gauge": many + ",DOVER"}, headers=auth())
    assert refused.status_code == 422, refused.text
    for malformed in (",", "DOVER,", ""):
        response = client.get(URL, params={"gauge": malformed}, headers=auth())
        assert response.status_code == 422, malformed
    assert client.get(URL, params={"quality": "1,x"}, headers=auth()).status_code == 422
    assert client.get(URL, params={"quality": "9999999999"}, headers=auth()).status_code == 422
    assert client.get(URL, params={"to": "2031-05-01"}, headers=auth()).status_code == 422


def test_the_sql_holds_one_placeholder_per_value() -> None:
    names = (*(f"any_gauge_{i}" for i in range(3)), "range_from_")
    compiled = list_statement(names, False).compile(dialect=asyncpg.dialect())
    assert "POSTCOMPILE" not in compiled.string
    assert "readings.gauge IN ($2, $3, $4)" in compiled.string, compiled.string
    assert [*(compiled.positiontup or [])][:5] == ["owner", *names]


def test_the_openapi_states_the_filters(client: TestClient) -> None:
    paths = client.app.openapi()["paths"]  # type: ignore[attr-defined]
    operation = paths[URL]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert params["from"]["description"] == "observed_at >= this value (an ISO 8601 moment)."
    assert params["warmer_than"]["description"] == "water_temp > this value (a number)."
    gauge = params["gauge"]["schema"]["anyOf"][0]
    assert gauge == {"type": "string", "pattern": "^[^,]{1,16}(?:,[^,]{1,16}){0,19}$"}
    assert "comma-separated (a,b); at most 20" in params["gauge"]["description"]
    stations = paths["/api/stations"]["get"]["parameters"]
    (depth_min,) = [p for p in stations if p["name"] == "depth_min"]
    assert depth_min["schema"]["anyOf"][0]["pattern"].startswith("^-?[0-9]")
""".replace("ANY_OF_MAX", str(ANY_OF_MAX))


@pytest.fixture(scope="module")
def tides_backend(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(tmp_path_factory.mktemp("tides"), TIDES)
    emitted = sp_backend("emit", "tides", "--root", str(root), "--with-tests")
    assert emitted.returncode == 0, emitted.stderr
    backend = root / "backend"
    (backend / "tests" / "test_filter_probe.py").write_text(PROBE)
    return backend


def test_the_emitted_code_binds_and_indexes(tides_backend: Path) -> None:
    schema = (tides_backend / "app" / "schemas" / "reading.py").read_text()
    assert 'alias="from"' in schema and "from_: IsoDatetime | None" in schema
    assert 'gauge: str | None = Field(\n        None,\n        pattern=r"^[^,]{1,16}' in schema
    service = (tides_backend / "app" / "services" / "reading_service.py").read_text()
    assert ".in_(" in service and "_numbered(" in service
    model = (tides_backend / "app" / "models" / "reading.py").read_text()
    # filtered fields get the owner-first index equality filters get
    for name in ("gauge", "quality", "level_cm", "water_temp"):
        assert f'"ix_readings_user_id_{name}", "user_id", "{name}"' in model, name
    plan = yaml.safe_load(TIDES.read_text())
    assert plan["resources"]["reading"]["operations"]["list"]["ranges"]["from"]["op"] == "ge"


def test_filters_answer_exactly_on_sqlite(tides_backend: Path) -> None:
    result = run_generated_tests(tides_backend)
    assert result.returncode == 0, result.stdout[-4000:]


def test_filters_answer_exactly_on_postgres(tides_backend: Path, postgres_database: str) -> None:
    result = run_generated_tests(tides_backend, postgres_database)
    assert result.returncode == 0, result.stdout[-4000:]
