"""JSend answers and messages beside the data: responses.envelope 'status' ({"status":
"success", "data": {...}}), responses.message_key with resources.<name>.messages.answers (the
message per operation), errors.envelope 'status' ({"status": "error", "message"} / {"status":
"fail", "data": details}); validated with located errors, documented in plan-schema, emitted
for CRUD, lists, actions and custom operations that answer the resource, stated in OpenAPI.
The fixture (tests/fixtures/plans/choir/) has a custom operation, so its handler is written
here before the generated suite runs (on SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from conftest import PLAN_FIXTURES, make_project, run_generated_tests, sp_backend
from sp_backend.plan.model import BackendPlan

CHOIR = PLAN_FIXTURES / "choir" / "choir.plan.yaml"


def plan(**parts: object) -> BackendPlan:
    resource: dict[str, object] = {
        "table": "hikes",
        "path": "/api/hikes",
        "fields": {"trail": {"type": "str", "max_length": 50}},
        "operations": {"actions": {}},
    }
    resource.update(parts.pop("resource", {}))  # type: ignore[arg-type]
    return BackendPlan.model_validate(
        {"feature": "hikes", "resources": {"hike": resource}, **parts}
    )


def test_jsend_and_messages_are_accepted() -> None:
    p = plan(
        responses={"envelope": "status", "message_key": "msg"},
        errors={"envelope": "status", "details": "map"},
        resource={"messages": {"answers": {"create": "Hike planned", "list": "Hikes"}}},
    )
    assert (p.responses.envelope, p.responses.message_key, p.responses.marker) == (
        "status",
        "msg",
        "status",
    )
    assert p.resources["hike"].messages.answers == {"create": "Hike planned", "list": "Hikes"}
    assert p.errors.envelope == "status"


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        ({"responses": {"message_key": "message"}}, "it needs an envelope"),
        ({"responses": {"envelope": "data", "message_key": "data"}}, "taken by the envelope"),
        ({"responses": {"envelope": "status", "message_key": "status"}}, "taken by the envelope"),
        (
            {
                "responses": {"envelope": "data", "message_key": "message"},
                "resource": {"messages": {"answers": {"delete": "Gone"}}},
            },
            "'delete' is not an operation of this resource that answers with a body",
        ),
        (
            {"resource": {"messages": {"answers": {"create": "Hike planned"}}}},
            "responses.message_key is null",
        ),
        (
            {
                "responses": {"envelope": "status"},
                "resource": {
                    "operations": {"list": {"response": {"items": None, "metadata": "none"}}}
                },
            },
            "bare JSON array",
        ),
        (
            {
                "responses": {"envelope": "data", "message_key": "note"},
                "resource": {
                    "operations": {"list": {"response": {"items": None, "metadata": "none"}}}
                },
            },
            "bare JSON array",
        ),
        (
            {
                "responses": {"envelope": "status"},
                "resource": {
                    "operations": {
                        "list": {"response": {"metadata": "flat", "keys": {"total": "status"}}}
                    }
                },
            },
            "a list key is called 'status'",
        ),
        ({"resource": {"messages": {"answers": {"create": ""}}}}, "at least 1 character"),
    ],
)
def test_what_no_answer_can_carry_is_refused(parts: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        plan(**parts)


def test_plan_schema_documents_the_keys_with_examples() -> None:
    result = sp_backend("plan-schema")
    assert result.returncode == 0, result.stderr
    defs = json.loads(result.stdout)["$defs"]
    responses = defs["ResponseConventions"]["properties"]
    assert responses["message_key"]["examples"] == ["message"]
    assert "status" in responses["envelope"]["description"]
    assert '"status": "success"' in responses["envelope"]["description"]
    errors = defs["ErrorConventions"]["properties"]["envelope"]
    assert '"status": "fail"' in errors["description"]
    answers = defs["ResourceMessages"]["properties"]["answers"]
    assert answers["examples"] and "message_key" in answers["description"]


def test_an_unknown_operations_message_is_located(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    path = root / "specs" / "backend" / "choir.plan.yaml"
    path.write_text(
        CHOIR.read_text().replace("        cancel: Rehearsal called off", "        encore: Again")
    )
    result = sp_backend("validate", "choir", "--root", str(root))
    out = result.stdout + result.stderr
    assert result.returncode == 3, out
    assert "choir.plan.yaml:" in out and "'encore' is not an operation" in out


# What the generated suite takes for granted, probed under the contract's keys: the answers of
# each kind of operation, the errors' JSend forms and the OpenAPI schemas that state them.
PROBE = """
from fastapi.testclient import TestClient

