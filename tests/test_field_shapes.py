"""The types and shapes real contracts use (issue 17): email, uri, list[int], object and
list[object] fields. The plan refuses what cannot be emitted with a located message, `validate`
and `emit` refuse the same plan alike, and the readers fill the types from OpenAPI, Markdown
tables and JSON examples. The generated backends themselves are exercised by the sightings plan
fixture and the venue-directory-json spec fixture (tests/test_generated_types.py,
tests/readers/test_gather_to_backend.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import make_project, sp_backend
from sp_backend.errors import PlanError
from sp_backend.plan.load import parse_plan, plan_json_schema
from sp_backend.plan.model import CONSTRAINTS_BY_TYPE, FieldSpec
from sp_backend.readers.markdown import Doc
from sp_backend.readers.tsbody import ts_fields
from sp_backend.readers.types import members_of_value, parse_type, type_of_value

# A beekeepers' hive register, edited per case (not a fixture's domain).
BASE = """\
plan_version: 1
feature: hives
auth: {mode: shared-secret, secret_env: HIVES_SECRET}
resources:
  hive:
    table: hives
    path: /api/hives
    fields:
      name: {type: str, required: true, max_length: 40}
      FIELD
    operations:
      read: {}
"""


def plan_with(field: str) -> str:
    return BASE.replace("FIELD", field)


def test_the_new_types_are_accepted() -> None:
    plan = parse_plan(
        plan_with(
            "keeper: {type: email, unique: true}\n"
            "      site: {type: uri, max_length: 300}\n"
            '      frames: {type: "list[int]", max_items: 10, item_ge: 0, item_le: 100}\n'
            "      apiary: {type: object, required: true, fields: {lat: {type: float, ge: -90, "
            "le: 90}, spot: {type: object, fields: {row: {type: int}}}}}\n"
            '      inspections: {type: "list[object]", default: [], fields: {by: {type: email}}}'
        )
    )
    fields = plan.resources["hive"].fields
    assert fields["apiary"].fields is not None
    assert fields["apiary"].fields["spot"].fields == {"row": FieldSpec(type="int")}
    assert fields["frames"].item_le == 100


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        (
            'frames: {type: "list[str]", item_ge: 1}',
            "item_ge/item_le apply to list[int], not list[str]",
        ),
        ("site: {type: uri, pattern: '^https'}", "pattern applies to str or text, not uri"),
        ("keeper: {type: email, max_length: 3}", "max_length 3 leaves no valid email"),
        ("apiary: {type: object}", "object needs fields"),
        (
            "apiary: {type: str, fields: {a: {type: int}}}",
            "fields applies to object or list[object]",
        ),
        (
            "apiary: {type: object, fields: {seen: {type: date}}}",
            "fields.seen: date cannot be held inside a JSON object",
        ),
        (
            "apiary: {type: object, fields: {code: {type: str, unique: true}}}",
            "fields.code: unique applies to a resource's own fields",
        ),
        ("apiary: {type: object, fields: {json: {type: str}}}", "fields.json: the name is taken"),
        (
            "apiary: {type: object, default: {}, fields: {a: {type: int}}}",
            "does not fit type object",
        ),
        ('frames: {type: "list[int]", default: [true]}', "does not fit type list[int]"),
        ("keeper: {type: email, unique: true, values: [a]}", "values applies to enum, not email"),
        (
            "apiary: {type: object, fields: {a: {type: int, ge: 5, le: 1}}}",
            "lower bound 5.0 > upper bound 1.0",
        ),
    ],
)
def test_the_plan_refuses_what_cannot_be_emitted_naming_the_line(field: str, expected: str) -> None:
    with pytest.raises(PlanError) as err:
        parse_plan(plan_with(field), "hives.plan.yaml")
    message = str(err.value)
    assert message.startswith("hives.plan.yaml:10: resources.hive.fields."), message
    assert expected in message, message


def test_an_email_is_filtered_by_equality_an_object_never_sorted_or_filtered() -> None:
    email = plan_with("keeper: {type: email}").replace("read: {}", "list: {filters: [keeper]}")
    assert parse_plan(email).resources["hive"].operations.list is not None
    apiary = "apiary: {type: object, fields: {a: {type: int}}}"
    sort = "list: {sort: {fields: [apiary, created_at], default: created_at}}"
    with pytest.raises(PlanError, match="sort field 'apiary': object cannot be sorted"):
        parse_plan(plan_with(apiary).replace("read: {}", sort))
    with pytest.raises(PlanError, match="'apiary' is object; equality filters accept"):
        parse_plan(plan_with(apiary).replace("read: {}", "list: {filters: [apiary]}"))


def test_plan_schema_states_the_constraint_table() -> None:
    # As `sp-backend plan-schema` prints it (FieldSpec holds itself: it is under $defs).
    described = plan_json_schema()["$defs"]["FieldSpec"]["properties"]["type"]["description"]
    assert "stored lowercased" in described and "PATCH replaces the whole object" in described
    for key in CONSTRAINTS_BY_TYPE:
        assert key in described, key
    assert "item_ge/item_le: list[int]" in described


def test_validate_and_emit_refuse_an_object_field_they_cannot_sample_alike(
    tmp_path: Path,
) -> None:
    """A pattern inside an object that no sample can match: both commands stop, same words."""
    root = make_project(tmp_path)
    plan = root / "specs" / "backend" / "hives.plan.yaml"
    plan.write_text(
        plan_with(
            "apiary: {type: object, fields: {code: {type: str, required: true, "
            "pattern: '^(?=x)y$'}}}"
        )
    )
    validated = sp_backend("validate", "hives", "--root", str(root))
    emitted = sp_backend("emit", "hives", "--root", str(root))
    assert validated.returncode != 0 and emitted.returncode != 0
    said = "resources.hive.fields.apiary.fields.code: pattern '^(?=x)y$' needs an example value"
    assert said in validated.stderr, validated.stderr
    assert said in emitted.stderr, emitted.stderr


# -- readers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "kind"),
    [
        ("email", "email"),
        ("Email address", "email"),
        ("URL", "uri"),
        ("website", "uri"),
        ("URL-safe slug", None),
        ("array of integers", "list[int]"),
        ("int[]", "list[int]"),
        ("list of objects", "list[object]"),
        ("object with street, city and postcode", "object"),
        ("object", "json"),
        ("array", "list[str]"),
    ],
)
def test_type_words(word: str, kind: str | None) -> None:
    assert parse_type(word) == kind


def test_example_values_give_nested_fields() -> None:
    assert type_of_value([3, 4]) == "list[int]"
    assert type_of_value({"lat": 52.1, "lng": 4.3}) == "object"
    assert type_of_value([{"frame": 1}]) == "list[object]"
    assert type_of_value({}) == "json"  # no fields to validate
    assert type_of_value({"a": None}) == "json"  # null says no type
    assert members_of_value({"spot": {"row": 2}, "seen": "2030-01-01"}) == {
        "spot": {"type": "object", "fields": {"row": {"type": "int"}}},
        "seen": {"type": "str"},  # a date is text inside a JSON object
    }


MARKDOWN = """\
# Swarm call-out contract

