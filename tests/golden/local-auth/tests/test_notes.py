"""Note endpoints: happy paths, validation, listing and isolation.

Tokens are tested in test_auth.py."""

import asyncio
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import bindparam, select
from sqlmodel import Session, col

from app.config import get_settings
from app.database import Row, build_reader, engine
from app.models.note import Note
from app.models.user import User
from app.utils.auth import parse_user_id
from tests.conftest import ALICE, BOB, assert_error, auth


def url(user: object = ALICE, suffix: str = "") -> str:
    return "/api/{user_id}/notes".replace("{user_id}", str(user)) + suffix


VALID: dict[str, Any] = {
    "title": "Sample value",
    "body": "Sample value",
    "pinned": True,
    "color": "blue",
}
OTHER = {"title": "Changed value", "body": "Changed value", "pinned": False, "color": "plain"}
VARYING: list[str] = ["title", "body"]
# Unique fields the tests cannot vary are left out of every row but the first.
UNIQUE_FIXED: list[str] = []
MISSING_ID = 2_000_000_000


def payload(n: int = 0, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """A valid body; n makes text fields distinct so rows can be told apart."""
    body = dict(base or VALID)
    for name in VARYING:
        body[name] = f"{body[name]} {n}"
    if n:
        for name in UNIQUE_FIXED:
            body.pop(name, None)
    return body


def create(
    client: TestClient, user: object = ALICE, body: dict[str, Any] | None = None
) -> dict[str, Any]:
    body = body if body is not None else payload()
    response = client.post(url(user), json=body, headers=auth(user))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


# The list answer, as the contract shows it:
# {"items": [...], "pagination": {"total", "page", "page_size", "total_pages", "has_next",
# "has_previous"}}
META: dict[str, str] = {
    "total": "total",
    "page": "page",
    "page_size": "page_size",
    "total_pages": "total_pages",
    "has_next": "has_next",
    "has_previous": "has_previous",
}


def rows_of(response: httpx2.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    answer: list[dict[str, Any]] = response.json()["items"]
    return answer


def meta_of(response: httpx2.Response) -> dict[str, object]:
    """The page metadata by item (total, page, ...), under the contract's names."""
    shown = response.json()["pagination"]
    return {item: shown[key] for item, key in META.items()}


def assert_page(response: httpx2.Response, **facts: object) -> None:
    """The metadata the contract shows (a subset of these facts) says what they say."""
    assert meta_of(response) == {item: facts[item] for item in META}


def test_create_returns_the_row_and_its_location(client: TestClient) -> None:
    response = client.post(url(), json=VALID, headers=auth())
    assert response.status_code == 201, response.text
    body = response.json()
    for name, value in VALID.items():
        assert body[name] == value, name
    assert body["user_id"] == ALICE
    assert response.headers["Location"].endswith(f"/{body['id']}")


def test_create_with_only_required_fields_applies_defaults(client: TestClient) -> None:
    body = create(client, body={"title": "Sample value"})
    assert body["pinned"] is False
    assert body["color"] == "plain"
    assert body["id"]


def test_create_requires_title(client: TestClient) -> None:
    body = dict(VALID)
    del body["title"]
    assert_error(client.post(url(), json=body, headers=auth()), 422)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        pytest.param("title", "", id="title: shorter than 1"),
        pytest.param("title", "x" * 121, id="title: longer than 120"),
        pytest.param("title", "   ", id="title: blank"),
        pytest.param("title", None, id="title: null"),
        pytest.param("body", "x" * 5001, id="body: longer than 5000"),
        pytest.param("pinned", "sometimes", id="pinned: not a boolean"),
        pytest.param("color", "not-a-valid-choice", id="color: not one of the values"),
    ],
)
def test_create_refuses_invalid_values(client: TestClient, field: str, value: object) -> None:
    response = client.post(url(), json={**VALID, field: value}, headers=auth())
    assert_error(response, 422)
    assert field in response.text


def test_create_refuses_unknown_fields_and_never_takes_an_owner_from_the_body(
    client: TestClient,
) -> None:
    response = client.post(url(), json={**VALID, "user_id": BOB}, headers=auth())
    assert_error(response, 422)
    assert_error(client.post(url(), json={**VALID, "unexpected": 1}, headers=auth()), 422)
    assert rows_of(client.get(url(BOB), headers=auth(BOB))) == []


def test_read_returns_the_row(client: TestClient) -> None:
    created = create(client)
    response = client.get(url(suffix=f"/{created['id']}"), headers=auth())
    assert response.status_code == 200
    assert response.json() == created


def test_read_unknown_id_is_404(client: TestClient) -> None:
    assert_error(client.get(url(suffix=f"/{MISSING_ID}"), headers=auth()), 404, "NOT_FOUND")


def test_read_malformed_id_is_a_validation_error(client: TestClient) -> None:
    assert_error(client.get(url(suffix="/not-an-id"), headers=auth()), 422)


def test_update_changes_only_the_fields_sent(client: TestClient) -> None:
    created = create(client)
    path = url(suffix=f"/{created['id']}")
    for name, value in OTHER.items():
        response = client.patch(path, json={name: value}, headers=auth())
        assert response.status_code == 200, response.text
        assert response.json()[name] == value, name
    final = client.get(url(suffix=f"/{created['id']}"), headers=auth()).json()
    for name in OTHER:
        assert final[name] == OTHER[name], name
    assert final["created_at"] == created["created_at"]
    assert final["updated_at"] >= created["updated_at"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        pytest.param("title", "", id="title: shorter than 1"),
        pytest.param("title", "x" * 121, id="title: longer than 120"),
        pytest.param("title", "   ", id="title: blank"),
        pytest.param("body", "x" * 5001, id="body: longer than 5000"),
        pytest.param("pinned", "sometimes", id="pinned: not a boolean"),
        pytest.param("color", "not-a-valid-choice", id="color: not one of the values"),
    ],
)
def test_update_refuses_invalid_values(client: TestClient, field: str, value: object) -> None:
    created = create(client)
    response = client.patch(url(suffix=f"/{created['id']}"), json={field: value}, headers=auth())
    assert_error(response, 422)
    after = client.get(url(suffix=f"/{created['id']}"), headers=auth()).json()
    assert after == created


def test_update_refuses_null_for_title(client: TestClient) -> None:
    created = create(client)
    path = url(suffix=f"/{created['id']}")
    response = client.patch(path, json={"title": None}, headers=auth())
    assert_error(response, 422)


def test_update_refuses_null_for_pinned(client: TestClient) -> None:
    created = create(client)
    path = url(suffix=f"/{created['id']}")
    response = client.patch(path, json={"pinned": None}, headers=auth())
    assert_error(response, 422)


def test_update_refuses_null_for_color(client: TestClient) -> None:
    created = create(client)
    path = url(suffix=f"/{created['id']}")
    response = client.patch(path, json={"color": None}, headers=auth())
    assert_error(response, 422)


def test_update_unknown_id_is_404(client: TestClient) -> None:
    response = client.patch(url(suffix=f"/{MISSING_ID}"), json={}, headers=auth())
    assert_error(response, 404)


def test_pin_action(client: TestClient) -> None:
    created = create(client)
    path = url(suffix="/{id}/pin".replace("{id}", str(created["id"])))
    first = client.post(path, headers=auth())
    assert first.status_code == 200, first.text
    assert first.json()["pinned"] is (not created["pinned"])
    second = client.post(path, headers=auth())
    assert second.json()["pinned"] is created["pinned"]
    missing = url(suffix="/{id}/pin".replace("{id}", str(MISSING_ID)))
    assert_error(client.post(missing, headers=auth()), 404)


def test_delete_removes_the_row(client: TestClient) -> None:
    created = create(client)
    response = client.delete(url(suffix=f"/{created['id']}"), headers=auth())
    assert response.status_code == 204
    assert response.content == b""
    assert_error(client.get(url(suffix=f"/{created['id']}"), headers=auth()), 404)
    assert_error(client.delete(url(suffix=f"/{created['id']}"), headers=auth()), 404)


