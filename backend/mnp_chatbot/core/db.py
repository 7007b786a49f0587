"""Engine, session factory and the declarative base shared by every domain's models."""

import contextlib
import datetime as dt
import ssl
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import asyncpg
from sqlalchemy import DateTime, MetaData, event, exc, func
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
# SQLAlchemy's own pre-ping sends three statements on every checkout (more than the chat turn itself); ours
# (`_check_out`) pings only a connection idle at least this long.
PING_AFTER_IDLE_S = 10.0
IDLE_SINCE = "mnp_idle_since"
# The connection broke under a statement (the server restarted or ended it): it is discarded, and the
# checkout check replaces the others.
BROKEN_CONNECTION = (
    asyncpg.ConnectionDoesNotExistError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    ConnectionError,
)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class TimestampMixin:
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


# Every wait on PostgreSQL is bounded, so a stopped or stalled server turns requests into quick 503s
# (core/unavailable.py) instead of hanging them: opening a connection, waiting for a free one in the pool,
# and each statement.
CONNECT_TIMEOUT = 3.0
ACQUIRE_TIMEOUT = 5.0
COMMAND_TIMEOUT = 8.0


@dataclass(frozen=True)
class PoolSettings:
    minimum: int = 5
    maximum: int = 20
    require_tls: bool = False
    bounded: bool = False  # the app's pools: every wait bounded (commands and scripts may run long)


def create_engine(url: str, pool: PoolSettings = PoolSettings()) -> AsyncEngine:
    """The process's one pool: up to `maximum` connections, each kept once opened (no overflow connections
    closed on return, which under load would reconnect on every other request)."""
    connect_args: dict[str, object] = {"server_settings": {"application_name": "mnp-chatbot"}}
    if pool.bounded:
        connect_args.update(timeout=CONNECT_TIMEOUT, command_timeout=COMMAND_TIMEOUT)
    if pool.require_tls:
        connect_args["ssl"] = ssl.create_default_context()
    engine = create_async_engine(
        url,
        pool_size=max(pool.minimum, pool.maximum, 1),
        max_overflow=0,
        pool_timeout=ACQUIRE_TIMEOUT if pool.bounded else 30.0,
        connect_args=connect_args,
    )
    event.listen(engine.sync_engine.pool, "checkout", _check_out)
    event.listen(engine.sync_engine.pool, "checkin", _check_in)
    return engine


async def open_connections(engine: AsyncEngine, count: int) -> None:
    """Open `count` of the pool's connections now (the pool keeps them) rather than on the first requests;
    fails early when the database cannot be reached."""
    async with contextlib.AsyncExitStack() as stack:
        for _ in range(count):
            await stack.enter_async_context(engine.connect())


def _check_out(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: PoolProxiedConnection) -> None:
    """The pre-ping, cheap on the hot path: a connection the server closed (a restart, a terminated backend)
    is noticed without a round trip; one idle for a while is pinged, as a network may have dropped it
    silently. Either failure replaces every pooled connection, as SQLAlchemy's pre-ping does."""
    if dbapi_connection.driver_connection.is_closed():
        raise exc.InvalidatePoolError("the server closed the connection")
    idle_since = record.info.get(IDLE_SINCE)
    if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_S:
        return
    try:
        dbapi_connection.ping()
    except Exception as error:
        raise exc.InvalidatePoolError(f"ping failed: {type(error).__name__}") from error


def _check_in(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    record.info[IDLE_SINCE] = time.monotonic()


class DriverConnections:
    """The engine's own connections, as asyncpg connections, for the few fixed statements of the hot paths
    (the chat turn in chat/turn_store.py, the LINE webhook's intake): no ORM or Core compilation, asyncpg's
    per-connection prepared statements, and still one pool per process, whose size, TLS and checkout check
    `create_engine` sets. The subset of `asyncpg.Pool` those callers use."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @contextlib.asynccontextmanager
    async def acquire(self) -> AsyncIterator[asyncpg.Connection]:
        """A pooled connection (checked on checkout); one that breaks under a statement is discarded."""
        async with self.engine.connect() as connection:
            driver = (await connection.get_raw_connection()).driver_connection
            assert driver is not None  # a checked-out connection is open
            try:
                yield driver
            except BROKEN_CONNECTION as error:
                await connection.invalidate(error)
                raise
            finally:  # the hot path sends single statements and sets no session state: nothing else to reset
                if not driver.is_closed() and driver.is_in_transaction():
                    await driver.execute("ROLLBACK")

    async def execute(self, sql: str, *arguments: object) -> str:
        async with self.acquire() as connection:
            status: str = await connection.execute(sql, *arguments)
            return status

    async def fetch(self, sql: str, *arguments: object) -> list[asyncpg.Record]:
        async with self.acquire() as connection:
            return list(await connection.fetch(sql, *arguments))

    async def fetchrow(self, sql: str, *arguments: object) -> Any:  # an asyncpg.Record or None
        async with self.acquire() as connection:
            return await connection.fetchrow(sql, *arguments)

    async def fetchval(self, sql: str, *arguments: object) -> Any:
        async with self.acquire() as connection:
            return await connection.fetchval(sql, *arguments)


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def session_scope(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One unit of work: commit on success, roll back on error."""
    async with sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise
