"""Ids the client gives (issue 17: slugs, codes; plan id_given): what the plan refuses and where,
what emit writes (the key, the foreign keys that name such rows), and what the readers take from
a contract. The generated suites of tests/fixtures/plans/hive-slugs.plan.yaml and of the
trail-handbook spec fixture run on SQLite and PostgreSQL with the other fixtures' (creating
with a given id, a duplicate 409, invalid ids, isolation, another user's same id)."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from sp_backend.emit.context import build_project
from sp_backend.emit.migrations import feature_tables
from sp_backend.errors import PlanError
from sp_backend.plan.load import load_plan, parse_plan
from sp_backend.readers.gather import gather
from tests.conftest import make_project, sp_backend

REPO = Path(__file__).resolve().parents[1]
APIARY = REPO / "tests" / "fixtures" / "plans" / "hive-slugs.plan.yaml"
SLUG = "^[a-z0-9]+(-[a-z0-9]+)*$"


def plan_text(keys: str, *, harvest: str = "", errors: str = "") -> str:
    """A plan with a hive resource whose id keys are `keys` (YAML) and, with `harvest`, a
    harvest whose hive_id refers to it (its keys in YAML flow)."""
    resources: dict[str, Any] = {
        "hive": {
            "table": "hives",
            "path": "/api/hives",
            **yaml.safe_load(keys),
            "fields": {"site": {"type": "str", "max_length": 40}},
        }
    }
    if harvest:
        resources["harvest"] = {
            "table": "harvests",
            "path": "/api/harvests",
            "fields": {"hive_id": yaml.safe_load(f"{{{harvest}}}")},
        }
    plan: dict[str, Any] = {"plan_version": 1, "feature": "apiary", "resources": resources}
    if errors:
        plan["errors"] = yaml.safe_load(errors)
    return yaml.safe_dump(plan, sort_keys=False)


def given(pattern: str | None = SLUG, extra: str = "") -> str:
    shown = "" if pattern is None else f"pattern: '{pattern}', "
    return f"id: str\nid_given: {{{shown}max_length: 40{extra}}}"


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (given(None), "a client-given id states the pattern it must match"),
        (given("^[a-z/]+$"), "allows '/': an id is one segment of a URL path"),
        (given("^.+$"), "allows '/', '?', '#', '%'"),
        (given("^[^ ]+$"), "allows '/'"),
        (given("^[a-z0-9-]*$"), "matches an empty id"),
        (given("[a-z]+"), "must be anchored (^...$)"),
        (given("^[a-z.]+$"), "matches '.', which a URL path reads as a directory step"),
        (given("^[a-z+$"), "is not a regular expression"),
        (given(extra=", example: Blue Room"), "example 'Blue Room' does not match"),
        ("id: str\nid_given: {pattern: '^[a-z]+$', max_length: 0}", "greater than or equal to 1"),
        (f"id: uuid\nid_given: {{pattern: '{SLUG}', max_length: 40}}", "is text (id: str)"),
        (
            f"id: str\nid_prefix: hv_\nid_given: {{pattern: '{SLUG}', max_length: 40}}",
            "id_given and id_prefix: an id is either given by the client or made by the server",
        ),
        (
            given() + "\nowner: null\naccess: {write: signed_in}",
            "",  # unowned: unique across the table, accepted
        ),
        (
            f"id: str\nowner: null\nid_given: {{pattern: '{SLUG}', max_length: 40, unique: owner}}",
            "'owner' needs an owner column",
        ),
        (given() + "\naccess: {read: public}", "access.read reaches other users' rows"),
        (given() + "\naccess: {read: signed_in}", "access.read reaches other users' rows"),
        (given() + "\naccess: {every_row: [admin]}", "access.every_row reaches other users' rows"),
    ],
)
def test_nonsense_given_ids_are_refused_with_their_place(keys: str, expected: str) -> None:
    if not expected:
        parse_plan(plan_text(keys), "apiary.plan.yaml")
        return
    with pytest.raises(PlanError) as info:
        parse_plan(plan_text(keys), "apiary.plan.yaml")
    message = str(info.value)
    assert expected in message
    assert re.match(r"apiary\.plan\.yaml:\d+: resources\.hive", message), message  # the place


def test_global_ids_may_reach_other_users_rows() -> None:
    """unique: global names one row per id, so reading every user's rows is sound."""
    plan = parse_plan(plan_text(given(extra=", unique: global") + "\naccess: {read: public}"))
    assert plan.resources["hive"].id_unique == "global"
    assert not plan.resources["hive"].keyed_per_owner


