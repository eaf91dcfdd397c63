"""The engine, the per-request session, and the reader that serves list and get requests.

Writes go through a SQLModel Session on the engine (sync, in FastAPI's threadpool). Reads are
async and go through `reader`: on PostgreSQL an asyncpg pool, which measured well ahead of the
same read through the engine (README, "Performance"); elsewhere (SQLite) the same statements
on the engine in a worker thread. Either way the SQL comes from SQLAlchemy
statements with bound parameters, so user input is never part of the SQL text.
"""

import asyncio
import json
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any, Protocol

import asyncpg
from pydantic_core import from_json
from sqlalchemy import Engine, event, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection, Dialect
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.sql import ClauseElement, Executable
from sqlalchemy.sql.compiler import SQLCompiler
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


@lru_cache(maxsize=1024)
def _compiled(statement: Executable) -> tuple[str, tuple[str, ...], dict[str, Any]]:
    """SQL text for asyncpg, the order of its parameters and the values fixed in the statement.

    Services build one statement per query shape and reuse it, so each is compiled once.
    """
    if not isinstance(statement, ClauseElement):
        raise TypeError(f"not a SQL expression statement: {statement!r}")
    compiled = statement.compile(dialect=_ASYNCPG)
    if not isinstance(compiled, SQLCompiler):
        raise TypeError(f"not compiled to SQL: {statement!r}")
    binds = compiled.binds.items()
    fixed = {name: bind.effective_value for name, bind in binds if not bind.required}
    return compiled.string, tuple(compiled.positiontup or ()), fixed


class PostgresReader:
    """Reads on PostgreSQL through an asyncpg pool sized and recycled from the settings."""

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
        sql, names, fixed = _compiled(statement)
        # A parameter the statement needs and the caller did not give raises KeyError: no
        # statement runs with a filter value left out.
        args = [params[name] if name in params else fixed[name] for name in names]
        await self.open()
        try:
            rows = await self._fetch_again_if_dropped(sql, args)
        except asyncpg.DataError as exc:
            raise DataError(sql, None, exc) from None
        except (*_UNAVAILABLE, *_DROPPED) as exc:
            # Dropped on every try, a statement timeout, a server shutting down: answered like
            # the engine's, 503.
            raise OperationalError(sql, None, exc) from None
        return [dict(row) for row in rows]

    async def _fetch_again_if_dropped(self, sql: str, args: list[Any]) -> list[asyncpg.Record]:
        """A server that closed its connections may still be closing the others when the
        first retry runs, so a read (safe to repeat) is tried again twice, a moment apart."""
        for pause in _RETRY_PAUSES:
            try:
                return await self._fetch(sql, args)
            except _DROPPED:
                await asyncio.sleep(pause)
        return await self._fetch(sql, args)

    async def _fetch(self, sql: str, args: list[Any]) -> list[asyncpg.Record]:
        pool = self._pool
        if pool is None:
            raise RuntimeError("the reader is closed")
        async with pool.acquire() as connection:
            try:
                rows: list[asyncpg.Record] = await connection.fetch(sql, *args)
            except _DROPPED:
                # A server that dropped one idle connection (restart, failover) dropped them
                # all: replace every one on its next use, not only this one.
                connection.terminate()
                await pool.expire_connections()
                raise
            return rows


async def _decode_json(connection: asyncpg.Connection) -> None:
    # pydantic-core's parser: several times faster than json.loads on the small values rows hold.
    for type_name in ("json", "jsonb"):
        await connection.set_type_codec(
            type_name, encoder=json.dumps, decoder=from_json, schema="pg_catalog"
        )


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
