"""The engine, the per-request session, and the reader that serves list and get requests.

Writes go through a SQLModel Session on the engine (sync, in FastAPI's threadpool). Reads are
async and go through `reader`: on PostgreSQL an asyncpg pool, which measured well ahead of the
same read through the engine (README, "Performance"); elsewhere (SQLite) the same statements
on the engine in a worker thread. Either way the SQL comes from SQLAlchemy
statements with bound parameters, so user input is never part of the SQL text.
"""

import asyncio
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

import asyncpg
import psycopg
import sqlalchemy.exc
from pydantic_core import from_json
from sqlalchemy import Engine, event, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection, Dialect
from sqlalchemy.exc import DataError, DBAPIError, OperationalError, StatementError
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.sql import ClauseElement, Executable
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.types import TypeEngine
from sqlmodel import Session, create_engine
from starlette.concurrency import run_in_threadpool

from app.config import Settings, get_settings

Row = Mapping[str, Any]


def build_engine(settings: Settings) -> Engine:
    if settings.is_sqlite:
        engine = create_engine(settings.database_url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _enable_sqlite_foreign_keys)
        return engine
    connect_args = {}
    if settings.db_statement_timeout_ms:
        connect_args["options"] = f"-c statement_timeout={settings.db_statement_timeout_ms}"
    return create_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_pre_ping=settings.db_pool_pre_ping,
        pool_recycle=settings.db_pool_recycle_seconds,
        connect_args=connect_args,
    )


def _enable_sqlite_foreign_keys(
    dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry
) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class Reader(Protocol):
    """Runs a read-only statement and returns its rows as dicts."""

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def all(self, statement: Executable, params: Mapping[str, Any]) -> list[Row]: ...


class EngineReader:
    """Reads on the SQLAlchemy engine, in a worker thread so the event loop never blocks."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    async def open(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def all(self, statement: Executable, params: Mapping[str, Any]) -> list[Row]:
        return await run_in_threadpool(self._all, statement, params)

    def _all(self, statement: Executable, params: Mapping[str, Any]) -> list[Row]:
        with self.engine.connect() as connection:
            return [dict(row) for row in connection.execute(statement, dict(params)).mappings()]


# The asyncpg dialect, for compiling only (its class's constructor is not annotated).
_ASYNCPG: Dialect = make_url("postgresql+asyncpg://").get_dialect()()
# An idle connection the server closed (restart, failover, serverless scale-down) fails on
# first use, with one of these (the socket's own error when the server closed it mid-write);
# a read is safe to run again once, on a fresh connection.
_DROPPED = (
    ConnectionError,
    asyncpg.PostgresConnectionError,
    asyncpg.AdminShutdownError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
)
# Seconds between the tries of a read whose connection was dropped (then a last try).
_RETRY_PAUSES = (0.05, 0.25)
# Errors that mean "the database is unavailable right now": answered 503 like the engine's.
_UNAVAILABLE = (
    OSError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.OperatorInterventionError,
    asyncpg.InsufficientResourcesError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
)
# A value asyncpg refuses to send as its parameter's type (a ValueError, and an InterfaceError
# like a dropped connection's, but nothing to do with the connection).
_INVALID_ARGUMENT = (ValueError,)


# A value SQLAlchemy's type converts before it is sent (a TypeDecorator's process_bind_param),
# or after it is read (process_result_value, an Enum's class, a Numeric read as float).
Processor = Callable[[Any], Any]


@dataclass(eq=False)
class _Compiled:
    """A statement compiled for asyncpg, with what SQLAlchemy's execution layer would do around
    it: fill in the values fixed in the statement, convert each value by its type, expand an
    `IN` of a list, convert each column read."""

    compiled: SQLCompiler
    sql: str
    names: tuple[str, ...]  # the parameters in $1, $2, ... order
    fixed: dict[str, Any]
    bind_processors: tuple[Processor | None, ...]  # by position, as `names`
    expanding: bool  # an IN of a list: the SQL depends on each call's number of values
    column_types: tuple[TypeEngine[Any], ...]
    # Learnt on first use from the types the server answers with, as the engine learns them
    # from the cursor (a Numeric column's conversion depends on it): by position.
    result_processors: tuple[tuple[int, Processor], ...] | None = field(default=None)


@lru_cache(maxsize=1024)
def _compiled(statement: Executable) -> _Compiled:
    """The statement compiled once. Services build one statement per query shape and reuse
    it, so compiling happens once per shape per process."""
    if not isinstance(statement, ClauseElement):
        raise TypeError(f"not a SQL expression statement: {statement!r}")
    compiled = statement.compile(dialect=_ASYNCPG)
    if not isinstance(compiled, SQLCompiler):
        raise TypeError(f"not compiled to SQL: {statement!r}")
    binds = compiled.binds
    fixed = {name: bind.effective_value for name, bind in binds.items() if not bind.required}
    names = tuple(compiled.positiontup or ())
    processors = tuple(_bind_processor(binds[name].type) for name in names)
    expanding = any(bind.expanding or bind.literal_execute for bind in binds.values())
    selected = getattr(statement, "selected_columns", ())
    column_types = tuple(column.type for column in selected)
    return _Compiled(compiled, compiled.string, names, fixed, processors, expanding, column_types)


def _bind_processor(type_: TypeEngine[Any]) -> Processor | None:
    processor: Processor | None = type_.dialect_impl(_ASYNCPG).bind_processor(_ASYNCPG)
    return processor


def _arguments(statement: _Compiled, params: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """The SQL to send and its arguments in order, each converted by its type. A value its
    type refuses (a naive datetime) is the engine's StatementError, raised before any I/O."""
    try:
        return _convert(statement, params)
    except StatementError:
        raise
    except (TypeError, ValueError) as exc:
        raise StatementError(str(exc), statement.sql, dict(params), exc) from None