def test_a_given_id_is_its_pattern_and_length_and_unique_per_owner_by_default() -> None:
    hive = parse_plan(plan_text(given())).resources["hive"]
    assert (hive.id_pattern, hive.id_length, hive.id_unique) == (SLUG, 40, "owner")
    assert hive.keyed_per_owner


def test_per_owner_ids_with_a_403_for_others_rows_are_refused() -> None:
    """403 for another user's row would tell the caller that an id exists there: refused."""
    plan = parse_plan(plan_text(given(), errors="{not_owner_status: 403}"))
    with pytest.raises(PlanError, match=r"resources\.hive\.id_given: ids unique per owner"):
        build_project([plan], "apiary")
    globally = parse_plan(
        plan_text(given(extra=", unique: global"), errors="{not_owner_status: 403}")
    )
    build_project([globally], "apiary")


def test_a_reference_to_per_owner_ids_cannot_set_null() -> None:
    harvest = "type: str, references: {resource: hive, on_delete: set_null}"
    plan = parse_plan(plan_text(given(), harvest=harvest))
    with pytest.raises(PlanError, match=r"hive_id\.references\.on_delete: 'hive' ids are given"):
        build_project([plan], "apiary")


def test_a_reference_to_per_owner_ids_is_a_composite_foreign_key() -> None:
    harvest = "type: str, required: true, references: {resource: hive, on_delete: restrict}"
    plan = parse_plan(plan_text(given(), harvest=harvest))
    view = build_project([plan], "apiary")
    tables = feature_tables(view, "apiary")
    assert tables["hives"]["primary_key"] == ["id", "user_id"]
    (fk,) = tables["harvests"]["foreign_keys"]
    assert fk["columns"] == ["hive_id", "user_id"]
    assert fk["references"] == {"table": "hives", "columns": ["id", "user_id"]}
    harvest_view = next(r for r in view.resources if r.name == "harvest")
    field = next(f for f in harvest_view.fields if f.name == "hive_id")
    assert field.spec.pattern == SLUG and field.spec.max_length == 40
    assert "foreign_key" not in field.model_decl and "index=True" in field.model_decl
    globally = parse_plan(plan_text(given(extra=", unique: global"), harvest=harvest))
    tables = feature_tables(build_project([globally], "apiary"), "apiary")
    assert tables["hives"]["primary_key"] == ["id"]
    assert tables["harvests"]["foreign_keys"][0]["columns"] == ["hive_id"]


def test_emitted_backend_takes_ids_from_the_client(tmp_path: Path) -> None:
    root = make_project(tmp_path, APIARY)
    result = sp_backend("emit", "hive-slugs", "--root", str(root), "--with-tests")
    assert result.returncode == 0, result.stderr
    backend = root / "backend"
    model = (backend / "app" / "models" / "hive.py").read_text()
    assert "id: str = Field(primary_key=True, max_length=40)" in model
    assert "user_id: UUID = Field(primary_key=True, nullable=False)" in model
    assert "secrets" not in model  # nothing makes ids
    schema = (backend / "app" / "schemas" / "hive.py").read_text()
    assert 'id: str = Field(..., max_length=40, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")' in schema
    assert '"id": "id"' in schema  # immutable: PATCH refuses it by its key
    router = (backend / "app" / "routers" / "hives.py").read_text()
    assert 'Path(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=40' in router
    inspection = (backend / "app" / "models" / "inspection.py").read_text()
    assert '["hive_id", "user_id"],\n            ["hives.id", "hives.user_id"]' in inspection
    revision = next((backend / "migrations" / "versions").glob("*.py")).read_text()
    assert 'sa.PrimaryKeyConstraint("id", "user_id")' in revision
    assert re.search(r'sa\.ForeignKeyConstraint\(\s*\["hive_id", "user_id"\]', revision)
    queens = (backend / "app" / "models" / "queen_line.py").read_text()
    assert "user_id: UUID = Field(nullable=False)" in queens  # global: the id alone is the key
    tests = (backend / "tests" / "test_hives.py").read_text()
    assert "def test_another_user_may_give_the_same_id_and_sees_only_their_own" in tests
    assert "def test_an_id_given_twice_is_409" in tests
    queen_tests = (backend / "tests" / "test_queen_lines.py").read_text()
    assert "def test_an_id_another_user_holds_is_409_and_their_row_is_untouched" in queen_tests


