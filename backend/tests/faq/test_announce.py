"""A knowledge change is committed before it is announced: a notice Redis does not take never fails it."""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from mnp_chatbot.core import redis
from mnp_chatbot.faq.index import KnowledgeIndex


@pytest.fixture
async def sessionmaker(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_async_engine(database_url)
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


async def test_an_unreachable_redis_leaves_the_change_served_here_and_raises_nothing(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    store = redis.connect("redis://127.0.0.1:1/0")  # nothing listens on port 1
    index = KnowledgeIndex(sessionmaker, store)
    try:
        await index.announce_change()
        assert index.ready
        assert index.snapshot.entries
    finally:
        await store.close()
