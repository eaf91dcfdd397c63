"""Note data access.

Reads: NoteQueries, async, on the reader in app/database.py.
Writes: NoteService, on a Session in FastAPI's threadpool.
Both take their statements from this module.
Every statement carries `_owned()`, the one owner filter, whose value (`owner`) is always the
authenticated caller's id: no route can reach another user's rows.
"""

from datetime import timedelta
from functools import lru_cache
from typing import Any, NoReturn

from sqlalchemy import BindParameter, Select, bindparam, delete, func, insert, not_, or_, update
from sqlalchemy import select as select_columns
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from app.config import get_settings
from app.database import Reader, Row
from app.db_types import utcnow
from app.models.note import Note
from app.models.note_idempotency import NoteIdempotencyKey
from app.schemas.note import NoteCreate, NoteListParams, NoteUpdate
from app.utils.auth import UserId
from app.utils.errors import ConflictError, IdempotencyKeyReusedError, NotFoundError
from app.utils.idempotency import request_hash

# Rows are returned as plain dicts, not ORM objects: nothing to track, much less to build per row.
TABLE = Note.metadata.tables["notes"]
ROW_COLUMNS = tuple(TABLE.columns)

SORT_COLUMNS: dict[str, Any] = {
    "created_at": col(Note.created_at),
    "title": col(Note.title),
}


def _owned() -> ColumnElement[bool]:
    """The owner filter. Its value is the bound parameter `owner`: a statement built with it
    does not run until the caller's id is given."""
    return col(Note.user_id) == bindparam("owner")


def _conditions(names: tuple[str, ...]) -> list[ColumnElement[bool]]:
    """The WHERE clause for the filters a request sets. Values are bound parameters
    (`filter_<name>`, `choice_<param>`, `search`): few distinct statements, each compiled once."""
    conditions: list[ColumnElement[bool]] = [_owned()]
    if "filter_pinned" in names:
        conditions.append(col(Note.pinned) == bindparam("filter_pinned"))
    if "filter_color" in names:
        conditions.append(col(Note.color) == bindparam("filter_color"))
    if "search" in names:
        pattern: BindParameter[str] = bindparam("search")
        conditions.append(
            or_(
                col(Note.title).ilike(pattern, escape="/"),
                col(Note.body).ilike(pattern, escape="/"),
            )
        )
    return conditions


@lru_cache(maxsize=256)
def list_statement(names: tuple[str, ...], sort: str, descending: bool) -> Select[Any]:
    conditions = _conditions(names)
    column = SORT_COLUMNS[sort]
    # id breaks ties, so rows never move between pages.
    if descending:
        order = (column.desc(), col(Note.id).desc())
    else:
        order = (column.asc(), col(Note.id).asc())
    # The total rides along as a scalar subquery (evaluated once): one round trip, which
    # matters most against a remote or serverless database. Its label starts with "_", which
    # no field name can, so it never collides with a column (a resource may have a "total").
    total = count_statement(names).scalar_subquery().label("_total")
    statement = select_columns(*ROW_COLUMNS, total).where(*conditions).order_by(*order)
    return statement.offset(bindparam("offset")).limit(bindparam("limit"))


@lru_cache(maxsize=256)
def count_statement(names: tuple[str, ...]) -> Select[Any]:
    return select(func.count().label("_total")).select_from(Note).where(*_conditions(names))


# By id, and only the caller's.
ONE = select_columns(*ROW_COLUMNS).where(col(Note.id) == bindparam("row_id"), _owned())


class NoteQueries:
    """Async reads, as plain rows (dicts), of the caller's own rows only."""

    def __init__(self, reader: Reader, owner_id: UserId) -> None:
        self.reader = reader
        self.owner_id = owner_id

    async def list_page(self, params: NoteListParams) -> tuple[list[Row], int]:
        where = self._where(params)
        sort = params.sort.lstrip("-")
        descending = params.sort.startswith("-")
        offset = (params.page - 1) * params.page_size
        limit = params.page_size
        values = {**where, "owner": self.owner_id, "offset": offset, "limit": limit}
        rows = await self.reader.all(list_statement(tuple(where), sort, descending), values)
        if rows:
            return rows, rows[0]["_total"]
        # A page past the end still reports the total.
        counted = await self.reader.all(count_statement(tuple(where)), values)
        return rows, counted[0]["_total"]

    def _where(self, params: NoteListParams) -> dict[str, Any]:
        """The filters this request sets, keyed by their bound parameters' names."""
        where: dict[str, Any] = {}
        if params.pinned is not None:
            where["filter_pinned"] = params.pinned
        if params.color is not None:
            where["filter_color"] = params.color
        if params.search:
            # LIKE wildcards escaped: the user's text is matched literally.
            where["search"] = f"%{escape_like(params.search)}%"
        return where

    async def get(self, note_id: int) -> Row:
        values = {"row_id": note_id, "owner": self.owner_id}
        rows = await self.reader.all(ONE, values)
        if not rows:
            raise NotFoundError("Note not found")
        return rows[0]


