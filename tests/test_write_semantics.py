"""Write semantics a contract states: fields fixed after create (immutable), actions whose body
sets the value, deletes that answer a body, PUTs that replace some fields. The plan keys and
their located refusals, and emitted backends that behave so on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from conftest import PLAN_FIXTURES, make_project, run_generated_tests, sp_backend
from sp_backend.errors import PlanError
from sp_backend.plan.load import parse_plan, plan_json_schema
from sp_backend.plan.model import Action, DeleteOperation, Resource
from sp_backend.readers.phrases import read

PRINTSHOP = PLAN_FIXTURES / "printshop.plan.yaml"

# A plan of another domain than the fixtures' (a kennel's bookings), edited per case.
BASE = """\
plan_version: 1
feature: kennel
auth: {mode: shared-secret, secret_env: KENNEL_SECRET}
resources:
  stay:
    table: stays
    path: /api/stays
    fields:
      dog_name: {type: str, required: true, max_length: 40}
      FIELD
      checked_in: {type: bool, default: false}
    operations:
      OPS
"""


def plan_with(field: str = "kennel_no: {type: int}", ops: str = "read: {}") -> str:
    return BASE.replace("FIELD", field).replace("OPS", ops)


# -- immutable -------------------------------------------------------------------------------


def test_an_immutable_field_is_accepted_and_documented() -> None:
    plan = parse_plan(plan_with("kennel_no: {type: int, required: true, immutable: true}"))
    assert plan.resources["stay"].fields["kennel_no"].immutable
    schema = plan_json_schema()["$defs"]["FieldSpec"]["properties"]["immutable"]
    assert schema["examples"] == [True] and "PATCH and PUT refuse" in schema["description"]


@pytest.mark.parametrize(
    ("field", "ops", "expected"),
    [
        (
            "kennel_no: {type: int, read_only: true, immutable: true}",
            "read: {}",
            "kennel.plan.yaml:10: resources.stay.fields.kennel_no: immutable applies to a field",
        ),
        (
            "kennel_no: {type: bool, immutable: true}",
            "actions:\n        move: {path: '/{id}/move', field: kennel_no}",
            "action 'move' changes 'kennel_no', which is immutable",
        ),
        ("kennel_no: {type: int, immutable: sometimes}", "read: {}", "immutable"),
    ],
)
def test_immutable_misuse_is_refused_where_it_is(field: str, ops: str, expected: str) -> None:
    with pytest.raises(PlanError) as err:
        parse_plan(plan_with(field, ops), "specs/backend/kennel.plan.yaml")
    message = str(err.value)
    assert expected in message, message
    assert message.startswith("specs/backend/kennel.plan.yaml:"), message


def test_the_owner_cannot_be_declared_a_field_at_all() -> None:
    # The owner column is the caller's id, never a body field: immutable cannot name it.
    with pytest.raises(ValidationError, match="reserved"):
        Resource.model_validate(
            {"table": "stays", "path": "/api/stays", "fields": {"user_id": {"type": "str"}}}
        )


@pytest.mark.parametrize(
    "text",
    [
        "Cannot be changed after creation",
        "immutable once the booking exists",
        "write-once",
        "Set once at check-in",
        "can't be edited after the order is placed",
    ],
)
def test_the_phrase_table_reads_immutable(text: str) -> None:
    assert read(text).get("immutable") is True


@pytest.mark.parametrize("text", ["can be changed at any time", "mutable", "read-only"])
def test_the_phrase_table_does_not_read_immutable_into(text: str) -> None:
    assert "immutable" not in read(text)


# -- actions whose body carries the value ----------------------------------------------------


def test_a_body_action_is_accepted_and_documented() -> None:
    ops = "actions:\n        assign: {path: '/{id}/kennel', effect: body, field: kennel_no}"
    plan = parse_plan(plan_with("kennel_no: {type: int, ge: 1, le: 40}", ops))
    action = plan.resources["stay"].operations.actions["assign"]
    assert action.effect == "body" and action.value is None
    schema = Action.model_json_schema()["properties"]["effect"]
    assert schema["examples"] == ["body"] and "request body" in schema["description"]


def test_a_body_action_takes_no_fixed_value_and_says_where() -> None:
    ops = (
        "actions:\n        assign: {path: '/{id}/kennel', effect: body, field: kennel_no, value: 3}"
    )
    with pytest.raises(PlanError) as err:
        parse_plan(plan_with("kennel_no: {type: int}", ops), "kennel.plan.yaml")
    message = str(err.value)
    assert "kennel.plan.yaml:" in message and "actions.assign" in message
    assert "effect 'body' takes no value" in message


# -- deletes that answer a body --------------------------------------------------------------


def test_a_delete_answer_defaults_its_status_to_200() -> None:
    plan = parse_plan(plan_with(ops="delete: {answer: message, message: Stay cancelled}"))
    delete = plan.resources["stay"].operations.delete
    assert delete is not None and delete.answer == "message" and delete.status is None
    assert delete.message_key == "message"
    schema = DeleteOperation.model_json_schema()["properties"]
    assert schema["answer"]["examples"] == ["message"] and schema["message"]["examples"]


@pytest.mark.parametrize(
    ("delete", "expected"),
    [
        ("{answer: message}", "answer 'message' needs the message"),
        ("{answer: object, status: 204}", "answer 'object' has a body, which a 204 cannot carry"),
        ("{message: Gone}", "message and message_key apply to answer 'message', not 'none'"),
        ("{answer: object, message_key: detail}", "apply to answer 'message', not 'object'"),
        ("{message_key: message}", None),
        ("{answer: everything}", "answer"),
    ],
)
def test_a_delete_answer_that_cannot_be_is_refused_where_it_is(
    delete: str, expected: str | None
) -> None:
    text = plan_with(ops=f"delete: {delete}")
    if expected is None:  # the default key, restated (a merged plan writes every key)
        assert parse_plan(text).resources["stay"].operations.delete is not None
        return
    with pytest.raises(PlanError) as err:
        parse_plan(text, "kennel.plan.yaml")
    message = str(err.value)
    line = text.splitlines().index(f"      delete: {delete}") + 1
    assert f"kennel.plan.yaml:{line}: " in message and "operations.delete" in message, message
    assert expected in message, message


# -- the emitted backend ---------------------------------------------------------------------

PROBE = """
from fastapi.testclient import TestClient

