import uuid
from collections.abc import AsyncIterator

import pytest

from mnp_chatbot import db_models  # noqa: F401  (every mapper, before FaqEntry objects are made)
from mnp_chatbot.faq.index import build_snapshot
from mnp_chatbot.faq.models import FaqEntry
from mnp_chatbot.faq.snapshot import KnowledgeSnapshot
from mnp_chatbot.knowledge import loader, seeding
from mnp_chatbot.llm.openai import CircuitBreaker, OpenAIChatModel, open_client
from tests.fixtures.openai_server import FakeOpenAI, openai_server, openai_server_session
from tests.llm.support import FAST

__all__ = ["openai_server", "openai_server_session"]


@pytest.fixture(scope="session")
def snapshot() -> KnowledgeSnapshot:
    """The shipped knowledge base, indexed without a database."""
    documents = loader.load_faqs()
    entries = [FaqEntry(id=uuid.uuid5(uuid.NAMESPACE_URL, d.slug), **seeding.faq_row(d)) for d in documents]
    return build_snapshot("kb-test-1", entries, loader.load_carriers())


@pytest.fixture
async def chat_model(openai_server: FakeOpenAI) -> AsyncIterator[OpenAIChatModel]:
    """The real adapter on the fake server, with short deadlines and a breaker that stays closed."""
    client = open_client(api_key="sk-test", base_url=openai_server.url)
    model = OpenAIChatModel(
        client, model="gpt-test", max_tokens=256, limits=FAST, breaker=CircuitBreaker(threshold=1000)
    )
    yield model
    await model.close()
