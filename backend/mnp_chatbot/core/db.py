"""Engine, session factory and the declarative base shared by every domain's models."""

import datetime as dt
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
from sqlalchemy import DateTime, MetaData, func, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


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
    connect_args: dict[str, object] = {"server_settings": {"application_name": "mnp-chatbot"}}
    if pool.bounded:
        connect_args.update(timeout=CONNECT_TIMEOUT, command_timeout=COMMAND_TIMEOUT)
    if pool.require_tls:
        connect_args["ssl"] = ssl.create_default_context()
    return create_async_engine(
        url,
        pool_size=max(pool.minimum, 1),
        max_overflow=max(pool.maximum - pool.minimum, 0),
        pool_pre_ping=True,
        pool_timeout=ACQUIRE_TIMEOUT if pool.bounded else 30.0,
        connect_args=connect_args,
    )


async def create_driver_pool(url: str, pool: PoolSettings = PoolSettings()) -> asyncpg.Pool:
    """asyncpg's own pool, for the few fixed statements of the chat hot path (see chat/turn_store.py)."""
    options: dict[str, object] = {}
    if pool.bounded:
        options.update(timeout=CONNECT_TIMEOUT, command_timeout=COMMAND_TIMEOUT)
    if pool.require_tls:
        options["ssl"] = ssl.create_default_context()
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    return await asyncpg.create_pool(
        dsn,
        min_size=min(pool.minimum, max(pool.maximum, 1)),
        max_size=max(pool.maximum, 1),
        server_settings={"application_name": "mnp-chatbot"},
        reset=_reset,
        **options,
    )


async def _reset(connection: asyncpg.Connection) -> None:
    """What a released connection needs: the hot path sends single statements and sets no session state,
    so asyncpg's full reset (a round trip on every release) has nothing to undo."""
    if connection.is_in_transaction():
        await connection.execute("ROLLBACK")


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