from tests.conftest import auth

BODY = {"customerRef": "PO-7", "paperStock": "gloss", "copies": 10, "notes": "fold", "rush": True}


def test_patch_refuses_an_immutable_field_naming_it(client: TestClient) -> None:
    made = client.post("/api/print-jobs", json=BODY, headers=auth()).json()
    path = f"/api/print-jobs/{made['id']}"
    refused = client.patch(path, json={"customerRef": "PO-8", "copies": 3}, headers=auth())
    assert refused.status_code == 422
    body = refused.json()
    assert body["details"]["customerRef"] == "customerRef cannot be changed after creation"
    kept = client.get(path, headers=auth()).json()
    assert kept["customerRef"] == "PO-7" and kept["copies"] == 10


def test_put_replaces_the_rest_and_keeps_the_immutable_fields(client: TestClient) -> None:
    made = client.post("/api/print-jobs", json=BODY, headers=auth()).json()
    path = f"/api/print-jobs/{made['id']}"
    replaced = client.put(path, json={"copies": 4}, headers=auth())
    assert replaced.status_code == 200, replaced.text
    row = replaced.json()
    assert row["copies"] == 4 and row["notes"] is None and row["rush"] is False
    assert row["customerRef"] == "PO-7" and row["paperStock"] == "gloss"
    refused = client.put(path, json={"copies": 4, "paperStock": "matte"}, headers=auth())
    message = "paperStock cannot be changed after creation"
    assert refused.json()["details"] == {"paperStock": message}