class NoteService:
    """Writes on a Session; sync, so FastAPI runs them in its threadpool.

    Each write is one statement that reads and changes the row together (UPDATE ... WHERE ...
    RETURNING), never a read followed by a write: concurrent requests end as some serial order
    of them would (32 toggles toggle 32 times; of racing deletes one answers 204, the others
    404), and the answer comes from what the database stored, with no second round trip.
    """

    def __init__(self, session: Session, owner_id: UserId) -> None:
        self.session = session
        self.owner_id = owner_id

    def create(self, data: NoteCreate, idempotency_key: str | None = None) -> Row:
        """The new row; with an Idempotency-Key, the row a first attempt with that key created
        (the key and its row are committed together, so a retry never makes a second)."""
        row = Note.model_validate(data, update={"user_id": self.owner_id})
        values = row.model_dump(exclude={"id"})  # the database numbers the row
        if idempotency_key is None:
            result = self.session.exec(insert(Note).values(values).returning(*ROW_COLUMNS))
            created = dict(result.mappings().one())
            self.session.commit()
            return created
        digest = request_hash(data)
        self._forget_expired_keys()
        try:
            result = self.session.exec(insert(Note).values(values).returning(*ROW_COLUMNS))
            created = dict(result.mappings().one())
            key = NoteIdempotencyKey(
                owner=self.owner_id,
                key=idempotency_key,
                request_hash=digest,
                row_id=created["id"],
            )
            self.session.exec(insert(NoteIdempotencyKey).values(key.model_dump()))
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
        statement = select(NoteIdempotencyKey).where(
            col(NoteIdempotencyKey.key) == idempotency_key,
            col(NoteIdempotencyKey.owner) == self.owner_id,
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
            delete(NoteIdempotencyKey).where(
                col(NoteIdempotencyKey.owner) == self.owner_id,
                col(NoteIdempotencyKey.created_at) < cutoff,
            )
        )

    def update(self, note_id: int, data: NoteUpdate) -> Row:
        changes = data.model_dump(exclude_unset=True)
        if not changes:
            return self._current(note_id)
        return self._change(note_id, changes)

    def pin(self, note_id: int) -> Row:
        # Flipped by the database, so concurrent toggles never read the same old value.
        return self._change(note_id, {"pinned": not_(col(Note.pinned))})

    def delete(self, note_id: int) -> None:
        statement = delete(Note).where(*self._this_row()).returning(col(Note.id))
        deleted = self.session.exec(statement, params=self._params(note_id)).first()
        if deleted is None:
            self._missing(note_id)
        self.session.commit()

    def _change(self, note_id: int, values: dict[str, Any]) -> Row:
        statement = update(Note).where(*self._this_row()).values(values).returning(*ROW_COLUMNS)
        result = self.session.exec(statement, params=self._params(note_id))
        changed = result.mappings().first()
        if changed is None:
            self._missing(note_id)
        self.session.commit()
        return dict(changed)

    def _current(self, note_id: int) -> Row:
        statement = select_columns(*ROW_COLUMNS).where(*self._this_row())
        # A Core statement, on the session's connection: rows as mappings.
        rows = self.session.connection().execute(statement, self._params(note_id))
        current = rows.mappings().first()
        if current is None:
            self._missing(note_id)
        return dict(current)

    def _this_row(self) -> tuple[ColumnElement[bool], ...]:
        """The row by id, and only if it is the caller's."""
        return (col(Note.id) == bindparam("row_id"), _owned())

    def _params(self, note_id: int) -> dict[str, Any]:
        return {"row_id": note_id, "owner": self.owner_id}

    def _missing(self, note_id: int) -> NoReturn:
        raise NotFoundError("Note not found")


def escape_like(text: str) -> str:
    # "/" escapes, not a backslash: how a backslash ESCAPE is quoted differs between
    # SQLAlchemy versions and PostgreSQL string settings; "/" needs no quoting anywhere.
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")
