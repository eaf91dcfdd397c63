"""JSON keys as the contract spells them: `json_names: camelCase` per resource and `json_name`
per field, validated, served on the wire (bodies, answers, filters, sort words, owner and
timestamps) while columns keep their snake_case names, and read from the contract's bodies."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from pydantic import ValidationError

from conftest import PLAN_FIXTURES, make_project, run_generated_tests, sp_backend
from sp_backend.plan.model import Resource, camel_case
from sp_backend.readers.gather import gather


def resource(**extra: object) -> Resource:
    data: dict[str, object] = {
        "table": "invoices",
        "path": "/api/invoices",
        "fields": {"due_on": {"type": "date"}, "amount_cents": {"type": "int"}},
    }
    data.update(extra)
    return Resource.model_validate(data)


@pytest.mark.parametrize(
    ("name", "wire"),
    [("due_date", "dueDate"), ("a_b_c", "aBC"), ("amount", "amount"), ("line_2", "line2")],
)
def test_camel_case(name: str, wire: str) -> None:
    assert camel_case(name) == wire


def test_wire_names_follow_the_convention_and_the_overrides() -> None:
    plain = resource()
    assert plain.wire("due_on") == "due_on" and plain.wire("created_at") == "created_at"
    camel = resource(
        json_names="camelCase",
        fields={"due_on": {"type": "date"}, "vat_id": {"type": "str", "json_name": "VATId"}},
    )
    assert camel.wire_names() == {
        "id": "id",
        "user_id": "userId",
        "due_on": "dueOn",
        "vat_id": "VATId",
        "created_at": "createdAt",
        "updated_at": "updatedAt",
    }


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            {"fields": {"due_on": {"type": "date"}, "due": {"type": "str", "json_name": "due_on"}}},
            "both have the JSON key 'due_on'",
        ),
        (
            {
                "json_names": "camelCase",
                "fields": {"total": {"type": "int", "json_name": "createdAt"}},
            },
            "both have the JSON key 'createdAt'",
        ),
        ({"json_names": "kebab-case"}, "json_names"),
        ({"fields": {"due_on": {"type": "date", "json_name": "due-on"}}}, "json_name"),
    ],
)
def test_clashing_or_malformed_names_are_refused(extra: dict, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        resource(**extra)
    assert message in str(caught.value)


def test_a_clash_is_located_in_the_plan_file(tmp_path: Path) -> None:
    root = make_project(tmp_path, PLAN_FIXTURES / "parts.plan.yaml")
    path = root / "specs" / "backend" / "parts.plan.yaml"
    text = path.read_text().replace("json_name: SKU", "json_name: name")
    path.write_text(text)
    result = sp_backend("validate", "parts", "--root", str(root))
    assert result.returncode == 3, result.stdout + result.stderr
    out = result.stdout + result.stderr
    assert "parts.plan.yaml:" in out and "resources.part" in out and "'name'" in out


def test_plan_schema_documents_the_keys() -> None:
    result = sp_backend("plan-schema")
    assert result.returncode == 0, result.stderr
    defs = json.loads(result.stdout)["$defs"]
    assert defs["Resource"]["properties"]["json_names"]["examples"] == ["camelCase"]
    assert defs["FieldSpec"]["properties"]["json_name"]["description"]


# The generated suite already speaks the wire names (it passes in test_generated_backends);
# this probe asserts what it takes for granted: the snake_case spellings are refused.
PROBE = """
from fastapi.testclient import TestClient

from tests.conftest import auth


def test_snake_case_keys_are_not_the_contract(client: TestClient) -> None:
    body = {"reference": "R-1", "weight_kg": 2.5}
    assert client.post("/api/shipments", json=body, headers=auth()).status_code == 422
    body = {"reference": "R-1", "weightKg": 2.5, "carrierCode": "UPS-100"}
    created = client.post("/api/shipments", json=body, headers=auth())
    assert created.status_code == 201, created.text
    assert set(created.json()) == {
        "id", "userId", "reference", "weightKg", "carrierCode", "isFragile", "deliveredOn",
        "createdAt", "updatedAt",
    }
    row = client.get(f"/api/shipments/{created.json()['id']}", headers=auth()).json()
    assert row["weightKg"] == 2.5 and "weight_kg" not in row