def test_the_openapi_leaves_immutable_fields_out_of_the_change_bodies(client: TestClient) -> None:
    doc = client.app.openapi()
    schemas = doc["components"]["schemas"]
    assert "customerRef" in schemas["PrintJobCreate"]["properties"]
    for name in ("PrintJobUpdate", "PrintJobReplace"):
        assert "customerRef" not in schemas[name]["properties"], name
        assert schemas[name]["additionalProperties"] is False, name
        assert "cannot be changed after creation" in schemas[name]["description"], name
    put = doc["paths"]["/api/print-jobs/{print_job_id}"]["put"]["requestBody"]
    assert put["content"]["application/json"]["schema"]["$ref"].endswith("/PrintJobReplace")


def test_an_action_body_sets_the_field_under_its_wire_name(client: TestClient) -> None:
    made = client.post("/api/print-jobs", json=BODY, headers=auth()).json()
    proof = f"/api/print-jobs/{made['id']}/proof"
    for _ in range(2):
        answer = client.put(proof, json={"proofApproved": True}, headers=auth())
        assert answer.status_code == 200, answer.text
        assert answer.json()["proofApproved"] is True
    snake = client.put(proof, json={"proof_approved": False}, headers=auth())
    assert snake.status_code == 422
    assert client.put(proof, json={"proofApproved": "yes"}, headers=auth()).status_code == 422
    stage = f"/api/print-jobs/{made['id']}/stage"
    moved = client.patch(stage, json={"stage": "printing"}, headers=auth()).json()
    assert moved["stage"] == "printing" and moved["proofApproved"] is True
    # stage is server-managed otherwise: create and PATCH do not take it.
    assert client.patch(f"/api/print-jobs/{made['id']}", json={"stage": "shipped"},
                        headers=auth()).status_code == 422


def test_the_openapi_states_each_action_body(client: TestClient) -> None:
    doc = client.app.openapi()
    schemas = doc["components"]["schemas"]
    body = schemas["PrintJobMoveBody"]
    assert body["required"] == ["stage"] and body["additionalProperties"] is False
    assert schemas["PrintJobApproveProofBody"]["properties"]["proofApproved"]["type"] == "boolean"
    patch = doc["paths"]["/api/print-jobs/{print_job_id}/stage"]["patch"]["requestBody"]
    assert patch["required"] is True
    assert patch["content"]["application/json"]["schema"]["$ref"].endswith("/PrintJobMoveBody")


def test_deletes_answer_what_the_contract_shows(client: TestClient) -> None:
    job = client.post("/api/print-jobs", json=BODY, headers=auth()).json()
    gone = client.delete(f"/api/print-jobs/{job['id']}", headers=auth())
    assert gone.status_code == 200 and gone.json() == {"detail": "Print job cancelled"}
    order = {"supplier": "Mill", "sheets": 500, "tags": ["a4"]}
    made = client.post("/api/paper-orders", json=order, headers=auth()).json()
    deleted = client.delete(f"/api/paper-orders/{made['id']}", headers=auth())
    assert deleted.status_code == 200 and deleted.json() == made
    again = client.delete(f"/api/paper-orders/{made['id']}", headers=auth())
    assert again.status_code == 404


def test_the_openapi_states_each_delete_answer(client: TestClient) -> None:
    doc = client.app.openapi()
    job = doc["paths"]["/api/print-jobs/{print_job_id}"]["delete"]["responses"]["200"]
    ref = job["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/PrintJobDeleted")
    deleted = doc["components"]["schemas"]["PrintJobDeleted"]
    assert deleted["properties"]["detail"]["const"] == "Print job cancelled"
    order = doc["paths"]["/api/paper-orders/{paper_order_id}"]["delete"]["responses"]["200"]
    assert order["content"]["application/json"]["schema"]["$ref"].endswith("/PaperOrderPublic")
