"""Task data access.

Reads: TaskQueries, async, on the reader in app/database.py.
Writes: TaskService, on a Session in FastAPI's threadpool.
Both take their statements from this module.
Every statement carries `_owned()`, the one owner filter, whose value (`owner`) is always the
authenticated caller's id: no route can reach another user's rows.
"""

from datetime import timedelta
from functools import lru_cache
from typing import Any, NoReturn
from uuid import UUID

from sqlalchemy import (
    BindParameter,
    Select,
    bindparam,
    case,
    delete,
    func,
    insert,
    not_,
    or_,
    update,
)
from sqlalchemy import select as select_columns
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from app.config import get_settings
from app.database import Reader, Row
from app.db_types import utcnow
from app.models.task import Task
from app.models.task_idempotency import TaskIdempotencyKey
from app.schemas.task import TaskCreate, TaskListParams, TaskUpdate
from app.utils.auth import UserId
from app.utils.errors import ConflictError, IdempotencyKeyReusedError, NotFoundError
from app.utils.idempotency import request_hash

# Rows are returned as plain dicts, not ORM objects: nothing to track, much less to build per row.
TABLE = Task.metadata.tables["tasks"]
ROW_COLUMNS = tuple(TABLE.columns)

# priority sorts by rank (low < medium < high), not alphabetically.
PRIORITY_RANK = case(
    (col(Task.priority) == "low", 0),
    (col(Task.priority) == "medium", 1),
    (col(Task.priority) == "high", 2),
    else_=3,
)

SORT_COLUMNS: dict[str, Any] = {
    "created_at": col(Task.created_at),
    "updated_at": col(Task.updated_at),
    "due_date": col(Task.due_date),
    "priority": PRIORITY_RANK,
    "title": col(Task.title),
}


def _owned() -> ColumnElement[bool]:
    """The owner filter. Its value is the bound parameter `owner`: a statement built with it
    does not run until the caller's id is given."""
    return col(Task.user_id) == bindparam("owner")


def _conditions(names: tuple[str, ...]) -> list[ColumnElement[bool]]:
    """The WHERE clause for the filters a request sets. Values are bound parameters
    (`filter_<name>`, `choice_<param>`, `search`): few distinct statements, each compiled once."""
    conditions: list[ColumnElement[bool]] = [_owned()]
    if "filter_priority" in names:
        conditions.append(col(Task.priority) == bindparam("filter_priority"))
    if "filter_completed" in names:
        conditions.append(col(Task.completed) == bindparam("filter_completed"))
    if "search" in names:
        pattern: BindParameter[str] = bindparam("search")
        conditions.append(
            or_(
                col(Task.title).ilike(pattern, escape="/"),
                col(Task.description).ilike(pattern, escape="/"),
            )
        )
    return conditions


@lru_cache(maxsize=256)
def list_statement(names: tuple[str, ...], sort: str, descending: bool) -> Select[Any]:
    conditions = _conditions(names)
    column = SORT_COLUMNS[sort]
    # id breaks ties, so rows never move between pages.
    if descending:
        order = (column.desc(), col(Task.id).desc())
    else:
        order = (column.asc(), col(Task.id).asc())
    # The total rides along as a scalar subquery (evaluated once): one round trip, which
    # matters most against a remote or serverless database. Its label starts with "_", which
    # no field name can, so it never collides with a column (a resource may have a "total").
    total = count_statement(names).scalar_subquery().label("_total")
    statement = select_columns(*ROW_COLUMNS, total).where(*conditions).order_by(*order)
    return statement.offset(bindparam("offset")).limit(bindparam("limit"))


@lru_cache(maxsize=256)
def count_statement(names: tuple[str, ...]) -> Select[Any]:
    return select(func.count().label("_total")).select_from(Task).where(*_conditions(names))


# By id, and only the caller's.
ONE = select_columns(*ROW_COLUMNS).where(col(Task.id) == bindparam("row_id"), _owned())


class TaskQueries:
    """Async reads, as plain rows (dicts), of the caller's own rows only."""

    def __init__(self, reader: Reader, owner_id: UserId) -> None:
        self.reader = reader
        self.owner_id = owner_id

    async def list_page(self, params: TaskListParams) -> tuple[list[Row], int]:
        where = self._where(params)
        sort = params.sort
        descending = params.order == "desc"
        offset = (params.page - 1) * params.page_size
        limit = params.page_size
        values = {**where, "owner": self.owner_id, "offset": offset, "limit": limit}
        rows = await self.reader.all(list_statement(tuple(where), sort, descending), values)
        if rows:
            return rows, rows[0]["_total"]
        # A page past the end still reports the total.
        counted = await self.reader.all(count_statement(tuple(where)), values)
        return rows, counted[0]["_total"]

    def _where(self, params: TaskListParams) -> dict[str, Any]:
        """The filters this request sets, keyed by their bound parameters' names."""
        where: dict[str, Any] = {}
        if params.priority is not None:
            where["filter_priority"] = params.priority
        if params.completed is not None:
            where["filter_completed"] = params.completed
        if params.search:
            # LIKE wildcards escaped: the user's text is matched literally.
            where["search"] = f"%{escape_like(params.search)}%"
        return where

    async def get(self, task_id: UUID) -> Row:
        values = {"row_id": task_id, "owner": self.owner_id}
        rows = await self.reader.all(ONE, values)
        if not rows:
            raise NotFoundError("Task not found")
        return rows[0]


