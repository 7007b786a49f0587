"""Dense vectors in pgvector through the real OpenAI client and a local OpenAI-compatible server."""

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from mnp_chatbot.faq.embeddings import DenseIndex, source_text
from mnp_chatbot.faq.models import EMBEDDING_DIMENSIONS, FaqEntry
from mnp_chatbot.llm.openai import OpenAIEmbedder, open_client
from mnp_chatbot.main import create_app
from tests.fixtures.app import SettingsFactory
from tests.fixtures.openai_server import FakeOpenAI, Script, openai_server, openai_server_session

__all__ = ["openai_server", "openai_server_session"]


@pytest.fixture
async def sessionmaker(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_async_engine(database_url)
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


@pytest.fixture
async def dense(
    sessionmaker: async_sessionmaker[AsyncSession], openai_server: FakeOpenAI
) -> AsyncIterator[DenseIndex]:
    client = open_client(api_key="sk-test", base_url=openai_server.url)
    yield DenseIndex(sessionmaker, OpenAIEmbedder(client, model="emb-test", dimensions=EMBEDDING_DIMENSIONS))
    await client.close()


async def embedded_count(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    async with sessionmaker() as session:
        stmt = select(func.count()).select_from(FaqEntry).where(FaqEntry.embedding.is_not(None))
        return int(await session.scalar(stmt) or 0)


class TestDenseIndex:
    async def test_embeds_every_entry_once_then_only_edited_ones(
        self, dense: DenseIndex, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        async with sessionmaker() as session:
            total = int(await session.scalar(select(func.count()).select_from(FaqEntry)) or 0)
        assert await dense.embed_missing() == total
        assert await embedded_count(sessionmaker) == total
        assert await dense.embed_missing() == 0
        async with sessionmaker.begin() as session:
            entry = await session.scalar(select(FaqEntry).order_by(FaqEntry.slug).limit(1))
            assert entry is not None
            entry.answer = entry.answer + "（改訂）"
        assert await dense.embed_missing() == 1

    async def test_nearest_entry_of_an_entry_text_is_that_entry(
        self, dense: DenseIndex, sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        await dense.embed_missing()
        async with sessionmaker() as session:
            entry = await session.scalar(select(FaqEntry).where(FaqEntry.question.contains("何桁")).limit(1))
        assert entry is not None
        ranking = await dense.rank(source_text(entry))
        assert ranking is not None
        assert ranking[0][0] == str(entry.id)
        assert ranking[0][1] == pytest.approx(1.0, abs=1e-6)

    async def test_a_failing_provider_leaves_the_lexical_ranking_alone(
        self, dense: DenseIndex, openai_server: FakeOpenAI
    ) -> None:
        openai_server.script_embeddings(Script(status=503))
        assert await dense.rank("予約番号の有効期限") is None


async def test_the_app_embeds_in_the_background_and_keeps_answering(
    make_settings: SettingsFactory, openai_server: FakeOpenAI, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    settings = make_settings(OPENAI_API_KEY="sk-test", OPENAI_BASE_URL=openai_server.url)
    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=60) as manager:
        for _ in range(100):
            if await embedded_count(sessionmaker) > 0:
                break
            await asyncio.sleep(0.1)
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            response = await http.post("/api/chat", json={"message": "予約番号って何桁？"})
    assert response.status_code == 200
    assert await embedded_count(sessionmaker) > 0
    assert any(r.body.get("dimensions") == EMBEDDING_DIMENSIONS for r in openai_server.requests)


async def test_an_edited_entry_is_embedded_again_when_the_index_rebuilds(
    make_settings: SettingsFactory, openai_server: FakeOpenAI, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    app = create_app(make_settings(OPENAI_API_KEY="sk-test", OPENAI_BASE_URL=openai_server.url))
    async with LifespanManager(app, startup_timeout=60) as manager:
        services = manager._state["services"]
        await services.embedding
        async with sessionmaker.begin() as session:
            entry = await session.scalar(select(FaqEntry).order_by(FaqEntry.slug).limit(1))
            assert entry is not None
            before = entry.embedding_source_hash
            entry.answer += "（改訂）"
        await services.index.reload()
        for _ in range(100):
            async with sessionmaker() as session:
                after = await session.scalar(
                    select(FaqEntry.embedding_source_hash).where(FaqEntry.id == entry.id)
                )
            if after != before:
                break
            await asyncio.sleep(0.1)
    assert after != before
