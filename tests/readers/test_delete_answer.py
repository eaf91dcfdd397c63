"""What a DELETE answers, read from the example its contract shows (readers/delete_answer.py)
and planned by gather (operations.delete)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sp_backend.readers.build import _delete, _Notes
from sp_backend.readers.delete_answer import read_delete_answer
from sp_backend.readers.facts import Endpoint
from sp_backend.readers.gather import gather

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "specs"
FIELDS = {"title", "shelf"}


def _ep(body: object, statuses: dict[int, str] | None = None) -> Endpoint:
    ep = Endpoint("DELETE", "/v1/scores/{score_id}", "scores.md:40", statuses=statuses or {})
    ep.response_examples.append((body, "scores.md:44"))
    return ep


@pytest.mark.parametrize(
    ("body", "keys"),
    [
        (
            {"message": "Score withdrawn"},
            {"answer": "message", "message_key": "message", "message": "Score withdrawn"},
        ),
        ({"detail": "  Gone  "}, {"answer": "message", "message_key": "detail", "message": "Gone"}),
        (
            {"success": True, "msg": "Removed"},
            {"answer": "message", "message_key": "msg", "message": "Removed"},
        ),
        ({"id": 7, "title": "Nocturne", "shelf": "B2"}, {"answer": "object"}),
        ({"data": {"id": 7, "title": "Nocturne"}}, {"answer": "object"}),
        ({"status": "success", "data": {"title": "Nocturne"}}, {"answer": "object"}),
    ],
)
def test_the_example_gives_the_answer(body: dict[str, object], keys: dict[str, str]) -> None:
    shown = read_delete_answer(_ep(body), FIELDS)
    assert shown is not None and shown.keys == keys and shown.where == "scores.md:44"


def test_a_marker_beside_the_message_is_said_not_answered() -> None:
    notes = _Notes()
    op = _delete(_ep({"status": "success", "message": "Score withdrawn"}), {}, notes)
    assert (op.answer, op.message, op.status) == ("message", "Score withdrawn", None)
    assert [u.what for u in notes.unresolved] == [
        "DELETE /v1/scores/{score_id} shows status beside its message"
    ]


@pytest.mark.parametrize(
    "body",
    [{"success": True}, {"status": "success", "data": None}, {"success": True, "data": None}],
)
def test_the_envelopes_marker_alone_is_a_marker_answer(body: dict[str, object]) -> None:
    """{"success": true} and JSend's {"status": "success", "data": null}: a body a client reads
    as JSON, never an empty 200."""
    shown = read_delete_answer(_ep(body), FIELDS)
    assert shown is not None and shown.keys == {"answer": "marker"}
    op = _delete(_ep(body, {200: "200 OK"}), {}, _Notes())
    assert (op.answer, op.status) == ("marker", None)


@pytest.mark.parametrize("body", [{}, "Deleted", None])
def test_no_answer_shown_is_an_empty_answer(body: object) -> None:
    notes = _Notes()
    op = _delete(_ep(body), {}, notes)
    assert (op.answer, op.status, notes.unresolved) == ("none", 204, [])


def test_what_the_plan_cannot_say_is_said() -> None:
    notes = _Notes()
    op = _delete(_ep({"deleted": True, "remaining": 3}), {}, notes)
    assert op.answer == "none"
    assert notes.unresolved[0].what.startswith(
        "DELETE /v1/scores/{score_id} answers deleted, remaining"
    )
    assert notes.unresolved[0].source == "scores.md:44"


def test_a_stated_204_wins_over_a_body_and_says_so() -> None:
    notes = _Notes()
    op = _delete(_ep({"message": "Score withdrawn"}, {204: "204 No Content"}), {}, notes)
    assert (op.answer, op.status) == ("none", 204)
    assert "says 204" in notes.unresolved[0].what


def test_a_stated_2xx_other_than_200_is_kept() -> None:
    op = _delete(_ep({"message": "Queued for removal"}, {202: "202 Accepted"}), {}, _Notes())
    assert (op.answer, op.status) == ("message", 202)


def test_an_inline_json_answer_after_a_label_is_read() -> None:
    """'Response: { "notice": "..." }' on one line, the status on the next (locker-hire)."""
    delete = gather(FIXTURES / "locker-hire", "lockers").plan.resources["hire"].operations.delete
    assert delete is not None
    assert (delete.answer, delete.message_key, delete.message) == (
        "message",
        "notice",
        "Locker handed back",
    )


def test_an_action_whose_body_is_one_field_sets_it() -> None:
    """PATCH /{id}/move {"zone": "family"}: the body's value is written, never toggled."""
    move = gather(FIXTURES / "locker-hire", "lockers").plan.resources["hire"].operations.actions
    assert set(move) == {"move"}
    assert (move["move"].effect, move["move"].field, move["move"].method) == (
        "body",
        "zone",
        "PATCH",
    )


def test_a_marker_answer_needs_the_envelope_the_other_answers_show(tmp_path: Path) -> None:
    """Only the delete shows {"success": true}: the plan's envelope has no marker, so the delete
    is planned empty and the note says why (a marker answer would not validate)."""
    api = tmp_path / "specs" / "api"
    api.mkdir(parents=True)
    text = (
        "# Kite club API\n\n## Kite\n\n| Field | Type | Notes |\n|---|---|---|\n"
        "| name | string | required |\n| span_cm | integer | required |\n\n## Endpoints\n\n"
        "`POST /kites` answers 201 with the kite.\n\n`GET /kites` answers 200 with the kites.\n\n"
        "`GET /kites/{kite_id}` answers 200.\n\n`DELETE /kites/{kite_id}` answers `200 OK`:\n\n"
        '```json\n{"success": true}\n```\n'
    )
    (api / "kites.md").write_text(text)
    shown_at = text.splitlines().index("```json") + 2  # its first line, counted from 1
    plan = gather(tmp_path, "kites").plan
    delete = plan.resources["kite"].operations.delete
    assert delete is not None and (delete.answer, delete.status) == ("none", 200)
    notes = [u for u in plan.unresolved if u.what.startswith("DELETE /kites/{kite_id} answers")]
    assert notes and notes[0].source == f"specs/api/kites.md:{shown_at}", plan.unresolved


def test_the_delete_of_mooring_register_answers_the_marker() -> None:
    """A declaring line that ends in ':' labels the JSON after it (mooring-register)."""
    plan = gather(FIXTURES / "mooring-register", "berths").plan
    delete = plan.resources["berth"].operations.delete
    assert plan.responses.envelope == "success"
    assert delete is not None and delete.answer == "marker"
