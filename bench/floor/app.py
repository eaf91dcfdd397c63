"""The floor for every operation the benchmark measures, on the generated backend's own table.

Starlette, asyncpg, orjson and PyJWT, no ORM and no validation layer: what Python can serve at
best for the same requests and answers (same rows, same JSON keys), so each generated operation
is measured as a fraction of its own floor. It checks just enough to answer the same statuses
(a token, the caller's rows only, 404 for someone else's); it refuses nothing else a real
backend must refuse. Not product code: a yardstick.

Environment: PG_DSN (asyncpg form), SECRET_KEY (HS256, claim `user_id`).
"""

import base64
import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import jwt
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

DSN = os.environ["PG_DSN"]
SECRET_KEY = os.environ["SECRET_KEY"]
COLUMNS = (
    "id, user_id, title, description, priority, completed, due_date, tags, created_at, updated_at"
)
# The columns a PATCH may change (a fixed list: no column name ever comes from the request).
CHANGEABLE = ("title", "description", "priority", "completed", "due_date", "tags")
pool: asyncpg.Pool | None = None


def _owner(request: Request) -> uuid.UUID | None:
    header = request.headers.get("authorization", "")
    try:
        claims = jwt.decode(header.removeprefix("Bearer "), SECRET_KEY, algorithms=["HS256"])
        return uuid.UUID(claims["user_id"])
    except Exception:
        return None


def _json(body: Any, status: int = 200) -> Response:
    # default=str: asyncpg's own UUID type, which orjson does not know.
    return Response(orjson.dumps(body, default=str), status, media_type="application/json")


UNAUTHORIZED = Response(b'{"detail":"Not authenticated"}', 401, media_type="application/json")
NOT_FOUND = Response(b'{"detail":"Not found"}', 404, media_type="application/json")


def _row(record: asyncpg.Record) -> dict[str, Any]:
    return dict(record)


async def list_rows(request: Request) -> Response:
    owner = _owner(request)
    if owner is None:
        return UNAUTHORIZED
    query = request.query_params
    if "limit" in query:
        return await _cursor_page(owner, query)
    page = int(query.get("page", 1))
    size = int(query.get("page_size", 20))
    conditions, args = ["user_id = $1"], [owner]
    if "completed" in query:
        args.append(query["completed"] == "true")
        conditions.append(f"completed = ${len(args)}")
    if "priority" in query:
        args.append(query["priority"])
        conditions.append(f"priority = ${len(args)}")
    if "search" in query:
        args.append(f"%{query['search']}%")
        conditions.append(f"(title ILIKE ${len(args)} OR description ILIKE ${len(args)})")
    order = "created_at DESC, id DESC"
    if query.get("sort_by") == "title":
        order = "title ASC, id ASC" if query.get("order") == "asc" else "title DESC, id DESC"
    where = " AND ".join(conditions)
    args += [size, (page - 1) * size]
    sql = (
        f"SELECT {COLUMNS}, (SELECT count(*) FROM tasks WHERE {where}) AS total FROM tasks "
        f"WHERE {where} ORDER BY {order} LIMIT ${len(args) - 1} OFFSET ${len(args)}"
    )
    assert pool is not None
    async with pool.acquire() as connection:
        records = await connection.fetch(sql, *args)
    total = records[0]["total"] if records else 0
    items = [_row(r) for r in records]
    for item in items:
        del item["total"]
    return _json(
        {
            "items": items,
            "pagination": {
                "total": total,
                "page": page,
                "page_size": size,
                "total_pages": (total + size - 1) // size,
                "has_next": page * size < total,
                "has_previous": page > 1,
            },
        }
    )


def cursor_after(created_at: datetime, row_id: uuid.UUID) -> str:
    """This app's own cursor (the bench computes one for a deep page)."""
    text = f"{created_at.isoformat()}|{row_id}"
    return base64.urlsafe_b64encode(text.encode()).decode()