def _convert(statement: _Compiled, params: Mapping[str, Any]) -> tuple[str, list[Any]]:
    if statement.expanding:
        # As SQLAlchemy does on every execution of such a statement: the list's values become
        # one parameter each, in SQL rendered for this call's number of values.
        state = statement.compiled.construct_expanded_state(dict(params))
        names = tuple(state.positiontup or ())
        expanded = [(state.processors.get(name), state.parameters[name]) for name in names]
        return state.statement, [p(v) if p else v for p, v in expanded]
    fixed = statement.fixed
    try:
        values = [params[name] if name in params else fixed[name] for name in statement.names]
    except KeyError:
        # A parameter the statement needs and the caller did not give: refused before any I/O,
        # with the engine's error, so no statement runs with its owner or a filter left out.
        try:
            statement.compiled.construct_params(dict(params))
        except sqlalchemy.exc.InvalidRequestError as exc:
            raise StatementError(str(exc), statement.sql, dict(params), exc) from None
        raise
    pairs = zip(statement.bind_processors, values, strict=True)
    return statement.sql, [p(v) if p else v for p, v in pairs]


def _result_processors(
    statement: _Compiled, attributes: tuple[Any, ...]
) -> tuple[tuple[int, Processor], ...]:
    """The conversion of each column read that has one, by position, for the server's types
    (asyncpg's attributes of the prepared statement: `.type.oid`)."""
    found: list[tuple[int, Processor]] = []
    for i, (type_, attribute) in enumerate(zip(statement.column_types, attributes, strict=False)):
        impl = type_.dialect_impl(_ASYNCPG)
        processor: Processor | None = impl.result_processor(_ASYNCPG, attribute.type.oid)
        if processor is not None:
            found.append((i, processor))
    return tuple(found)


def _engine_error(exc: asyncpg.PostgresError, sql: str) -> DBAPIError:
    """The error the engine raises for this failure. The engine's driver, psycopg, classifies
    it by its SQLSTATE (22: DataError, 23: IntegrityError, 57: OperationalError, ...), and
    SQLAlchemy names its own error after that class; so does this."""
    try:
        classified: type[Exception] = psycopg.errors.lookup(exc.sqlstate)
    except KeyError:
        classified = psycopg.DatabaseError
    for cls in classified.__mro__:
        error = getattr(sqlalchemy.exc, cls.__name__, None)
        if isinstance(error, type) and issubclass(error, DBAPIError):
            return error(sql, None, exc)
    return DBAPIError(sql, None, exc)


