"""Task endpoints: happy paths, validation, listing and isolation.

Tokens are tested in test_auth.py."""

import asyncio
from typing import Any
from uuid import UUID

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import bindparam, select
from sqlmodel import col

from app.config import get_settings
from app.database import Row, build_reader, engine
from app.models.task import Task
from tests.conftest import ALICE, BOB, assert_error, auth


def url(user: object = ALICE, suffix: str = "") -> str:
    return "/api/tasks" + suffix


VALID: dict[str, Any] = {
    "title": "Sample value",
    "description": "Sample value",
    "priority": "high",
    "completed": True,
    "due_date": "2999-01-15T10:00:00Z",
    "tags": ["alpha", "beta"],
}
OTHER = {
    "title": "Changed value",
    "description": "Changed value",
    "priority": "low",
    "completed": False,
    "due_date": "2999-02-20T12:30:00Z",
    "tags": ["gamma"],
}
VARYING: list[str] = ["title", "description"]
# Unique fields the tests cannot vary are left out of every row but the first.
UNIQUE_FIXED: list[str] = []
MISSING_ID = "00000000-0000-4000-8000-000000000000"


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
    assert body["priority"] == "medium"
    assert body["completed"] is False
    assert body["tags"] == []
    assert body["id"]


def test_create_requires_title(client: TestClient) -> None:
    body = dict(VALID)
    del body["title"]
    assert_error(client.post(url(), json=body, headers=auth()), 422)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        pytest.param("title", "", id="title: shorter than 1"),
        pytest.param("title", "x" * 101, id="title: longer than 100"),
        pytest.param("title", "   ", id="title: blank"),
        pytest.param("title", None, id="title: null"),
        pytest.param("description", "x" * 501, id="description: longer than 500"),
        pytest.param("priority", "not-a-valid-choice", id="priority: not one of the values"),
        pytest.param("completed", "sometimes", id="completed: not a boolean"),
        pytest.param("due_date", "not a date", id="due_date: not a date"),
        pytest.param("due_date", "2999-01-15T10:00:00", id="due_date: no time zone"),
        pytest.param("due_date", "2000-01-01T00:00:00Z", id="due_date: in the past"),
        pytest.param("tags", "not a list", id="tags: not a list"),
        pytest.param("tags", ["t"] * 11, id="tags: more than 10 items"),
        pytest.param("tags", ["x" * 21], id="tags: an item longer than 20"),
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
        pytest.param("title", "x" * 101, id="title: longer than 100"),
        pytest.param("title", "   ", id="title: blank"),
        pytest.param("description", "x" * 501, id="description: longer than 500"),
        pytest.param("priority", "not-a-valid-choice", id="priority: not one of the values"),
        pytest.param("completed", "sometimes", id="completed: not a boolean"),
        pytest.param("due_date", "not a date", id="due_date: not a date"),
        pytest.param("due_date", "2999-01-15T10:00:00", id="due_date: no time zone"),
        pytest.param("due_date", "2000-01-01T00:00:00Z", id="due_date: in the past"),
        pytest.param("tags", "not a list", id="tags: not a list"),
        pytest.param("tags", ["t"] * 11, id="tags: more than 10 items"),
        pytest.param("tags", ["x" * 21], id="tags: an item longer than 20"),
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


def test_update_refuses_null_for_priority(client: TestClient) -> None:
    created = create(client)
    path = url(suffix=f"/{created['id']}")
    response = client.patch(path, json={"priority": None}, headers=auth())
    assert_error(response, 422)


def test_update_refuses_null_for_completed(client: TestClient) -> None:
    created = create(client)
    path = url(suffix=f"/{created['id']}")
    response = client.patch(path, json={"completed": None}, headers=auth())
    assert_error(response, 422)


def test_update_refuses_null_for_tags(client: TestClient) -> None:
    created = create(client)
    path = url(suffix=f"/{created['id']}")
    response = client.patch(path, json={"tags": None}, headers=auth())
    assert_error(response, 422)


def test_update_unknown_id_is_404(client: TestClient) -> None:
    response = client.patch(url(suffix=f"/{MISSING_ID}"), json={}, headers=auth())
    assert_error(response, 404)


def test_complete_action(client: TestClient) -> None:
    created = create(client)
    path = url(suffix="/{id}/complete".replace("{id}", str(created["id"])))
    first = client.patch(path, headers=auth())
    assert first.status_code == 200, first.text
    assert first.json()["completed"] is (not created["completed"])
    second = client.patch(path, headers=auth())
    assert second.json()["completed"] is created["completed"]
    missing = url(suffix="/{id}/complete".replace("{id}", str(MISSING_ID)))
    assert_error(client.patch(missing, headers=auth()), 404)


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
        {"page_size": 101},
        {"page_size": 0},
        {"page": 0},
        {"page": "x"},
    ],
)
def test_list_bounds_are_enforced(client: TestClient, params: dict[str, Any]) -> None:
    assert_error(client.get(url(), params=params, headers=auth()), 422)


def test_list_filters_by_priority(client: TestClient) -> None:
    # As stored: text fields the tests vary carry a suffix.
    value = create(client, body=payload(1, VALID))["priority"]
    create(client, body=payload(2, OTHER))
    param = str(value).lower() if isinstance(value, bool) else value
    response = client.get(url(), params={"priority": param}, headers=auth())
    assert response.status_code == 200, response.text
    items = rows_of(response)
    assert items and all(item["priority"] == value for item in items)
    assert len(items) == 1