async def _cursor_page(owner: uuid.UUID, query: Any) -> Response:
    limit = int(query["limit"])
    assert pool is not None
    async with pool.acquire() as connection:
        if "cursor" in query:
            created, row_id = base64.urlsafe_b64decode(query["cursor"]).decode().split("|")
            records = await connection.fetch(
                f"SELECT {COLUMNS} FROM tasks WHERE user_id = $1 AND (created_at, id) < ($2, $3) "
                "ORDER BY created_at DESC, id DESC LIMIT $4",
                owner,
                datetime.fromisoformat(created),
                uuid.UUID(row_id),
                limit + 1,
            )
        else:
            records = await connection.fetch(
                f"SELECT {COLUMNS} FROM tasks WHERE user_id = $1 "
                "ORDER BY created_at DESC, id DESC LIMIT $2",
                owner,
                limit + 1,
            )
    more = len(records) > limit
    records = records[:limit]
    last = records[-1] if records and more else None
    next_cursor = cursor_after(last["created_at"], last["id"]) if last else None
    return _json({"items": [_row(r) for r in records], "pagination": {"next_cursor": next_cursor}})


async def one_row(request: Request) -> Response:
    owner = _owner(request)
    if owner is None:
        return UNAUTHORIZED
    row_id = uuid.UUID(request.path_params["row_id"])
    assert pool is not None
    method = request.method
    async with pool.acquire() as connection:
        if method == "GET":
            record = await connection.fetchrow(
                f"SELECT {COLUMNS} FROM tasks WHERE id = $1 AND user_id = $2", row_id, owner
            )
        elif method == "PATCH":
            changes = orjson.loads(await request.body())
            names = [name for name in CHANGEABLE if name in changes]
            values = [changes[name] for name in names]
            if "tags" in changes:  # sent as JSON text, as the generated backend's JSON type does
                values[names.index("tags")] = orjson.dumps(changes["tags"]).decode()
            sets = ", ".join(f"{name} = ${i + 3}" for i, name in enumerate(names))
            record = await connection.fetchrow(
                f"UPDATE tasks SET {sets}, updated_at = now() WHERE id = $1 AND user_id = $2 "
                f"RETURNING {COLUMNS}",
                row_id,
                owner,
                *values,
            )
        else:
            deleted = await connection.fetchval(
                "DELETE FROM tasks WHERE id = $1 AND user_id = $2 RETURNING id", row_id, owner
            )
            return Response(status_code=204) if deleted else NOT_FOUND
    return _json(_row(record)) if record else NOT_FOUND


async def create_row(request: Request) -> Response:
    owner = _owner(request)
    if owner is None:
        return UNAUTHORIZED
    data = orjson.loads(await request.body())
    now = datetime.now(UTC)
    assert pool is not None
    async with pool.acquire() as connection:
        record = await connection.fetchrow(
            f"INSERT INTO tasks ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) "
            f"RETURNING {COLUMNS}",
            uuid.uuid4(),
            owner,
            data["title"],
            data.get("description"),
            data.get("priority", "medium"),
            data.get("completed", False),
            data.get("due_date"),
            orjson.dumps(data.get("tags", [])).decode(),
            now,
        )
    return _json(_row(record), 201)


async def _decode_json(connection: asyncpg.Connection) -> None:
    for name in ("json", "jsonb"):
        await connection.set_type_codec(
            name, encoder=lambda v: v, decoder=orjson.loads, schema="pg_catalog"
        )


async def _nothing_to_reset(connection: asyncpg.Connection) -> None:
    return None


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    global pool
    # The generated backend's pool size (5 + 10 overflow), so both wait alike under 32 clients,
    # and, like its reader, no reset round trip when a connection goes back to the pool (these
    # requests leave no session state behind).
    pool = await asyncpg.create_pool(
        DSN, min_size=5, max_size=15, init=_decode_json, reset=_nothing_to_reset
    )
    yield
    await pool.close()


app = Starlette(
    routes=[
        Route("/api/tasks", list_rows, methods=["GET"]),
        Route("/api/tasks", create_row, methods=["POST"]),
        Route("/api/tasks/{row_id}", one_row, methods=["GET", "PATCH", "DELETE"]),
    ],
    lifespan=lifespan,
)