Tokens are HS256 JWTs signed with the secret in SWARMS_SECRET; the `sub` claim is the user id.

| Method | Path | Purpose | Status Codes |
|--------|------|---------|--------------|
| GET | /api/swarms | List reported swarms | 200 |
| POST | /api/swarms | Report a swarm | 201 / 422 |
| GET | /api/swarms/{id} | One swarm | 200 / 404 |
| DELETE | /api/swarms/{id} | Remove a swarm | 204 / 404 |

## Swarm

| Field | Type | Required | Notes |
|-------|------|----------|-------|
| reporter_email | email | yes | |
| photo | URL | no | max 400 characters |
| found_at | object with street, city and postcode | yes | |
| sizes | list of integers | no | |

A report as it is sent:

```json
{"reporter_email": "sam@example.org", "found_at": {"street": "1 Mill Lane", "city": "Ely",
 "postcode": "CB7 4AA"}, "sizes": [2, 3], "spot": {"lat": 52.4, "lng": 0.26}}
```
"""


def test_a_markdown_contract_gives_the_types(tmp_path: Path) -> None:
    root = tmp_path / "project"
    (root / "specs" / "api").mkdir(parents=True)
    (root / "specs" / "api" / "swarms.md").write_text(MARKDOWN)
    gathered = sp_backend("gather", "swarms", "--root", str(root))
    assert gathered.returncode == 0, gathered.stdout + gathered.stderr
    plan = yaml.safe_load((root / "specs" / "backend" / "swarms.plan.yaml").read_text())
    fields = plan["resources"]["swarm"]["fields"]
    assert fields["reporter_email"]["type"] == "email"
    assert fields["photo"]["type"] == "uri" and fields["photo"]["max_length"] == 400
    assert fields["found_at"]["type"] == "object"
    assert set(fields["found_at"]["fields"]) == {"street", "city", "postcode"}
    assert fields["sizes"]["type"] == "list[int]"
    # Only the example shows it: an object of two numbers, typed from their values.
    spot = fields["spot"]
    assert spot["type"] == "object"
    assert {k: v["type"] for k, v in spot["fields"].items()} == {"lat": "float", "lng": "float"}
    emitted = sp_backend("emit", "swarms", "--root", str(root))
    assert emitted.returncode == 0, emitted.stdout + emitted.stderr


def test_typescript_inline_object_types_are_objects_of_their_members() -> None:
    text = """{
  name: string;
  contact: string; // email
  apiary: { lat: number; lng: number };
  frames?: { label: string; weight?: integer }[];
  counts: Array<integer>;
  extra: { [key: string]: string };
}"""
    facts = {f.name: f for f in ts_fields(Doc(Path("x.md"), "x.md", ""), text, 1, 1, body=True)}
    assert facts["contact"].get("type") == "email"
    assert facts["apiary"].get("type") == "object"
    assert facts["apiary"].get("fields") == {
        "lat": {"type": "float", "required": True},
        "lng": {"type": "float", "required": True},
    }
    assert facts["frames"].get("type") == "list[object]"
    assert facts["frames"].get("fields")["weight"] == {"type": "int", "required": False}
    assert facts["counts"].get("type") == "list[int]"
    assert facts["extra"].get("type") == "json"  # an index signature names no fields


def test_an_objects_class_may_not_be_another_resources() -> None:
    text = plan_with("location: {type: object, fields: {lat: {type: float}}}") + (
        "  hive_location:\n    table: hive_locations\n    path: /api/hive-locations\n"
        "    fields: {label: {type: str}}\n    operations: {read: {}}\n"
    )
    with pytest.raises(PlanError, match="its class HiveLocation is the class of resources.hive_lo"):
        parse_plan(text)


def test_a_custom_operations_body_holds_objects_of_its_own(tmp_path: Path) -> None:
    """Objects in a custom operation's body and answer get classes named after the operation
    (its body's shape is its own), defined in the operations' schemas module."""
    root = make_project(tmp_path)
    plan = plan_with("apiary: {type: object, fields: {lat: {type: float}}}").replace(
        "read: {}",
        "read: {}\n      custom:\n        move:\n          method: POST\n"
        "          path: /{id}/move\n          request:\n"
        "            to: {type: object, required: true, fields: {lat: {type: float, "
        "required: true, ge: -90, le: 90}}}\n"
        "            checked_by: {type: email, required: true}\n"
        '            proofs: {type: "list[object]", fields: {url: {type: uri, required: true}}}\n'
        "          response: {moved_from: {type: object, fields: {lat: {type: float}}}}",
    )
    (root / "specs" / "backend" / "hives.plan.yaml").write_text(plan)
    emitted = sp_backend("emit", "hives", "--root", str(root))
    assert emitted.returncode == 0, emitted.stdout + emitted.stderr
    backend = root / "backend"
    module = backend / "app" / "schemas" / "hive_operations.py"
    lint = subprocess.run(
        [sys.executable, "-m", "ruff", "check", str(module)], capture_output=True, text=True
    )
    assert lint.returncode == 0, lint.stdout
    probe = (
        "from app.schemas.hive_operations import HiveMoveRequest as R\n"
        "from pydantic import ValidationError\n"
        "ok = R.model_validate({'to': {'lat': 1}, 'checked_by': 'Kim@Example.org',\n"
        "    'proofs': [{'url': 'https://example.org/p.jpg'}]})\n"
        "assert ok.checked_by == 'kim@example.org' and ok.to.lat == 1\n"
        "for bad in ({'to': {'lat': 91}}, {'to': {'lat': 1}, 'proofs': [{'url': 'ftp://x'}]}):\n"
        "    try:\n"
        "        R.model_validate({'checked_by': 'a@b.co', **bad})\n"
        "        raise AssertionError(bad)\n"
        "    except ValidationError:\n"
        "        pass\n"
        "import app.schemas.hive_operations as m\n"
        "print(sorted(n for n in vars(m) if n.startswith('HiveMove')))\n"
    )
    ran = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=backend)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.split() == [
        "['HiveMoveRequest',",
        "'HiveMoveRequestProofsItem',",
        "'HiveMoveRequestTo',",
        "'HiveMoveResponse',",
        "'HiveMoveResponseMovedFrom']",
    ]


def _generated_rules() -> object:
    """app/schemas/rules.py of the golden example backend, imported on its own."""
    import types

    path = Path(__file__).parent / "golden" / "task-crud" / "app" / "schemas" / "rules.py"
    # Executed from its text: an import would leave __pycache__ in the golden copy.
    module = types.ModuleType("golden_rules")
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), module.__dict__)
    return module


def test_the_generated_patterns_are_the_plans() -> None:
    from sp_backend.plan.model import EMAIL_PATTERN, URI_PATTERN

    rules = _generated_rules()
    assert rules.EMAIL_PATTERN == EMAIL_PATTERN  # type: ignore[attr-defined]
    assert rules.URI_PATTERN == URI_PATTERN  # type: ignore[attr-defined]


def test_what_an_email_or_uri_field_accepts_every_format_check_accepts() -> None:
    """The OpenAPI says format email / uri beside the pattern: a value the server takes must
    pass a client's format check (jsonschema-rs here), or a client refuses what it was sent."""
    import re

    import jsonschema_rs
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from pydantic import TypeAdapter, ValidationError

    from sp_backend.plan.model import EMAIL_PATTERN, URI_PATTERN

    rules = _generated_rules()
    email = TypeAdapter(rules.Email)  # type: ignore[attr-defined]
    uri = TypeAdapter(rules.HttpUri)  # type: ignore[attr-defined]
    formats = {
        name: jsonschema_rs.Draft202012Validator({"format": name}, validate_formats=True)
        for name in ("email", "uri")
    }

    def taken(adapter: TypeAdapter[str], value: str) -> bool:
        try:
            adapter.validate_python(value)
        except ValidationError:
            return False
        return True

    @settings(max_examples=3000, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.from_regex(EMAIL_PATTERN, fullmatch=True), st.from_regex(URI_PATTERN, fullmatch=True))
    def agree(address: str, link: str) -> None:
        if len(address) <= 320:
            assert taken(email, address) == formats["email"].is_valid(address), address
        if len(link) <= 2048:
            assert taken(uri, link) == formats["uri"].is_valid(link), link

    agree()
    # Values that the old, looser patterns took and format checks refuse.
    for address in ["ü\xa0@t\x85.\x0c®m", "a@ab--c.de", "a..b@c.de", "a" * 65 + "@b.co"]:
        assert not taken(email, address), address
    for link in ["https://āý\x0f\x0e¯n", "http://a b", "http://a/%zz"]:
        assert not taken(uri, link), link
    assert taken(email, "Ada.Lovelace+notes@Example.org")
    assert re.fullmatch(URI_PATTERN, "https://api.example.org:8443/a%20b?q=1#top")