def test_the_hive_slugs_fixture_is_a_valid_plan() -> None:
    plan = load_plan(APIARY)
    assert {n: r.id_unique for n, r in plan.resources.items()} == {
        "hive": "owner",
        "inspection": None,
        "harvest": None,
        "queen_line": "global",
    }


# -- readers ------------------------------------------------------------------------------------

VENUE = '{$ref: "#/components/schemas/Venue"}'


def _openapi(tmp_path: Path, *, id_schema: str, param: str, extra_paths: str = "") -> Path:
    """A venues contract: `id_schema` in the Venue schema, `param` the path id's schema."""
    root = tmp_path / "venues"
    (root / "specs" / "api").mkdir(parents=True)
    (root / "specs" / "api" / "openapi.yaml").write_text(
        textwrap.dedent(
            f"""\
            openapi: 3.1.0
            info: {{title: Venues, version: "1"}}
            components:
              securitySchemes:
                bearer: {{type: http, scheme: bearer, bearerFormat: JWT}}
              schemas:
                Venue:
                  type: object
                  properties:
                    id: {id_schema}
                    name: {{type: string, maxLength: 80}}
                  required: [id, name]
            security: [{{bearer: []}}]
            paths:
              /venues:
                post:
                  requestBody:
                    content: {{application/json: {{schema: {VENUE}}}}}
                  responses:
                    "201":
                      description: made
                      content: {{application/json: {{schema: {VENUE}}}}}
                    "409": {{description: that slug is taken}}
              /venues/{{venue_id}}:
                get:
                  parameters:
                    - {{name: venue_id, in: path, required: true, schema: {param}}}
                  responses:
                    "200":
                      description: the venue
                      content: {{application/json: {{schema: {VENUE}}}}}
            {extra_paths}"""
        )
    )
    return root


def test_openapi_path_pattern_and_a_body_carrying_the_id_give_it(tmp_path: Path) -> None:
    param = '{type: string, pattern: "^[a-z][a-z0-9-]{2,31}$", maxLength: 32}'
    root = _openapi(tmp_path, id_schema="{type: string, example: blue-room}", param=param)
    plan = gather(root, "venues").plan
    venue = plan.resources["venue"]
    assert venue.id == "str" and venue.id_given is not None
    assert (venue.id_given.pattern, venue.id_given.max_length) == ("^[a-z][a-z0-9-]{2,31}$", 32)
    assert venue.id_given.example == "blue-room" and venue.id_unique == "owner"
    assert venue.id_given.source and venue.id_given.source.startswith("specs/api/openapi.yaml:")
    assert not [u for u in plan.unresolved if u.what.startswith("venue.id")]


def test_the_patterns_bound_is_the_length_when_none_is_stated(tmp_path: Path) -> None:
    schema = '{type: string, pattern: "^[A-Z]{3}-[0-9]{2}$"}'
    venue = gather(_openapi(tmp_path, id_schema=schema, param=schema), "venues").plan
    assert venue.resources["venue"].id_given is not None
    assert venue.resources["venue"].id_given.max_length == 6


@pytest.mark.parametrize(
    ("schema", "said"),
    [
        ("{type: string}", "the contract states no pattern for it"),
        ('{type: string, pattern: "^[a-z0-9/]+$", maxLength: 40}', "allows '/'"),
        ('{type: string, pattern: "^[a-z-]+$"}', "its longest length is not stated"),
    ],
)
def test_ids_the_client_gives_that_cannot_be_keys_are_unresolved(
    tmp_path: Path, schema: str, said: str
) -> None:
    plan = gather(_openapi(tmp_path, id_schema=schema, param="{type: string}"), "venues").plan
    assert plan.resources["venue"].id == "uuid" and plan.resources["venue"].id_given is None
    notes = [u.what for u in plan.unresolved if u.what.startswith("venue.id")]
    assert len(notes) == 1 and said in notes[0], notes


def test_two_patterns_for_one_id_are_unresolved(tmp_path: Path) -> None:
    schema = '{type: string, pattern: "^[a-z]+$", maxLength: 20}'
    param = '{type: string, pattern: "^[a-z0-9]+$", maxLength: 20}'
    plan = gather(_openapi(tmp_path, id_schema=schema, param=param), "venues").plan
    notes = [u.what for u in plan.unresolved if u.what.startswith("venue.id")]
    assert notes and "different patterns" in notes[0]


