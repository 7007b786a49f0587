"""The long-lived resources the lifespan owns, and how they are opened and closed."""

import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from mnp_chatbot.core import db, embedded_db
from mnp_chatbot.core import redis as store_module
from mnp_chatbot.core.config import Settings
from mnp_chatbot.core.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Resources:
    """The infrastructure: settings, database, store. The services on top are `container.Services`."""

    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    pool: db.DriverConnections  # the engine's connections as asyncpg's, for the hot paths' fixed statements
    store: store_module.Store
    embedded: embedded_db.EmbeddedPostgres | None = None


def database_url(settings: Settings, embedded: embedded_db.EmbeddedPostgres | None) -> str:
    if embedded is not None:
        return embedded.url()
    assert settings.DATABASE_URL is not None
    return async_url(settings.DATABASE_URL)


def async_url(url: str) -> str:
    """Accept the seed's plain postgresql:// URLs and use the asyncpg driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url


def start_embedded_if_needed(settings: Settings) -> embedded_db.EmbeddedPostgres | None:
    if not settings.uses_embedded_database:
        return None
    log.info("database.embedded.starting", data_dir=str(settings.DATA_DIR))
    return embedded_db.start(settings.DATA_DIR)


@contextlib.contextmanager
def command_database(settings: Settings) -> Iterator[str]:
    """The database URL for a one-off command; the embedded server, if used, stops when it ends."""
    embedded = start_embedded_if_needed(settings)
    try:
        yield database_url(settings, embedded)
    finally:
        if embedded is not None:
            embedded.stop()


@contextlib.asynccontextmanager
async def open_resources(settings: Settings) -> AsyncIterator[Resources]:
    async with contextlib.AsyncExitStack() as stack:
        embedded = start_embedded_if_needed(settings)
        if embedded is not None:
            stack.callback(_stop_embedded, embedded)
        pool = db.PoolSettings(
            settings.DATABASE_POOL_MIN, settings.DATABASE_POOL_MAX, settings.DATABASE_SSL, bounded=True
        )
        url = database_url(settings, embedded)
        engine = db.create_engine(url, pool)
        stack.push_async_callback(engine.dispose)
        await db.open_connections(engine, settings.DATABASE_POOL_MIN)
        password = settings.REDIS_PASSWORD.get_secret_value() if settings.REDIS_PASSWORD else None
        store = store_module.connect(settings.REDIS_URL, password)
        stack.push_async_callback(store.close)
        yield Resources(
            settings, engine, db.create_sessionmaker(engine), db.DriverConnections(engine), store, embedded
        )


def _stop_embedded(embedded: embedded_db.EmbeddedPostgres) -> None:
    embedded.stop()
    log.info("database.embedded.stopped")