class TaskService:
    """Writes on a Session; sync, so FastAPI runs them in its threadpool.

    Each write is one statement that reads and changes the row together (UPDATE ... WHERE ...
    RETURNING), never a read followed by a write: concurrent requests end as some serial order
    of them would (32 toggles toggle 32 times; of racing deletes one answers 204, the others
    404), and the answer comes from what the database stored, with no second round trip.
    """

    def __init__(self, session: Session, owner_id: UserId) -> None:
        self.session = session
        self.owner_id = owner_id

    def create(self, data: TaskCreate, idempotency_key: str | None = None) -> Row:
        """The new row; with an Idempotency-Key, the row a first attempt with that key created
        (the key and its row are committed together, so a retry never makes a second)."""
        row = Task.model_validate(data, update={"user_id": self.owner_id})
        values = row.model_dump()
        if idempotency_key is None:
            result = self.session.exec(insert(Task).values(values).returning(*ROW_COLUMNS))
            created = dict(result.mappings().one())
            self.session.commit()
            return created
        digest = request_hash(data)
        self._forget_expired_keys()
        try:
            result = self.session.exec(insert(Task).values(values).returning(*ROW_COLUMNS))
            created = dict(result.mappings().one())
            key = TaskIdempotencyKey(
                owner=self.owner_id,
                key=idempotency_key,
                request_hash=digest,
                row_id=created["id"],
            )
            self.session.exec(insert(TaskIdempotencyKey).values(key.model_dump()))
        except IntegrityError:
            # The key was used already, or by a racing request that committed first (its row
            # may also be why this insert conflicted): this attempt is rolled back and the
            # first one answered. With no such key, the conflict is real (409).
            self.session.rollback()
            replayed = self._replay(idempotency_key, digest)
            if replayed is None:
                raise
            return replayed
        self.session.commit()
        return created

    def _replay(self, idempotency_key: str, digest: str) -> Row | None:
        statement = select(TaskIdempotencyKey).where(
            col(TaskIdempotencyKey.key) == idempotency_key,
            col(TaskIdempotencyKey.owner) == self.owner_id,
        )
        record = self.session.exec(statement).first()
        if record is None:
            return None
        if record.request_hash != digest:
            raise IdempotencyKeyReusedError
        row = select_columns(*ROW_COLUMNS).where(*self._this_row())
        # A Core statement, on the session's connection: rows as mappings.
        rows = self.session.connection().execute(row, self._params(record.row_id))
        current = rows.mappings().first()
        if current is None:
            raise ConflictError("The row this Idempotency-Key created has been deleted since")
        return dict(current)

    def _forget_expired_keys(self) -> None:
        """Keys live IDEMPOTENCY_KEY_HOURS; older ones of this caller are removed, so an old key
        can be used again and the table stays bounded."""
        cutoff = utcnow() - timedelta(hours=get_settings().idempotency_key_hours)
        self.session.exec(
            delete(TaskIdempotencyKey).where(
                col(TaskIdempotencyKey.owner) == self.owner_id,
                col(TaskIdempotencyKey.created_at) < cutoff,
            )
        )

    def update(self, task_id: UUID, data: TaskUpdate) -> Row:
        changes = data.model_dump(exclude_unset=True)
        if not changes:
            return self._current(task_id)
        return self._change(task_id, changes)

    def complete(self, task_id: UUID) -> Row:
        # Flipped by the database, so concurrent toggles never read the same old value.
        return self._change(task_id, {"completed": not_(col(Task.completed))})

    def delete(self, task_id: UUID) -> None:
        statement = delete(Task).where(*self._this_row()).returning(col(Task.id))
        deleted = self.session.exec(statement, params=self._params(task_id)).first()
        if deleted is None:
            self._missing(task_id)
        self.session.commit()

    def _change(self, task_id: UUID, values: dict[str, Any]) -> Row:
        statement = update(Task).where(*self._this_row()).values(values).returning(*ROW_COLUMNS)
        result = self.session.exec(statement, params=self._params(task_id))
        changed = result.mappings().first()
        if changed is None:
            self._missing(task_id)
        self.session.commit()
        return dict(changed)

    def _current(self, task_id: UUID) -> Row:
        statement = select_columns(*ROW_COLUMNS).where(*self._this_row())
        # A Core statement, on the session's connection: rows as mappings.
        rows = self.session.connection().execute(statement, self._params(task_id))
        current = rows.mappings().first()
        if current is None:
            self._missing(task_id)
        return dict(current)

    def _this_row(self) -> tuple[ColumnElement[bool], ...]:
        """The row by id, and only if it is the caller's."""
        return (col(Task.id) == bindparam("row_id"), _owned())

    def _params(self, task_id: UUID) -> dict[str, Any]:
        return {"row_id": task_id, "owner": self.owner_id}

    def _missing(self, task_id: UUID) -> NoReturn:
        raise NotFoundError("Task not found")


def escape_like(text: str) -> str:
    # "/" escapes, not a backslash: how a backslash ESCAPE is quoted differs between
    # SQLAlchemy versions and PostgreSQL string settings; "/" needs no quoting anywhere.
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")