def test_list_answers_in_the_contracts_shape(client: TestClient) -> None:
    created = create(client)
    response = client.get(url(), headers=auth())
    (row,) = rows_of(response)
    assert row == created
    body = response.json()
    assert set(body) == {"items", "pagination"}
    assert set(body["pagination"]) == set(META.values())


def test_list_is_paginated_with_totals(client: TestClient) -> None:
    for n in range(3):
        create(client, body=payload(n))
    page, size = "page", "page_size"
    first = client.get(url(), params={page: 1, size: 2}, headers=auth())
    assert len(rows_of(first)) == 2
    assert_page(
        first,
        total=3,
        count=2,
        page=1,
        page_size=2,
        total_pages=2,
        has_next=True,
        has_previous=False,
    )
    second = client.get(url(), params={page: 2, size: 2}, headers=auth())
    assert len(rows_of(second)) == 1
    assert_page(
        second,
        total=3,
        count=1,
        page=2,
        page_size=2,
        total_pages=2,
        has_next=False,
        has_previous=True,
    )
    seen = {item["id"] for item in rows_of(first) + rows_of(second)}
    assert len(seen) == 3
    beyond = client.get(url(), params={page: 9, size: 2}, headers=auth())
    assert rows_of(beyond) == []
    assert_page(
        beyond,
        total=3,
        count=0,
        page=9,
        page_size=2,
        total_pages=2,
        has_next=False,
        has_previous=True,
    )


@pytest.mark.parametrize(
    "params",
    [
        {"page_size": 51},
        {"page_size": 0},
        {"page": 0},
        {"page": "x"},
    ],
)
def test_list_bounds_are_enforced(client: TestClient, params: dict[str, Any]) -> None:
    assert_error(client.get(url(), params=params, headers=auth()), 422)


def test_list_filters_by_pinned(client: TestClient) -> None:
    # As stored: text fields the tests vary carry a suffix.
    value = create(client, body=payload(1, VALID))["pinned"]
    create(client, body=payload(2, OTHER))
    param = str(value).lower() if isinstance(value, bool) else value
    response = client.get(url(), params={"pinned": param}, headers=auth())
    assert response.status_code == 200, response.text
    items = rows_of(response)
    assert items and all(item["pinned"] == value for item in items)
    assert len(items) == 1


def test_list_filters_by_color(client: TestClient) -> None:
    # As stored: text fields the tests vary carry a suffix.
    value = create(client, body=payload(1, VALID))["color"]
    create(client, body=payload(2, OTHER))
    param = str(value).lower() if isinstance(value, bool) else value
    response = client.get(url(), params={"color": param}, headers=auth())
    assert response.status_code == 200, response.text
    items = rows_of(response)
    assert items and all(item["color"] == value for item in items)
    assert len(items) == 1


def test_list_searches_text_and_escapes_wildcards(client: TestClient) -> None:
    create(client, body=payload(1))
    create(client, body={**payload(2), "title": "Needle in a haystack"})
    search = "search"
    found = rows_of(client.get(url(), params={search: "needle"}, headers=auth()))
    assert [item["title"] for item in found] == ["Needle in a haystack"]
    assert rows_of(client.get(url(), params={search: "%"}, headers=auth())) == []
    # The wildcards and the escape character itself are matched literally.
    literal = "Half_price 50% / now"
    create(client, body={**payload(3), "title": literal})
    for text in ("_price 50% /", "50%", "/ now"):
        found = rows_of(client.get(url(), params={search: text}, headers=auth()))
        assert [item["title"] for item in found] == [literal], text


@pytest.mark.parametrize("descending", [False, True])
def test_list_sorts_by_created_at(client: TestClient, descending: bool) -> None:
    create(client, body=payload(1, VALID))
    create(client, body=payload(2, OTHER))
    params = {"sort": "-created_at" if descending else "created_at"}
    response = client.get(url(), params=params, headers=auth())
    assert response.status_code == 200, response.text
    values = [item["created_at"] for item in rows_of(response)]
    keys = [(v is None, v) for v in values] if None in values else values
    assert len(keys) == 2
    if None not in values:
        assert keys == sorted(keys, reverse=descending)


