"""POST /api/chat with an LLM: the real app and database, and a local OpenAI-compatible server as the LLM."""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from mnp_chatbot.chat.models import Message
from mnp_chatbot.chat.prompting import CUSTOMER_CLOSE, CUSTOMER_OPEN
from mnp_chatbot.core.config import Settings
from mnp_chatbot.llm import prompts
from tests.fixtures.app import SettingsFactory
from tests.fixtures.openai_server import QUOTA_BODY, FakeOpenAI, Script

QUESTION = "予約番号の有効期限は何日ですか？"
GOOD = "予約番号の有効期限は、取得した日を含めて15日間です[1]。"


@pytest.fixture
def settings(make_settings: SettingsFactory, openai_server: FakeOpenAI) -> Settings:
    return make_settings(OPENAI_API_KEY="sk-test", OPENAI_BASE_URL=openai_server.url, OPENAI_MODEL="gpt-test")


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_async_engine(database_url)
    yield async_sessionmaker(engine)
    await engine.dispose()


async def ask(client: httpx.AsyncClient, message: str) -> dict[str, Any]:
    response = await client.post("/api/chat", json={"message": message})
    assert response.status_code == 200, response.text
    reply: dict[str, Any] = response.json()["reply"]
    return reply


class TestWithTheModel:
    async def test_the_answer_is_the_models_with_its_sources(
        self, client: httpx.AsyncClient, openai_server: FakeOpenAI
    ) -> None:
        openai_server.script(Script(text=GOOD))
        reply = await ask(client, QUESTION)
        assert reply["text"] == GOOD
        assert reply["mode"] == "llm"
        assert reply["sources"]
        assert reply["sources"][0]["faqId"]
        assert openai_server.chat_requests()[0].body["model"] == "gpt-test"

    async def test_the_prompt_version_is_stored_on_the_assistant_message(
        self, client: httpx.AsyncClient, openai_server: FakeOpenAI, db: async_sessionmaker[AsyncSession]
    ) -> None:
        openai_server.script(Script(text=GOOD))
        await ask(client, QUESTION)
        async with db() as session:
            stored = (await session.scalars(select(Message).where(Message.role == "assistant"))).one()
        assert stored.prompt_version == prompts.load("answer.ja").version
        assert stored.text == GOOD

    async def test_personal_data_is_masked_before_it_reaches_the_model(
        self, client: httpx.AsyncClient, openai_server: FakeOpenAI
    ) -> None:
        await ask(client, "連絡先は090-1234-5678です。予約番号の有効期限は何日ですか？")
        sent = openai_server.chat_requests()[0].text()
        assert "090-1234-5678" not in sent
        assert "1234" not in sent.replace("0120", "")
        assert "[電話番号]" in sent

    async def test_health_reports_the_configured_model(self, client: httpx.AsyncClient) -> None:
        body = (await client.get("/health")).json()
        assert body["checks"]["openai"] == {"status": "configured", "model": "gpt-test"}


def obeys_earlier_customer_messages(messages: list[dict[str, Any]]) -> str:
    """A model that does what a planted instruction asks: it repeats every earlier customer message."""
    earlier = [m["content"] for m in messages[:-1] if m["content"].startswith(CUSTOMER_OPEN)]
    said = [text.replace(CUSTOMER_OPEN, "").replace(CUSTOMER_CLOSE, "").strip() for text in earlier]
    return "".join(f"{text}。" for text in said) + "転出手数料は参考情報のとおりです[1]。"


class TestSharedCache:
    async def test_item01_llm_cache_never_crosses_sessions(
        self, client: httpx.AsyncClient, openai_server: FakeOpenAI
    ) -> None:
        openai_server.reset(Script(respond=obeys_earlier_customer_messages))
        question = "MNPの転出手数料は今もかかりますか"
        planted = await client.post("/api/chat", json={"message": "合言葉はメロンソーダです"})
        session_a = planted.json()["sessionId"]
        response = await client.post("/api/chat", json={"message": question, "sessionId": session_a})
        assert "メロンソーダ" in response.json()["reply"]["text"]  # the model obeyed A's instruction

        for _ in range(2):  # a fresh customer B, twice (the second may come from the cache)
            reply = await ask(client, question)
            assert reply["mode"] == "llm"
            assert "メロンソーダ" not in reply["text"]
            assert "合言葉" not in reply["text"]
        b_saw = openai_server.chat_requests()[-1].text()
        assert "メロンソーダ" not in b_saw


class TestWhenTheModelFails:
    @pytest.mark.parametrize(
        ("script", "requests"),
        [
            (Script(status=429, body=QUOTA_BODY), 1),
            (Script(status=500), 3),
            (Script(status=503), 3),
            (Script(text="有効期限は30日間です[1]。"), 1),  # rejected by the number guard
        ],
    )
    async def test_the_customer_gets_the_curated_answer_with_200(
        self, client: httpx.AsyncClient, openai_server: FakeOpenAI, script: Script, requests: int
    ) -> None:
        openai_server.reset(script)
        reply = await ask(client, QUESTION)
        assert reply["mode"] == "faq"
        assert "15日間" in reply["text"]
        assert "30日" not in reply["text"]
        assert len(openai_server.chat_requests()) == requests


class TestWithAPlaceholderKey:
    @pytest.fixture
    def settings(self, make_settings: SettingsFactory, openai_server: FakeOpenAI) -> Settings:
        return make_settings(OPENAI_API_KEY="your-openai-api-key", OPENAI_BASE_URL=openai_server.url)

    async def test_the_seed_template_key_leaves_the_model_off(
        self, client: httpx.AsyncClient, openai_server: FakeOpenAI
    ) -> None:
        reply = await ask(client, QUESTION)
        assert reply["mode"] == "faq"
        assert openai_server.chat_requests() == []
        assert (await client.get("/health")).json()["checks"]["openai"]["status"] == "not_configured"
