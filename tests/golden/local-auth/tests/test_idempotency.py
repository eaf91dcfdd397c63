"""Creates with an Idempotency-Key: a retry answers the first result, never a second row.

For each resource that has a create: the same key twice gives one row; the same key with
another body is refused; racing requests with one key make one row; an expired key is new.
"""

import uuid
from datetime import timedelta
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, update
from sqlmodel import Session, select

from app.config import get_settings
from app.database import engine
from app.db_types import utcnow
from app.models.note import Note
from app.models.note_idempotency import NoteIdempotencyKey
from tests.conftest import ALICE, BOB, assert_error, auth
from tests.test_faults import in_parallel

VALIDATION_STATUS = 422


def rows(model: type) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def post(
    client: TestClient, url: str, body: dict[str, Any], key: str, user: object = ALICE
) -> httpx2.Response:
    headers = {**auth(user), "Idempotency-Key": key}
    return client.post(url.replace("{user_id}", str(user)), json=body, headers=headers)


# --- notes

NOTE_URL = "/api/{user_id}/notes"
NOTE_BODY = {"title": "Sample value", "body": "Sample value", "pinned": True, "color": "blue"}
NOTE_OTHER = {"title": "Changed value", "body": "Changed value", "pinned": False, "color": "plain"}


def test_note_create_retried_with_its_key_answers_the_first_row(client: TestClient) -> None:
    key = str(uuid.uuid4())
    first = post(client, NOTE_URL, NOTE_BODY, key)
    again = post(client, NOTE_URL, NOTE_BODY, key)
    assert first.status_code == again.status_code == 201, again.text
    assert again.json() == first.json()
    assert rows(Note) == 1


def test_note_key_reused_with_another_body_is_refused(client: TestClient) -> None:
    key = str(uuid.uuid4())
    assert post(client, NOTE_URL, NOTE_BODY, key).status_code == 201
    assert_error(post(client, NOTE_URL, NOTE_OTHER, key), VALIDATION_STATUS)
    assert rows(Note) == 1


def test_note_racing_requests_with_one_key_make_one_row(client: TestClient) -> None:
    key = str(uuid.uuid4())
    answers: list[object] = []

    def create(_: int) -> int:
        response = post(client, NOTE_URL, NOTE_BODY, key)
        answers.append(response.json())
        return response.status_code

    assert in_parallel(8, create) == [201] * 8
    assert rows(Note) == 1
    assert all(answer == answers[0] for answer in answers)


def test_note_keys_belong_to_their_caller(client: TestClient) -> None:
    key = str(uuid.uuid4())
    alice = post(client, NOTE_URL, NOTE_BODY, key, ALICE)
    bob = post(client, NOTE_URL, NOTE_BODY, key, BOB)
    assert alice.status_code == bob.status_code == 201, bob.text
    assert alice.json() != bob.json()  # Bob's key replays nothing of Alice's
    assert rows(Note) == 2


def test_note_a_key_whose_row_was_deleted_answers_409(client: TestClient) -> None:
    key = str(uuid.uuid4())
    first = post(client, NOTE_URL, NOTE_BODY, key)
    assert first.status_code == 201, first.text
    row_id = first.json()["id"]
    url = NOTE_URL.replace("{user_id}", str(ALICE))
    assert client.delete(f"{url}/{row_id}", headers=auth()).status_code == 204
    assert_error(post(client, NOTE_URL, NOTE_BODY, key), 409)
    assert rows(Note) == 0


def test_note_an_expired_key_creates_again(client: TestClient) -> None:
    key = str(uuid.uuid4())
    assert post(client, NOTE_URL, NOTE_BODY, key).status_code == 201
    expired = utcnow() - timedelta(hours=get_settings().idempotency_key_hours, minutes=1)
    with Session(engine) as session:
        session.exec(update(NoteIdempotencyKey).values(created_at=expired))
        session.commit()
    assert post(client, NOTE_URL, NOTE_BODY, key).status_code == 201
    assert rows(NoteIdempotencyKey) == 1


@pytest.mark.parametrize("key", ["", "has space", "k" * 256])
def test_note_malformed_keys_are_refused(client: TestClient, key: str) -> None:
    headers = {**auth(), "Idempotency-Key": key}
    url = NOTE_URL.replace("{user_id}", str(ALICE))
    response = client.post(url, json=NOTE_BODY, headers=headers)
    assert_error(response, VALIDATION_STATUS)
    assert rows(Note) == 0
