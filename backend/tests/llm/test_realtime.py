"""socket.io with an LLM: the model's deltas stream out; a withdrawn answer is reset, then replaced."""

import asyncio
from typing import Any

import pytest
import socketio

from mnp_chatbot.core.config import Settings
from tests.fixtures.app import SettingsFactory
from tests.fixtures.openai_server import FakeOpenAI, Script
from tests.fixtures.server import ServerThread

QUESTION = "予約番号の有効期限は何日ですか？"


@pytest.fixture
def settings(make_settings: SettingsFactory, openai_server: FakeOpenAI) -> Settings:
    return make_settings(OPENAI_API_KEY="sk-test", OPENAI_BASE_URL=openai_server.url)


async def converse(url: str, message: str) -> list[tuple[str, Any]]:
    """Every chat event the client receives for one message, up to chat:done."""
    events: list[tuple[str, Any]] = []
    done = asyncio.Event()
    client = socketio.AsyncClient(reconnection=False)
    for name in ("chat:start", "chat:delta", "chat:reset", "chat:done", "chat:error"):

        def record(data: Any, name: str = name) -> None:
            events.append((name, data))
            if name in ("chat:done", "chat:error"):
                done.set()

        client.on(name, record)
    await client.connect(url, transports=["websocket"], socketio_path="/socket.io")
    try:
        await client.call("chat:message", {"message": message}, timeout=20)
        await asyncio.wait_for(done.wait(), 10)
    finally:
        await client.disconnect()
    return events


def shown(events: list[tuple[str, Any]]) -> str:
    text = ""
    for name, data in events:
        if name == "chat:reset":
            text = ""
        elif name == "chat:delta":
            text += data["text"]
    return text


class TestStreaming:
    async def test_the_models_deltas_are_streamed_as_they_come(
        self, live_server: ServerThread, openai_server: FakeOpenAI
    ) -> None:
        openai_server.script(Script(chunks=["予約番号の", "有効期限は", "15日間です[1]。"], chunk_delay=0.05))
        events = await converse(live_server.url, QUESTION)
        names = [name for name, _ in events]
        assert names == ["chat:start", "chat:delta", "chat:delta", "chat:delta", "chat:done"]
        assert events[-1][1]["reply"]["mode"] == "llm"
        assert shown(events) == events[-1][1]["reply"]["text"]

    async def test_a_guard_rejection_resets_the_stream_and_ends_with_the_curated_answer(
        self, live_server: ServerThread, openai_server: FakeOpenAI
    ) -> None:
        openai_server.script(Script(chunks=["予約番号の有効期限は、", "30日間です[1]。"], chunk_delay=0.05))
        events = await converse(live_server.url, QUESTION)
        names = [name for name, _ in events]
        assert names.index("chat:delta") < names.index("chat:reset") < len(names) - 1
        final = events[-1][1]["reply"]
        assert final["mode"] == "faq"
        assert "30日" not in shown(events)
        assert shown(events) == final["text"]