def test_a_field_named_otherwise_keeps_its_own_key(client: TestClient) -> None:
    snake = client.post("/api/parts", json={"sku": "A", "name": "Bolt"}, headers=auth())
    assert snake.status_code == 422
    made = client.post("/api/parts", json={"SKU": "A-1", "name": "Bolt"}, headers=auth())
    assert made.status_code == 201, made.text
    found = client.get("/api/parts", params={"SKU": "A-1"}, headers=auth()).json()
    assert [p["SKU"] for p in found] == ["A-1"]


def test_sort_words_and_filters_are_the_wire_names(client: TestClient) -> None:
    for n, days in enumerate((9, 3, 5)):
        body = {"name": f"Supplier {n}", "leadTimeDays": days}
        assert client.post("/api/suppliers", json=body, headers=auth()).status_code == 201
    page = client.get("/api/suppliers", params={"sort_by": "leadTimeDays"}, headers=auth())
    assert [s["leadTimeDays"] for s in page.json()["results"]] == [3, 5, 9]
    refused = client.get("/api/suppliers", params={"sort_by": "lead_time_days"}, headers=auth())
    assert refused.status_code == 422
    only = client.get("/api/suppliers", params={"leadTimeDays": 5}, headers=auth()).json()
    assert [s["leadTimeDays"] for s in only["results"]] == [5]


def test_the_openapi_states_the_wire_names(client: TestClient) -> None:
    doc = client.app.openapi()
    schemas = doc["components"]["schemas"]
    assert "weightKg" in schemas["ShipmentCreate"]["properties"]
    assert "createdAt" in schemas["ShipmentPublic"]["properties"]
    assert "weight_kg" not in schemas["ShipmentPublic"]["properties"]
    names = [p["name"] for p in doc["paths"]["/api/suppliers"]["get"]["parameters"]]
    assert "leadTimeDays" in names and "lead_time_days" not in names
"""


def test_the_backend_answers_under_the_wire_names(tmp_path: Path) -> None:
    root = make_project(tmp_path, PLAN_FIXTURES / "parts.plan.yaml")
    result = sp_backend("emit", "parts", "--root", str(root), "--with-tests")
    assert result.returncode == 0, result.stdout + result.stderr
    backend = root / "backend"
    (backend / "tests" / "test_wire_probe.py").write_text(PROBE)
    run = run_generated_tests(backend, extra=("tests/test_wire_probe.py",))
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "4 passed" in run.stdout


def _contract(tmp_path: Path, body: str) -> Path:
    root = tmp_path / "project"
    (root / "specs" / "api").mkdir(parents=True)
    (root / "specs" / "api" / "fares-endpoints.md").write_text(textwrap.dedent(body))
    return root


FARES = """
    # Fares

    ## GET /api/fares
    Response (200):
    ```json
    {"items": [{"id": 1, "zoneFrom": "A", "zoneTo": "C", "priceCents": 250,
                "createdAt": "2030-01-01T00:00:00Z"}]}
    ```

    ## POST /api/fares
    Request body:
    ```json
    {"zoneFrom": "A", "zoneTo": "C", "priceCents": 250}
    ```
    Response (201): the fare.
"""


def test_the_reader_takes_camel_case_from_the_contracts_bodies(tmp_path: Path) -> None:
    plan = gather(_contract(tmp_path, FARES), "fares").plan
    fare = plan.resources["fare"]
    assert fare.json_names == "camelCase"
    assert set(fare.fields) == {"zone_from", "zone_to", "price_cents"}
    assert fare.wire("price_cents") == "priceCents"
    assert not [u for u in plan.unresolved if "camel" in u.what.lower()]


def test_a_mixed_contract_keeps_each_key_and_says_so(tmp_path: Path) -> None:
    mixed = FARES.replace('"zoneTo"', '"zone_to"')
    plan = gather(_contract(tmp_path, mixed), "fares").plan
    fare = plan.resources["fare"]
    assert fare.json_names == "snake_case"
    assert fare.wire("zone_from") == "zoneFrom" and fare.wire("zone_to") == "zone_to"
    assert any("mixes camelCase" in u.what for u in plan.unresolved)