from tests.conftest import auth


def test_every_answer_is_jsend_with_its_message(client: TestClient) -> None:
    body = {"venueName": "St Mary's Hall", "startsOn": "2031-03-04"}
    created = client.post("/v1/rehearsals", json=body, headers=auth())
    assert created.status_code == 201, created.text
    answer = created.json()
    assert list(answer) == ["status", "message", "data"]
    assert answer["status"] == "success" and answer["message"] == "Rehearsal scheduled"
    assert answer["data"]["venueName"] == "St Mary's Hall"
    item = f"/v1/rehearsals/{answer['data']['id']}"
    read = client.get(item, headers=auth()).json()
    assert (read["message"], read["data"]) == ("Rehearsal loaded", answer["data"])
    updated = client.patch(item, json={"pieceCount": 7}, headers=auth()).json()
    assert updated["message"] == "Rehearsal updated" and updated["data"]["pieceCount"] == 7
    moved = client.post(item + "/move", json={"newVenueName": "Town Hall"}, headers=auth())
    assert moved.status_code == 200, moved.text
    assert moved.json()["message"] == "Rehearsal moved"
    assert moved.json()["data"]["venueName"] == "Town Hall"
    cancelled = client.post(item + "/cancel", headers=auth()).json()
    assert cancelled["message"] == "Rehearsal called off" and cancelled["data"]["cancelled"] is True
    listed = client.get("/v1/rehearsals", headers=auth()).json()
    assert set(listed) == {"status", "message", "rehearsals", "paging"}
    assert (listed["status"], listed["message"]) == ("success", "Rehearsals loaded")
    section = client.post("/v1/sections", json={"voice": "alto"}, headers=auth()).json()
    assert (section["status"], section["message"]) == ("success", "Section created")


def test_custom_operations_take_and_give_the_resources_keys(client: TestClient) -> None:
    body = {"venueName": "Crypt", "startsOn": "2031-05-06"}
    created = client.post("/v1/rehearsals", json=body, headers=auth()).json()["data"]
    move = f"/v1/rehearsals/{created['id']}/move"
    snake = client.post(move, json={"new_venue_name": "Nave"}, headers=auth())
    assert snake.status_code == 400, snake.text
    where = "/v1/rehearsals/summary"
    summary = client.get(where, params={"fromDate": "2031-01-01"}, headers=auth())
    assert summary.status_code == 200, summary.text
    assert summary.json() == {"rehearsalCount": 1, "nextVenueName": "Crypt", "HALL": "CRY"}
    later = client.get(where, params={"fromDate": "2032-01-01"}, headers=auth())
    assert later.json() == {"rehearsalCount": 0, "nextVenueName": None, "HALL": None}
    ignored = client.get(where, params={"from_date": "2032-01-01"}, headers=auth())
    assert ignored.json()["rehearsalCount"] == 1  # not the parameter's name on the wire


def test_errors_are_jsend(client: TestClient) -> None:
    missing = client.get("/v1/rehearsals/00000000-0000-4000-8000-000000000000", headers=auth())
    assert missing.status_code == 404
    assert missing.json() == {"status": "error", "message": "That rehearsal is not on the calendar"}
    invalid = client.post("/v1/rehearsals", json={"venueName": ""}, headers=auth())
    assert invalid.status_code == 400
    failed = invalid.json()
    assert set(failed) == {"status", "data"} and failed["status"] == "fail"
    assert {"venueName", "startsOn"} <= set(failed["data"])
    assert all(isinstance(text, str) for text in failed["data"].values())


