"""A conversational wiki contract (tests/fixtures/specs/ferry-wiki/): JSend answers with a
message per operation, a Base URL stated once, camelCase keys and a custom operation with a
camelCase body that answers the ticket. Gathered, checked, emitted with its tests, run on SQLite
and PostgreSQL, and probed: every answer has the keys of the contract's own example, the
messages are the contract's words, and the errors are JSend's."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import run_generated_tests, sp_backend
from sp_backend.readers.gather import gather

FERRY = Path(__file__).resolve().parent / "fixtures" / "specs" / "ferry-wiki"
CONTRACT = FERRY / "specs" / "api" / "tickets.md"


def contract_examples() -> dict[str, dict[str, object]]:
    """The contract's JSON answers that show a message beside their "status", by that message
    (the refund's {"status": "success", "data": null} shows none: the generated delete test
    asserts it)."""
    found = {}
    for block in re.findall(r"```json\n(.*?)```", CONTRACT.read_text(), re.S):
        body = json.loads(block)
        if "status" in body and "message" in body:
            found[body["message"]] = body
    return found


def test_the_plan_reads_the_envelope_the_messages_and_the_base() -> None:
    plan = gather(FERRY, "tickets").plan
    assert (plan.responses.envelope, plan.responses.message_key) == ("status", "message")
    assert (plan.errors.envelope, plan.errors.details, plan.errors.validation_status) == (
        "status",
        "map",
        400,
    )
    ticket = plan.resources["ticket"]
    assert ticket.path == "/office/v2/tickets"
    assert ticket.messages.answers == {
        "create": "Ticket sold",
        "read": "Ticket found",
        "list": "Tickets listed",
        "update": "Ticket changed",
        "rebook": "Ticket rebooked",
    }
    rebook = ticket.operations.custom["rebook"]
    assert rebook.response == "resource" and set(rebook.request or {}) == {
        "new_crossing_date",
        "reason_text",
    }
    assert [ticket.op_wire(n, s) for n, s in (rebook.request or {}).items()] == [
        "newCrossingDate",
        "reasonText",
    ]


PROBE = """
import json
import re
from pathlib import Path

from fastapi.testclient import TestClient

from tests.conftest import auth

EXAMPLES = json.loads(Path(__file__).with_name("ferry_examples.json").read_text())
BASE = "/office/v2/tickets"


# The owner's id the plan answers by default (owner_in_response); the contract's examples
# leave it out, and gather does not read that yet (see the report of issue 14).
OWNER = {"userId"}


def same_keys(answer: dict, example: dict) -> None:
    assert list(answer) == list(example), (answer, example)
    shown = example["data"] if isinstance(example["data"], dict) else example["data"][0]
    given = answer["data"] if isinstance(answer["data"], dict) else answer["data"][0]
    assert set(given) - OWNER == set(shown), answer


def test_answers_match_the_contracts_examples_key_for_key(client: TestClient) -> None:
    sold = client.post(
        BASE,
        json={"passengerName": "Ingrid Holm", "crossingDate": "2031-06-01", "vehicleLength": 4},
        headers=auth(),
    )
    assert sold.status_code == 201, sold.text
    same_keys(sold.json(), EXAMPLES["Ticket sold"])
    item = f"{BASE}/{sold.json()['data']['id']}"
    found = client.get(item, headers=auth())
    same_keys(found.json(), EXAMPLES["Ticket found"])
    changed = client.patch(item, json={"vehicleLength": 6}, headers=auth())
    same_keys(changed.json(), EXAMPLES["Ticket changed"])
    assert changed.json()["data"]["vehicleLength"] == 6
    body = {"newCrossingDate": "2031-06-03", "reasonText": "Storm warning"}
    rebooked = client.post(item + "/rebook", json=body, headers=auth())
    assert rebooked.status_code == 200, rebooked.text
    same_keys(rebooked.json(), EXAMPLES["Ticket rebooked"])
    assert rebooked.json()["data"]["crossingDate"] == "2031-06-03"
    listed = client.get(BASE, headers=auth())
    assert set(listed.json()) == set(EXAMPLES["Tickets listed"])
    same_keys({k: listed.json()[k] for k in EXAMPLES["Tickets listed"]}, EXAMPLES["Tickets listed"])


def test_errors_are_jsend(client: TestClient) -> None:
    missing = client.get(f"{BASE}/00000000-0000-4000-8000-000000000000", headers=auth())
    assert missing.status_code == 404
    assert set(missing.json()) == {"status", "message"} and missing.json()["status"] == "error"
    invalid = client.post(BASE, json={"passengerName": "x", "crossingDate": "soon"}, headers=auth())
    assert invalid.status_code == 400
    assert invalid.json()["status"] == "fail" and "crossingDate" in invalid.json()["data"]
    snake_case = {"passenger_name": "x", "crossing_date": "2031-06-01"}
    snake = client.post(BASE, json=snake_case, headers=auth())
    assert snake.status_code == 400
"""


def _implement_rebook(backend: Path) -> None:
    """What a user of the backend writes: the rebooking itself."""
    handler = backend / "app" / "extensions" / "tickets_rebook.py"
    text = handler.read_text()
    start = text.index("    raise not_implemented(")
    text = text[:start] + (
        "    row.crossing_date = data.new_crossing_date\n"
        "    session.add(row)\n"
        "    session.commit()\n"
        "    session.refresh(row)\n"
        "    return row\n"
    )
    handler.write_text(text.replace("from app.utils.operations import not_implemented\n", ""))


@pytest.fixture(scope="module")
def ferry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ferry") / "project"
    shutil.copytree(FERRY / "specs", root / "specs")
    for step in (("gather", "tickets"), ("emit", "tickets", "--with-tests")):
        result = sp_backend(*step, "--root", str(root))
        assert result.returncode == 0, result.stdout + result.stderr
    backend = root / "backend"
    _implement_rebook(backend)
    (backend / "tests" / "ferry_examples.json").write_text(json.dumps(contract_examples()))
    (backend / "tests" / "test_ferry_probe.py").write_text(PROBE)
    return backend


def test_the_generated_suite_passes_on_sqlite(ferry: Path) -> None:
    run = run_generated_tests(ferry)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " passed" in run.stdout


def test_the_generated_suite_passes_on_postgres(ferry: Path, postgres_database: str) -> None:
    run = run_generated_tests(ferry, postgres_database)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and "skipped" not in run.stdout


def test_the_probe_ran(ferry: Path) -> None:
    run = run_generated_tests(ferry, extra=("tests/test_ferry_probe.py",))
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "2 passed" in run.stdout
