"""Issue 17: every endpoint of the contract is served, custom operations included.

On our room-booking fixture (approve/deny/cancel actions and a computed availability read, in
`### METHOD /path` headings): gather and emit --with-tests serve every endpoint of the contract
(the app's routes against the contract's endpoint list: 100%); the custom operations answer 501
and are listed by emit with their handler and contract line; of the generated tests exactly the
custom operations' documented-answer tests fail, each with that 501. Then, as an agent would,
the four handlers are written by hand into their created-once modules: a re-emit keeps them,
lists nothing left to implement, and the whole generated suite passes.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from conftest import REPO, run_generated_tests, sp_backend

FIXTURE = REPO / "tests" / "fixtures" / "specs" / "room-booking"
CONTRACT = FIXTURE / "specs" / "api" / "room-booking-endpoints.md"
HANDLERS = {
    "reservations_approve": ("approve", "approved", {"pending"}),
    "reservations_deny": ("deny", "denied", {"pending"}),
    "reservations_cancel": ("cancel", "cancelled", {"pending", "approved"}),
}

ROUTES = """
import json
from app.main import app
paths = app.openapi()["paths"]
print(json.dumps(sorted(f"{m.upper()} {p}" for p, ops in paths.items() for m in ops)))
"""


def _normal(endpoint: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", endpoint)


def contract_endpoints() -> set[str]:
    text = CONTRACT.read_text(encoding="utf-8")
    found = re.findall(r"^#+\s+(GET|POST|PUT|PATCH|DELETE)\s+(/\S+)", text, re.MULTILINE)
    return {_normal(f"{method} {path}") for method, path in found}


def served(backend: Path) -> set[str]:
    env = {
        **os.environ,
        "ENVIRONMENT": "development",
        "BOOKING_JWT_SECRET": secrets.token_hex(32),
    }
    out = subprocess.run(
        [sys.executable, "-c", ROUTES], cwd=backend, capture_output=True, text=True, env=env
    )
    assert out.returncode == 0, out.stderr
    return {_normal(e) for e in json.loads(out.stdout)}


def failures(backend: Path) -> dict[str, str]:
    """Failed generated tests -> their failure message (junit XML)."""
    report = backend / "report.xml"
    run_generated_tests(backend, extra=(f"--junitxml={report}",))
    failed = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        for problem in list(case.findall("failure")) + list(case.findall("error")):
            failed[f"{case.get('classname')}::{case.get('name')}"] = (
                problem.get("message") or ""
            ) + (problem.text or "")
    return failed


def emit(project: Path) -> dict:
    result = sp_backend("emit", "room-booking", "--with-tests", "--json", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


HANDLER = '''"""{label} a reservation: hand-written, as an agent would."""

from fastapi import HTTPException
from sqlmodel import Session

from app.models.reservation import Reservation
{imports}from app.utils.auth import UserId


def handle(*, row: Reservation, {data}session: Session, user_id: UserId) -> Reservation:
    if row.status in {done!r}:
        raise HTTPException(status_code=409, detail="The reservation is already {state}")
    row.status = "{state}"
    session.add(row)
    session.commit()
    session.refresh(row)
    return row
'''

AVAILABILITY = '''"""Availability of a room: hand-written, as an agent would."""

from datetime import date as Date

from sqlmodel import Session, func, select

from app.models.reservation import Reservation
from app.models.room import Room
from app.schemas.room_operations import RoomAvailabilityResponse
from app.utils.auth import UserId

OPEN_HOURS = 10


def handle(
    *, row: Room, date: str | None, session: Session, user_id: UserId
) -> RoomAvailabilityResponse:
    day = Date.fromisoformat(date) if date else Date.today()
    statement = select(func.coalesce(func.sum(Reservation.hours), 0)).where(
        Reservation.user_id == user_id, Reservation.status == "approved"
    )
    booked = min(int(session.exec(statement).one()), OPEN_HOURS)
    return RoomAvailabilityResponse(
        room_id=row.id, date=day, booked_hours=booked, free_hours=OPEN_HOURS - booked
    )
'''


def implement(backend: Path) -> None:
    done = {"approved", "denied", "cancelled"}
    for module, (name, state, allowed) in HANDLERS.items():
        takes_body = name == "deny"
        text = HANDLER.format(
            label=name.capitalize(),
            imports="from app.schemas.reservation_operations import ReservationDenyRequest\n"
            if takes_body
            else "",
            data="data: ReservationDenyRequest, " if takes_body else "",
            done=sorted(done - allowed) if name != "cancel" else sorted(done - {"approved"}),
            state=state,
        )
        (backend / "app" / "extensions" / f"{module}.py").write_text(text, encoding="utf-8")
    (backend / "app" / "extensions" / "rooms_availability.py").write_text(
        AVAILABILITY, encoding="utf-8"
    )


def test_every_endpoint_served_custom_operations_red_then_green(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    gathered = sp_backend("gather", "room-booking", cwd=project)
    assert gathered.returncode == 0, gathered.stdout + gathered.stderr
    plan = (project / "specs" / "backend" / "room-booking.plan.yaml").read_text()
    assert "left out of the generated backend" not in plan

    report = emit(project)
    backend = project / "backend"
    listed = {op["endpoint"]: op for op in report["to_implement"]}
    assert set(listed) == {
        "GET /api/rooms/{room_id}/availability",
        "POST /api/reservations/{reservation_id}/approve",
        "POST /api/reservations/{reservation_id}/deny",
        "POST /api/reservations/{reservation_id}/cancel",
    }
    for op in listed.values():
        assert op["source"].startswith("specs/api/room-booking-endpoints.md:"), op
        assert (backend / op["handler"]).is_file(), op

    expected = contract_endpoints()
    assert len(expected) == 12
    missing = expected - served(backend)
    assert not missing, f"not served: {sorted(missing)}"

    lint = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "."],
        cwd=backend,
        capture_output=True,
        text=True,
    )
    assert lint.returncode == 0, lint.stdout

    red = failures(backend)
    assert sorted(red) == sorted(
        f"tests.test_{c}_operations::test_{n}_answers_as_the_contract_documents"
        for c, n in (
            ("reservations", "approve"),
            ("reservations", "cancel"),
            ("reservations", "deny"),
            ("rooms", "availability"),
        )
    ), red
    for name, message in red.items():
        assert "501" in message and "is not implemented yet" in message, (name, message)

    implement(backend)
    again = emit(project)
    assert again["to_implement"] == []
    kept = {f["path"] for f in again["files"] if f["action"] == "kept"}
    assert {f"app/extensions/{m}.py" for m in [*HANDLERS, "rooms_availability"]} <= kept
    assert not [f for f in again["files"] if f["action"] == "conflict"]
    assert failures(backend) == {}