def test_the_openapi_states_the_envelope(client: TestClient) -> None:
    doc = client.app.openapi()
    schemas = doc["components"]["schemas"]
    answer = schemas["RehearsalAnswer"]
    assert set(answer["required"]) == {"status", "message", "data"}
    assert answer["properties"]["status"]["const"] == "success"
    move = doc["paths"]["/v1/rehearsals/{rehearsal_id}/move"]["post"]["responses"]["200"]
    assert move["content"]["application/json"]["schema"]["$ref"].endswith("/RehearsalAnswer")
    page = schemas["RehearsalPage"]
    assert {"status", "message", "rehearsals"} <= set(page["required"])
    request = schemas["RehearsalMoveVenueRequest"]["properties"]
    assert "newVenueName" in request and "new_venue_name" not in request
    summary = doc["paths"]["/v1/rehearsals/summary"]["get"]
    assert [p["name"] for p in summary["parameters"]] == ["fromDate"]
    answer = summary["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    shown = schemas[answer.rsplit("/", 1)[1]]["properties"]
    assert set(shown) == {"rehearsalCount", "nextVenueName", "HALL"}
    error = schemas["ErrorResponse"]
    assert error["properties"]["status"]["enum"] == ["error", "fail"]
"""

HANDLER = '''"""Moves the rehearsal (written by the test, as a user of the backend would)."""

from sqlmodel import Session

from app.models.rehearsal import Rehearsal
from app.schemas.rehearsal import RehearsalPublic
from app.schemas.rehearsal_operations import RehearsalMoveVenueRequest
from app.utils.auth import UserId


def handle(
    *, row: Rehearsal, data: RehearsalMoveVenueRequest, session: Session, user_id: UserId
) -> Rehearsal | RehearsalPublic:
    row.venue_name = data.new_venue_name
    session.add(row)
    session.commit()
    session.refresh(row)
    return row
'''


SUMMARY = '''"""Rehearsals from a date on (written by the test, as a user of the backend would)."""

from datetime import date

from sqlmodel import Session, col, select

from app.models.rehearsal import Rehearsal
from app.schemas.rehearsal_operations import RehearsalSummaryResponse
from app.utils.auth import UserId


def handle(*, from_date: str | None, session: Session, user_id: UserId) -> RehearsalSummaryResponse:
    statement = select(Rehearsal).where(Rehearsal.user_id == user_id)
    if from_date is not None:
        statement = statement.where(Rehearsal.starts_on >= date.fromisoformat(from_date))
    rows = session.exec(statement.order_by(col(Rehearsal.starts_on))).all()
    first = rows[0] if rows else None
    return RehearsalSummaryResponse(
        rehearsal_count=len(rows),
        next_venue_name=first.venue_name if first else None,
        hall_code=first.venue_name[:3].upper() if first else None,
    )
'''


@pytest.fixture(scope="module")
def choir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(tmp_path_factory.mktemp("choir"), CHOIR)
    result = sp_backend("emit", "choir", "--root", str(root), "--with-tests")
    assert result.returncode == 0, result.stdout + result.stderr
    backend = root / "backend"
    (backend / "app" / "extensions" / "rehearsals_move_venue.py").write_text(HANDLER)
    (backend / "app" / "extensions" / "rehearsals_summary.py").write_text(SUMMARY)
    (backend / "tests" / "test_jsend_probe.py").write_text(PROBE)
    return backend


def test_the_generated_suite_passes_on_sqlite(choir: Path) -> None:
    run = run_generated_tests(choir)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " passed" in run.stdout


def test_the_generated_suite_passes_on_postgres(choir: Path, postgres_database: str) -> None:
    run = run_generated_tests(choir, postgres_database)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and "skipped" not in run.stdout


def test_the_probe_ran(choir: Path) -> None:
    run = run_generated_tests(choir, extra=("tests/test_jsend_probe.py",))
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "4 passed" in run.stdout


def test_a_custom_operations_keys_follow_the_resource_and_must_not_clash() -> None:
    custom = {
        "rate": {
            "method": "POST",
            "path": "/{id}/rate",
            "request": {
                "star_count": {"type": "int"},
                "stars": {"type": "int", "json_name": "starCount"},
            },
        }
    }
    with pytest.raises(ValidationError, match="both have the JSON key 'starCount'"):
        plan(resource={"json_names": "camelCase", "operations": {"custom": custom}})
    custom["rate"]["request"] = {
        "star_count": {"type": "int"},
        "note": {"type": "str", "json_name": "NOTE"},
    }
    hike = plan(resource={"json_names": "camelCase", "operations": {"custom": custom}}).resources[
        "hike"
    ]
    request = hike.operations.custom["rate"].request or {}
    assert [hike.op_wire(n, s) for n, s in request.items()] == ["starCount", "NOTE"]