"""


@pytest.fixture(scope="module")
def printshop_backend(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(tmp_path_factory.mktemp("printshop"), PRINTSHOP)
    emitted = sp_backend("emit", "printshop", "--root", str(root), "--with-tests")
    assert emitted.returncode == 0, emitted.stdout + emitted.stderr
    backend = root / "backend"
    (backend / "tests" / "test_write_probe.py").write_text(PROBE)
    return backend


def test_the_generated_suite_asserts_the_write_semantics(printshop_backend: Path) -> None:
    tests = (printshop_backend / "tests" / "test_print_jobs.py").read_text()
    assert "def test_customer_ref_is_set_on_create_and_never_changed" in tests
    assert "def test_paper_stock_is_set_on_create_and_never_changed" in tests
    schema = (printshop_backend / "app" / "schemas" / "print_job.py").read_text()
    assert 'IMMUTABLE = {"customer_ref": "customerRef", "paper_stock": "paperStock"}' in schema
    assert "def test_move_action_sets_the_value_its_body_carries" in tests
    assert "def test_approve_proof_action_refuses_an_invalid_body" in tests


def test_write_semantics_hold_on_sqlite(printshop_backend: Path) -> None:
    result = run_generated_tests(printshop_backend)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "failed" not in result.stdout


def test_write_semantics_hold_on_postgres(printshop_backend: Path, postgres_database: str) -> None:
    result = run_generated_tests(printshop_backend, postgres_database)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_plan_schema_documents_the_write_keys() -> None:
    result = sp_backend("plan-schema")
    assert result.returncode == 0, result.stderr
    defs = json.loads(result.stdout)["$defs"]
    assert defs["FieldSpec"]["properties"]["immutable"]["examples"] == [True]
    assert defs["Action"]["properties"]["effect"]["examples"] == ["body"]


def test_a_deleted_row_is_answered_in_the_plans_envelope(tmp_path: Path) -> None:
    root = make_project(tmp_path, PRINTSHOP)
    path = root / "specs" / "backend" / "printshop.plan.yaml"
    text = path.read_text().replace(
        "errors:", "responses: {envelope: success, data_key: job}\nerrors:"
    )
    path.write_text(text)
    emitted = sp_backend("emit", "printshop", "--root", str(root), "--with-tests")
    assert emitted.returncode == 0, emitted.stdout + emitted.stderr
    backend = root / "backend"
    router = (backend / "app" / "routers" / "paper_orders.py").read_text()
    assert 'PaperOrderAnswer.model_validate({"success": True, "job": row})' in router
    tests = (backend / "tests" / "test_paper_orders.py").read_text()
    assert "assert data_of(response) == created" in tests
    run = run_generated_tests(
        backend, extra=("tests/test_paper_orders.py", "-k", "delete or isolation or other_users")
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " passed" in run.stdout


# -- item lengths of list fields -------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("kennel_no: {type: str, item_min_length: 1}", "apply to list[str], not str"),
        (
            'kennel_no: {type: "list[str]", item_min_length: 9, item_max_length: 3}',
            "item_min_length 9 > item_max_length 3",
        ),
        ('kennel_no: {type: "list[str]", item_min_length: 0}', "item_min_length"),
    ],
)
def test_item_lengths_are_checked_where_they_are(field: str, expected: str) -> None:
    with pytest.raises(PlanError) as err:
        parse_plan(plan_with(field), "kennel.plan.yaml")
    message = str(err.value)
    assert "kennel.plan.yaml:10: " in message and expected in message, message


@pytest.mark.parametrize(
    ("text", "facts"),
    [
        ("each tag 1–30 characters", {"item_min_length": 1, "item_max_length": 30}),
        ("each item between 2 and 8 chars", {"item_min_length": 2, "item_max_length": 8}),
        ("items up to 24 characters", {"item_max_length": 24}),
    ],
)
def test_the_phrase_table_reads_item_lengths(text: str, facts: dict[str, int]) -> None:
    found = read(text)
    assert {k: found[k] for k in facts} == facts


def test_the_generated_suite_sends_an_item_too_short(printshop_backend: Path) -> None:
    tests = (printshop_backend / "tests" / "test_paper_orders.py").read_text()
    assert 'pytest.param("tags", ["x"], id="tags: an item shorter than 2")' in tests
    schema = (printshop_backend / "app" / "schemas" / "paper_order.py").read_text()
    assert "StringConstraints(min_length=2, max_length=30)" in schema
