"""security.md test 54: the LLM endpoint fails, is rate-limited, then heals. Two replicas of the app (two
app instances with their own lifespans, on one database and one Redis) share the circuit breaker: failures
seen through one open it for the other, whose customers then get the curated answer at once, without a call
to the provider; when the endpoint heals, one trial call after the cooldown closes it for both."""

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from mnp_chatbot.main import create_app
from tests.fixtures.app import SettingsFactory
from tests.fixtures.openai_server import RATE_LIMIT_BODY, FakeOpenAI, Script

THRESHOLD = 3
COOLDOWN = 8.0
# (question, what the healed model says: only numbers its sources hold, so the answer guard keeps it)
PHASES = {
    "failing": (
        "予約番号の有効期限は何日ですか？",
        "予約番号の有効期限は、取得した日を含めて15日間です[1]。",
    ),
    "rate_limited": ("MNPの転出手数料は今もかかりますか", "転出手数料は参考情報のとおりです[1]。"),
}


@pytest.fixture
async def replicas(
    make_settings: SettingsFactory, redis_url: str, openai_server: FakeOpenAI
) -> AsyncIterator[list[httpx.AsyncClient]]:
    settings = make_settings(
        OPENAI_API_KEY="sk-test",
        OPENAI_BASE_URL=openai_server.url,
        OPENAI_MODEL="gpt-test",
        REDIS_URL=redis_url,
        LLM_BREAKER_THRESHOLD=THRESHOLD,
        LLM_BREAKER_COOLDOWN_SECONDS=COOLDOWN,
    )
    async with AsyncExitStack() as stack:
        clients = []
        for _ in range(2):
            manager = await stack.enter_async_context(
                LifespanManager(create_app(settings), startup_timeout=60)
            )
            transport = httpx.ASGITransport(app=manager.app)
            clients.append(
                await stack.enter_async_context(
                    httpx.AsyncClient(transport=transport, base_url="http://testserver", timeout=60)
                )
            )
        yield clients


async def ask(client: httpx.AsyncClient, question: str) -> tuple[dict[str, Any], float]:
    started = time.monotonic()
    response = await client.post("/api/chat", json={"message": question})
    elapsed = time.monotonic() - started
    assert response.status_code == 200, response.text  # never a 5xx for the customer
    reply: dict[str, Any] = response.json()["reply"]
    return reply, elapsed


@pytest.mark.parametrize(
    ("phase", "fault"),
    [("failing", Script(status=500)), ("rate_limited", Script(status=429, body=RATE_LIMIT_BODY))],
)
async def test_54_the_breaker_opens_across_replicas_falls_back_and_recovers(
    replicas: list[httpx.AsyncClient], openai_server: FakeOpenAI, phase: str, fault: Script
) -> None:
    first, second = replicas
    question, healed = PHASES[phase]
    openai_server.reset(fault)

    for _ in range(THRESHOLD):  # failures seen by the first replica only
        reply, _ = await ask(first, question)
        assert reply["mode"] == "faq"  # the curated answer, not an error
        assert reply["text"]
    calls = len(openai_server.chat_requests())
    assert calls >= THRESHOLD

    # The second replica has not called the provider once, yet its breaker is open: no call, a quick answer.
    for _ in range(3):
        reply, elapsed = await ask(second, question)
        assert reply["mode"] == "faq"
        assert reply["text"]
        assert elapsed < 5.0  # no attempt at all (each failing attempt costs retries and back-off)
    reply, _ = await ask(first, question)
    assert reply["mode"] == "faq"
    assert len(openai_server.chat_requests()) == calls

    openai_server.reset(Script(text=healed))  # the endpoint heals; after the cooldown one trial closes it
    await asyncio.sleep(COOLDOWN + 0.5)
    recovered = None
    for _ in range(20):
        reply, _ = await ask(second, question)
        if reply["mode"] == "llm":
            recovered = reply
            break
        await asyncio.sleep(0.5)
    assert recovered is not None, "the breaker did not close after the endpoint healed"
    assert recovered["text"] == healed
    reply, _ = await ask(first, question)
    assert reply["mode"] == "llm"