class PostgresReader:
    """Reads on PostgreSQL through an asyncpg pool sized and recycled from the settings.

    SQLAlchemy compiles the statement and converts its values both ways, as its engine would
    (TypeDecorators, expanding IN, the engine's errors); asyncpg only sends the SQL.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._pool: asyncpg.Pool | None = None

    async def open(self) -> None:
        if self._pool is not None:
            return
        settings = self.settings
        server_settings = {}
        if settings.db_statement_timeout_ms:
            server_settings["statement_timeout"] = str(settings.db_statement_timeout_ms)
        url = make_url(settings.database_url).set(drivername="postgresql")
        try:
            self._pool = await asyncpg.create_pool(
                url.render_as_string(hide_password=False),
                # Opened at start-up, so the first requests do not wait for connections.
                min_size=settings.db_pool_size,
                max_size=settings.db_pool_size + settings.db_max_overflow,
                max_inactive_connection_lifetime=settings.db_pool_recycle_seconds,
                # 0 behind PgBouncer in transaction mode, which cannot keep prepared statements.
                statement_cache_size=settings.db_statement_cache_size,
                server_settings=server_settings,
                init=_decode_json,
                # The default reset is a round trip per request to undo session state (SET,
                # LISTEN, advisory locks) that these read-only, autocommit queries never create.
                reset=_nothing_to_reset,
            )
        except _UNAVAILABLE as exc:
            raise OperationalError("connect", None, exc) from None

    async def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()

    async def all(self, statement: Executable, params: Mapping[str, Any]) -> list[Row]:
        compiled = _compiled(statement)
        sql, args = _arguments(compiled, params)
        await self.open()
        try:
            rows = await self._fetch_again_if_dropped(compiled, sql, args)
        except _INVALID_ARGUMENT as exc:
            # A value asyncpg cannot send as the parameter's type: the engine's driver sends
            # it and PostgreSQL refuses it as invalid input, a DataError.
            raise DataError(sql, None, exc) from None
        except asyncpg.PostgresError as exc:
            raise _engine_error(exc, sql) from None
        except (*_UNAVAILABLE, *_DROPPED) as exc:
            # Dropped on every try, the server unreachable: answered like the engine's, 503.
            raise OperationalError(sql, None, exc) from None
        processors = compiled.result_processors
        if not processors or not rows:
            return [dict(row) for row in rows]
        names = list(rows[0].keys())
        converted = [(names[i], processor) for i, processor in processors]
        result: list[Row] = []
        for row in rows:
            values = dict(row)
            for name, processor in converted:
                values[name] = processor(values[name])
            result.append(values)
        return result

    async def _fetch_again_if_dropped(
        self, compiled: _Compiled, sql: str, args: list[Any]
    ) -> list[asyncpg.Record]:
        """A server that closed its connections may still be closing the others when the
        first retry runs, so a read (safe to repeat) is tried again twice, a moment apart."""
        for pause in _RETRY_PAUSES:
            try:
                return await self._fetch(compiled, sql, args)
            except _DROPPED as exc:
                if isinstance(exc, _INVALID_ARGUMENT):
                    raise
                await asyncio.sleep(pause)
        return await self._fetch(compiled, sql, args)

    async def _fetch(self, compiled: _Compiled, sql: str, args: list[Any]) -> list[asyncpg.Record]:
        pool = self._pool
        if pool is None:
            raise RuntimeError("the reader is closed")
        async with pool.acquire() as connection:
            try:
                if compiled.result_processors is None:
                    # Once per statement: the types of the columns the server answers with.
                    prepared = await connection.prepare(sql)
                    compiled.result_processors = _result_processors(
                        compiled, tuple(prepared.get_attributes())
                    )
                rows: list[asyncpg.Record] = await connection.fetch(sql, *args)
            except _DROPPED as exc:
                if not isinstance(exc, _INVALID_ARGUMENT):
                    # A server that dropped one idle connection (restart, failover) dropped
                    # them all: replace every one on its next use, not only this one.
                    connection.terminate()
                    await pool.expire_connections()
                raise
            return rows


async def _decode_json(connection: asyncpg.Connection) -> None:
    # pydantic-core's parser: several times faster than json.loads on the small values rows hold.
    # Values sent are JSON text already: SQLAlchemy's JSON type serialises them (its bind
    # processor), as for the engine.
    for type_name in ("json", "jsonb"):
        await connection.set_type_codec(
            type_name, encoder=_json_text, decoder=from_json, schema="pg_catalog"
        )


def _json_text(value: str) -> str:
    return value


async def _nothing_to_reset(connection: asyncpg.Connection) -> None:
    return None


def build_reader(settings: Settings, engine: Engine) -> Reader:
    if engine.dialect.name == "postgresql" and settings.db_async_reads:
        return PostgresReader(settings)
    return EngineReader(engine)


engine = build_engine(get_settings())
reader = build_reader(get_settings(), engine)


def get_session() -> Iterator[Session]:
    with Session(engine) as session:
        yield session


async def get_reader() -> Reader:
    # Looked up per request, so a test (or a health probe) can swap it.
    return reader