def test_a_read_only_id_in_a_shared_schema_is_the_servers(tmp_path: Path) -> None:
    """A schema shared by request and answer, its id marked readOnly: not the client's."""
    schema = "{type: string, format: uuid, readOnly: true}"
    plan = gather(_openapi(tmp_path, id_schema=schema, param="{type: string}"), "venues").plan
    assert plan.resources["venue"].id == "uuid" and plan.resources["venue"].id_given is None
    assert not [u for u in plan.unresolved if "client" in u.what]


def test_put_to_create_gives_the_id_and_says_it_is_served_by_post(tmp_path: Path) -> None:
    root = tmp_path / "rooms"
    (root / "specs" / "api").mkdir(parents=True)
    (root / "specs" / "api" / "openapi.yaml").write_text(
        textwrap.dedent(
            """\
            openapi: 3.1.0
            info: {title: Rooms, version: "1"}
            components:
              securitySchemes:
                bearer: {type: http, scheme: bearer, bearerFormat: JWT}
              schemas:
                Room:
                  type: object
                  properties:
                    id: {type: string, readOnly: true}
                    seats: {type: integer, minimum: 1}
            security: [{bearer: []}]
            paths:
              /rooms:
                get:
                  responses:
                    "200": {description: the rooms}
              /rooms/{room_code}:
                parameters:
                  - name: room_code
                    in: path
                    required: true
                    schema: {type: string, pattern: "^[a-z]{2,12}$"}
                put:
                  requestBody:
                    content: {application/json: {schema: {$ref: "#/components/schemas/Room"}}}
                  responses:
                    "201": {description: created at the code the caller chose}
                    "200": {description: replaced}
                get:
                  responses:
                    "200": {description: the room}
            """
        )
    )
    plan = gather(root, "rooms").plan
    room = plan.resources["room"]
    assert room.id_given is not None
    assert (room.id_given.pattern, room.id_given.max_length) == ("^[a-z]{2,12}$", 12)
    notes = [u.what for u in plan.unresolved if u.what.startswith("PUT ")]
    assert notes == [
        "PUT /rooms/{room_code}: creates the row at the id the client gives (201), which the "
        "backend does not generate"
    ]


def _markdown(tmp_path: Path, id_row: str, prose: str = "") -> Path:
    root = tmp_path / "kennels"
    (root / "specs" / "api").mkdir(parents=True)
    (root / "specs" / "api" / "kennels.md").write_text(
        textwrap.dedent(
            f"""\
            # Kennels

            Requests carry a bearer token (HS256, secret in `KENNEL_SECRET`). {prose}

            ## The kennel

            | Field | Type | Notes |
            |---|---|---|
            {id_row}
            | name | string | required, up to 60 characters |

            ## POST /api/kennels

            Answers 201 with the kennel.

            ## GET /api/kennels/{{kennel_id}}

            Answers 200 with it, or 404.
            """
        )
    )
    return root


@pytest.mark.parametrize(
    "words",
    [
        "primary key, given by the client, pattern `^[a-z]{3}[0-9]{2}$`",
        "the code the caller picks it when registering, pattern ^[a-z]{3}[0-9]{2}$",
        "user-defined key; pattern: `^[a-z]{3}[0-9]{2}$`",
    ],
)
def test_markdown_words_say_the_client_gives_the_id(tmp_path: Path, words: str) -> None:
    plan = gather(_markdown(tmp_path, f"| id | string | {words} |"), "kennels").plan
    kennel = plan.resources["kennel"]
    assert kennel.id_given is not None, plan.unresolved
    assert (kennel.id_given.pattern, kennel.id_given.max_length) == ("^[a-z]{3}[0-9]{2}$", 5)
    assert kennel.id_given.source and ":9" in kennel.id_given.source  # the id's row
    assert kennel.id_unique == "owner"


def test_markdown_global_uniqueness_is_read(tmp_path: Path) -> None:
    row = "| id | string | client-chosen, globally unique, pattern `^[a-z]{3}[0-9]{2}$` |"
    kennel = gather(_markdown(tmp_path, row), "kennels").plan.resources["kennel"]
    assert kennel.id_unique == "global"


def test_a_client_chosen_uuid_is_unresolved(tmp_path: Path) -> None:
    row = "| id | uuid | primary key, generated by the app and supplied by the caller |"
    plan = gather(_markdown(tmp_path, row), "kennels").plan
    assert plan.resources["kennel"].id == "uuid"
    notes = [u.what for u in plan.unresolved if u.what.startswith("kennel.id")]
    assert notes == [
        "kennel.id: the client gives the id on create, and ids are uuid; only text ids the "
        "client gives (a slug, a code) are planned"
    ]