@pytest.mark.parametrize("descending", [False, True])
def test_list_sorts_by_title(client: TestClient, descending: bool) -> None:
    create(client, body=payload(1, VALID))
    create(client, body=payload(2, OTHER))
    params = {"sort": "-title" if descending else "title"}
    response = client.get(url(), params=params, headers=auth())
    assert response.status_code == 200, response.text
    values = [item["title"] for item in rows_of(response)]
    keys = [(v is None, v) for v in values] if None in values else values
    assert len(keys) == 2
    if None not in values:
        assert keys == sorted(keys, reverse=descending)


def test_list_refuses_an_unknown_sort_field(client: TestClient) -> None:
    response = client.get(url(), params={"sort": "no_such_field"}, headers=auth())
    assert_error(response, 422)


# --- isolation: user B can never touch user A's rows -------------------------------------------


def test_list_shows_only_the_callers_rows(client: TestClient) -> None:
    mine = create(client, ALICE)
    create(client, BOB)
    items = rows_of(client.get(url(ALICE), headers=auth(ALICE)))
    assert [item["id"] for item in items] == [mine["id"]]


def test_path_user_must_be_the_caller(client: TestClient) -> None:
    created = create(client, ALICE)
    response = client.get(url(ALICE, f"/{created['id']}"), headers=auth(BOB))
    assert_error(response, 403)
    assert_error(client.get(url(ALICE), headers=auth(BOB)), 403)
    response = client.post(url(ALICE), json=payload(), headers=auth(BOB))
    assert_error(response, 403)


def test_other_users_cannot_read_change_or_delete_a_row(client: TestClient) -> None:
    created = create(client, ALICE)
    item = url(BOB, f"/{created['id']}")
    bob = auth(BOB)
    assert_error(client.get(item, headers=bob), 404)
    assert_error(client.patch(item, json=OTHER, headers=bob), 404)
    action_path = url(BOB, "/{id}/pin".replace("{id}", str(created["id"])))
    assert_error(client.post(action_path, headers=bob), 404)
    assert_error(client.delete(item, headers=bob), 404)
    unchanged = client.get(url(ALICE, f"/{created['id']}"), headers=auth(ALICE)).json()
    assert unchanged == created


def test_a_multi_value_filter_written_by_hand_reads_on_this_database(client: TestClient) -> None:
    """`in_` of a list, as a route of your own in app/extensions/notes.py would
    filter, on the reader the generated reads use (asyncpg on PostgreSQL, the engine on
    SQLite): a literal list, and a cached statement's expanding parameter."""
    wanted = [str(create(client, ALICE, payload(n))["id"]) for n in (1, 2)]
    create(client, ALICE, payload(3))
    ids = [int(value) for value in wanted]
    listed = select(col(Note.id)).where(col(Note.id).in_(ids))
    expanding = select(col(Note.id)).where(col(Note.id).in_(bindparam("ids", expanding=True)))

    async def read() -> list[list[Row]]:
        reader = build_reader(get_settings(), engine)
        try:
            return [await reader.all(listed, {}), await reader.all(expanding, {"ids": ids})]
        finally:
            await reader.close()

    for rows in asyncio.run(read()):
        assert sorted(str(row["id"]) for row in rows) == sorted(wanted)


def owned_ids(user: object) -> set[str]:
    """The ids of the user's note rows, read in the database."""
    with Session(engine) as session:
        mine = select(col(Note.id)).where(col(Note.user_id) == parse_user_id(str(user)))
        return {str(row_id) for row_id in session.execute(mine).scalars()}


def test_deleting_an_account_deletes_its_notes(client: TestClient) -> None:
    """notes.user_id is a foreign key to users.id, ON DELETE CASCADE. The API has no
    account deletion: the account is deleted in the database, as an admin task would."""
    mine = {str(create(client, ALICE, payload(n))["id"]) for n in (1, 2)}
    theirs = {str(create(client, BOB, payload(3))["id"])}
    assert owned_ids(ALICE) == mine
    with Session(engine) as session:
        session.delete(session.get_one(User, parse_user_id(str(ALICE))))
        session.commit()
    assert owned_ids(ALICE) == set()
    assert owned_ids(BOB) == theirs
