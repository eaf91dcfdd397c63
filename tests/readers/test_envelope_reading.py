"""The success envelope and the message beside the data, read from the contract's example
answers in the phrasings contracts use: JSend, success with a message, data with a message,
the bare object (and a message that is the object's own field)."""

from __future__ import annotations

from typing import Any

import pytest

from sp_backend.readers.envelope import read_envelope
from sp_backend.readers.facts import Endpoint

ROW = {"id": 7, "berth": "B4", "length_m": 12}


def endpoints(*answers: tuple[str, str, Any]) -> list[Endpoint]:
    found = []
    for n, (method, path, body) in enumerate(answers, start=1):
        ep = Endpoint(method, path, f"c.md:{n}")
        ep.response_examples.append((body, f"c.md:{n}"))
        found.append(ep)
    return found


@pytest.mark.parametrize(
    ("body", "conventions"),
    [
        (
            {"status": "success", "data": ROW},
            {"envelope": "status", "data_key": "data"},
        ),
        (
            {"status": "success", "message": "Berth booked", "data": ROW},
            {"envelope": "status", "data_key": "data", "message_key": "message"},
        ),
        (
            {"success": True, "message": "Berth booked", "data": ROW},
            {"envelope": "success", "data_key": "data", "message_key": "message"},
        ),
        (
            {"msg": "Berth booked", "result": ROW},
            {"envelope": "data", "data_key": "result", "message_key": "msg"},
        ),
        ({"success": True, "data": ROW}, {"envelope": "success", "data_key": "data"}),
    ],
)
def test_the_envelope_and_its_message_key(body: dict, conventions: dict) -> None:
    reading = read_envelope(endpoints(("POST", "/berths", body)))
    assert reading.conventions is not None
    assert {k: v for k, v in reading.conventions.items() if k != "source"} == conventions


def test_each_operations_message_is_its_examples_text() -> None:
    reading = read_envelope(
        endpoints(
            ("POST", "/berths", {"status": "success", "message": "Berth booked", "data": ROW}),
            ("GET", "/berths/{id}", {"status": "success", "message": "Here it is", "data": ROW}),
            ("GET", "/berths", {"status": "success", "message": "All berths", "data": [ROW]}),
            ("DELETE", "/berths/{id}", {"status": "success", "message": "Freed", "data": None}),
        )
    )
    assert reading.messages == {
        ("POST", "/berths"): "Berth booked",
        ("GET", "/berths/{id}"): "Here it is",
        ("GET", "/berths"): "All berths",
    }


def test_a_message_that_is_the_objects_own_field_is_no_envelope() -> None:
    note = {"id": 3, "message": "Bring fenders", "berth": "B4"}
    reading = read_envelope(endpoints(("POST", "/notes", note)))
    assert reading.conventions is None and reading.messages == {}


def test_a_split_vote_is_noted() -> None:
    reading = read_envelope(
        endpoints(
            ("POST", "/berths", {"status": "success", "data": ROW}),
            ("PATCH", "/berths/{id}", {"status": "success", "data": ROW}),
            ("GET", "/berths/{id}", {"data": ROW}),
        )
    )
    assert reading.conventions is not None and reading.conventions["envelope"] == "status"
    assert reading.notes and "data envelope" in reading.notes[0][0]


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ({"errors": [{"status": "404", "detail": "No such hive"}]}, "errors"),
        ({"errors": [{"detail": "x"}], "meta": {"requestId": "r1"}}, "errors"),
        ({"error": {"code": "NOT_FOUND", "message": "No such hive"}}, "error"),
        ({"success": False, "error": {"message": "No"}}, "success"),
        ({"detail": "No such hive"}, "detail"),
        ({"status": "fail", "data": {"name": "required"}}, "status"),
        # an object's own errors list beside its other fields is no envelope
        ({"id": 3, "errors": ["late"], "name": "Hive 3"}, None),
    ],
)
def test_the_error_envelope_a_failure_answer_shows(body: dict, kind: str | None) -> None:
    from sp_backend.readers.auth import error_envelope

    assert error_envelope(body) == kind


def test_an_errors_list_in_a_markdown_example_is_the_errors_envelope(tmp_path) -> None:  # noqa: ANN001
    from sp_backend.readers.gather import gather

    contract = tmp_path / "specs" / "api" / "hives-endpoints.md"
    contract.parent.mkdir(parents=True)
    contract.write_text(
        "# Hives\n\n## GET /api/hives\n\nLists hives. Answers 200.\n\n"
        "## GET /api/hives/{id}\n\nResponse 200:\n\n"
        '```json\n{"id": "6f1c2a8e-2b1d-4c3e-9a7f-0d5e4b3c2a10", "name": "Hive 1"}\n```\n\n'
        "A hive that is not yours answers 404:\n\n"
        '```json\n{"errors": [{"status": "404", "code": "NOT_FOUND", "detail": "No hive"}]}\n```\n'
    )
    assert gather(tmp_path, "hives").plan.errors.envelope == "errors"