def test_list_filters_by_completed(client: TestClient) -> None:
    # As stored: text fields the tests vary carry a suffix.
    value = create(client, body=payload(1, VALID))["completed"]
    create(client, body=payload(2, OTHER))
    param = str(value).lower() if isinstance(value, bool) else value
    response = client.get(url(), params={"completed": param}, headers=auth())
    assert response.status_code == 200, response.text
    items = rows_of(response)
    assert items and all(item["completed"] == value for item in items)
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
    params = {"sort_by": "created_at", "order": "desc" if descending else "asc"}
    response = client.get(url(), params=params, headers=auth())
    assert response.status_code == 200, response.text
    values = [item["created_at"] for item in rows_of(response)]
    keys = [(v is None, v) for v in values] if None in values else values
    assert len(keys) == 2
    if None not in values:
        assert keys == sorted(keys, reverse=descending)


@pytest.mark.parametrize("descending", [False, True])
def test_list_sorts_by_updated_at(client: TestClient, descending: bool) -> None:
    create(client, body=payload(1, VALID))
    create(client, body=payload(2, OTHER))
    params = {"sort_by": "updated_at", "order": "desc" if descending else "asc"}
    response = client.get(url(), params=params, headers=auth())
    assert response.status_code == 200, response.text
    values = [item["updated_at"] for item in rows_of(response)]
    keys = [(v is None, v) for v in values] if None in values else values
    assert len(keys) == 2
    if None not in values:
        assert keys == sorted(keys, reverse=descending)


@pytest.mark.parametrize("descending", [False, True])
def test_list_sorts_by_due_date(client: TestClient, descending: bool) -> None:
    create(client, body=payload(1, VALID))
    create(client, body=payload(2, OTHER))
    params = {"sort_by": "due_date", "order": "desc" if descending else "asc"}
    response = client.get(url(), params=params, headers=auth())
    assert response.status_code == 200, response.text
    values = [item["due_date"] for item in rows_of(response)]
    keys = [(v is None, v) for v in values] if None in values else values
    assert len(keys) == 2
    if None not in values:
        assert keys == sorted(keys, reverse=descending)


@pytest.mark.parametrize("descending", [False, True])
def test_list_sorts_by_priority(client: TestClient, descending: bool) -> None:
    create(client, body=payload(1, VALID))
    create(client, body=payload(2, OTHER))
    params = {"sort_by": "priority", "order": "desc" if descending else "asc"}
    response = client.get(url(), params=params, headers=auth())
    assert response.status_code == 200, response.text
    values = [item["priority"] for item in rows_of(response)]
    rank = ["low", "medium", "high"]
    keys = [rank.index(v) for v in values]
    assert len(keys) == 2
    if None not in values:
        assert keys == sorted(keys, reverse=descending)


@pytest.mark.parametrize("descending", [False, True])
def test_list_sorts_by_title(client: TestClient, descending: bool) -> None:
    create(client, body=payload(1, VALID))
    create(client, body=payload(2, OTHER))
    params = {"sort_by": "title", "order": "desc" if descending else "asc"}
    response = client.get(url(), params=params, headers=auth())
    assert response.status_code == 200, response.text
    values = [item["title"] for item in rows_of(response)]
    keys = [(v is None, v) for v in values] if None in values else values
    assert len(keys) == 2
    if None not in values:
        assert keys == sorted(keys, reverse=descending)


def test_list_refuses_an_unknown_sort_field(client: TestClient) -> None:
    response = client.get(url(), params={"sort_by": "no_such_field"}, headers=auth())
    assert_error(response, 422)


# --- isolation: user B can never touch user A's rows -------------------------------------------


def test_list_shows_only_the_callers_rows(client: TestClient) -> None:
    mine = create(client, ALICE)
    create(client, BOB)
    items = rows_of(client.get(url(ALICE), headers=auth(ALICE)))
    assert [item["id"] for item in items] == [mine["id"]]


def test_other_users_cannot_read_change_or_delete_a_row(client: TestClient) -> None:
    created = create(client, ALICE)
    item = url(BOB, f"/{created['id']}")
    bob = auth(BOB)
    assert_error(client.get(item, headers=bob), 404)
    assert_error(client.patch(item, json=OTHER, headers=bob), 404)
    action_path = url(BOB, "/{id}/complete".replace("{id}", str(created["id"])))
    assert_error(client.patch(action_path, headers=bob), 404)
    assert_error(client.delete(item, headers=bob), 404)
    unchanged = client.get(url(ALICE, f"/{created['id']}"), headers=auth(ALICE)).json()
    assert unchanged == created


def test_a_multi_value_filter_written_by_hand_reads_on_this_database(client: TestClient) -> None:
    """`in_` of a list, as a route of your own in app/extensions/tasks.py would
    filter, on the reader the generated reads use (asyncpg on PostgreSQL, the engine on
    SQLite): a literal list, and a cached statement's expanding parameter."""
    wanted = [str(create(client, ALICE, payload(n))["id"]) for n in (1, 2)]
    create(client, ALICE, payload(3))
    ids = [UUID(value) for value in wanted]
    listed = select(col(Task.id)).where(col(Task.id).in_(ids))
    expanding = select(col(Task.id)).where(col(Task.id).in_(bindparam("ids", expanding=True)))

    async def read() -> list[list[Row]]:
        reader = build_reader(get_settings(), engine)
        try:
            return [await reader.all(listed, {}), await reader.all(expanding, {"ids": ids})]
        finally:
            await reader.close()

    for rows in asyncio.run(read()):
        assert sorted(str(row["id"]) for row in rows) == sorted(wanted)
