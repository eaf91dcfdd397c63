"""Answers in the contract's envelopes: the plan keys (responses, errors.envelope/details/
messages, resources.<name>.messages), their validation and their place in plan-schema.
The emitted backends (tests/fixtures/plans/clinic.plan.yaml, ledger.plan.yaml) run their own
tests in test_generated_backends.py and are fuzzed in test_schemathesis.py."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from conftest import PLAN_FIXTURES, make_project, sp_backend
from sp_backend.plan.model import BackendPlan


def plan(**parts: object) -> BackendPlan:
    resource = {
        "table": "visits",
        "path": "/api/visits",
        "fields": {
            "reason": {"type": "str", "max_length": 50},
            "code": {"type": "str", "max_length": 8, "unique": True},
        },
    }
    resource.update(parts.pop("resource", {}))  # type: ignore[arg-type]
    return BackendPlan.model_validate(
        {"feature": "visits", "resources": {"visit": resource}, **parts}
    )


def test_defaults_are_the_bare_object_and_the_error_envelope() -> None:
    p = plan()
    assert p.responses.envelope == "none"
    assert (p.errors.envelope, p.errors.details, p.errors.messages) == ("error", "list", {})
    assert p.resources["visit"].messages.conflict == {}


def test_every_envelope_the_contracts_show_is_accepted() -> None:
    for envelope in ("none", "data", "success", "status"):
        assert plan(responses={"envelope": envelope}).responses.envelope == envelope
    for envelope in ("error", "success", "detail", "message", "status"):
        for details in ("list", "map"):
            errors = plan(errors={"envelope": envelope, "details": details}).errors
            assert (errors.envelope, errors.details) == (envelope, details)
    assert plan(errors={"envelope": "errors"}).errors.envelope == "errors"
    stated = plan(
        resource={"messages": {"not_found": "Visit not found", "conflict": {"code": "Taken"}}}
    )
    assert stated.resources["visit"].messages.conflict == {"code": "Taken"}


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        ({"responses": {"envelope": "wrapped"}}, "'none', 'data', 'success' or 'status'"),
        ({"errors": {"envelope": "problem"}}, "'message', 'status' or 'errors'"),
        # one object per problem: its source names the field, there is no map to give
        ({"errors": {"envelope": "errors", "details": "map"}}, "does not fit envelope errors"),
        ({"errors": {"details": "tree"}}, "'list' or 'map'"),
        ({"errors": {"messages": {"teapot": "No"}}}, "'validation', 'conflict'"),
        ({"errors": {"messages": {"conflict": ""}}}, "at least 1 character"),
        ({"resource": {"messages": {"conflict": {"reason": "Taken"}}}}, "not a unique field"),
        ({"resource": {"messages": {"gone": "Gone"}}}, "Extra inputs"),
        (
            {
                "responses": {"envelope": "success"},
                "resource": {
                    "operations": {"list": {"response": {"items": None, "metadata": "none"}}}
                },
            },
            "bare JSON array",
        ),
        (
            {
                "responses": {"envelope": "success"},
                "resource": {
                    "operations": {
                        "list": {"response": {"metadata": "flat", "keys": {"total": "success"}}}
                    }
                },
            },
            "called 'success'",
        ),
    ],
)
def test_what_no_backend_can_answer_is_refused(parts: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        plan(**parts)


def test_plan_schema_documents_each_key_with_an_example() -> None:
    result = sp_backend("plan-schema")
    assert result.returncode == 0, result.stderr
    defs = json.loads(result.stdout)["$defs"]
    responses = defs["ResponseConventions"]["properties"]
    assert responses["envelope"]["examples"] == ["status"] and responses["data_key"]["examples"]
    errors = defs["ErrorConventions"]["properties"]
    for key in ("envelope", "details", "messages"):
        assert errors[key]["examples"] and errors[key]["description"], key
    messages = defs["ResourceMessages"]["properties"]
    assert messages["conflict"]["examples"] == [{"email": "Email already registered"}]


def test_a_validation_error_names_the_file_line_and_key(tmp_path) -> None:  # noqa: ANN001
    root = make_project(tmp_path, PLAN_FIXTURES / "clinic.plan.yaml")
    path = root / "specs" / "backend" / "clinic.plan.yaml"
    path.write_text(
        path.read_text().replace("envelope: success\n  details", "envelope: ok\n  details")
    )
    result = sp_backend("validate", "clinic", "--root", str(root))
    assert result.returncode == 3
    assert "clinic.plan.yaml:" in result.stderr + result.stdout
    assert "errors.envelope" in result.stderr + result.stdout


def test_plans_that_disagree_on_the_envelope_are_refused(tmp_path) -> None:  # noqa: ANN001
    root = make_project(
        tmp_path, PLAN_FIXTURES / "clinic.plan.yaml", PLAN_FIXTURES / "ledger.plan.yaml"
    )
    ledger = root / "specs" / "backend" / "ledger.plan.yaml"
    text = ledger.read_text().replace("LEDGER_SECRET", "CLINIC_SECRET")
    ledger.write_text(text.replace("errors: {envelope: message, validation_status: 400}\n", ""))
    result = sp_backend("emit", "clinic", "--root", str(root))
    assert result.returncode == 3, result.stdout + result.stderr
    assert "responses.envelope" in result.stderr and "disagree" in result.stderr
