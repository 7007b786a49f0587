"""socket.io on the real server: streamed typed events, ack, errors, resync, and the Redis manager."""

import asyncio
from typing import Any

import pytest
import socketio

from mnp_chatbot.core.config import Settings
from tests.fixtures.app import SettingsFactory
from tests.fixtures.server import ServerThread


class Recorder:
    def __init__(self, client: socketio.AsyncClient) -> None:
        self.events: list[tuple[str, Any]] = []
        self.done = asyncio.Event()
        for name in ("chat:start", "chat:delta", "chat:reset", "chat:done", "chat:error"):
            client.on(name, self._handler(name))

    def _handler(self, name: str) -> Any:
        async def handle(data: Any) -> None:
            self.events.append((name, data))
            if name in ("chat:done", "chat:error"):
                self.done.set()

        return handle

    def names(self) -> list[str]:
        return [name for name, _ in self.events]


async def connected(url: str) -> tuple[socketio.AsyncClient, Recorder]:
    client = socketio.AsyncClient(reconnection=False)
    recorder = Recorder(client)
    await client.connect(url, transports=["websocket"], socketio_path="/socket.io")
    return client, recorder


class TestChatEvents:
    async def test_streams_start_deltas_and_done_then_acks(self, live_server: ServerThread) -> None:
        client, recorder = await connected(live_server.url)
        try:
            ack = await client.call("chat:message", {"message": "予約番号の有効期限は？"}, timeout=20)
            await asyncio.wait_for(recorder.done.wait(), 10)
        finally:
            await client.disconnect()
        names = recorder.names()
        assert names[0] == "chat:start"
        assert names[-1] == "chat:done"
        assert "chat:delta" in names
        streamed = "".join(data["text"] for name, data in recorder.events if name == "chat:delta")
        done = recorder.events[-1][1]
        assert streamed == done["reply"]["text"]
        assert ack == done
        assert done["reply"]["sources"]

    async def test_bad_input_gets_an_error_event_and_nothing_else(self, live_server: ServerThread) -> None:
        client, recorder = await connected(live_server.url)
        try:
            ack = await client.call("chat:message", {"message": "   "}, timeout=20)
            await asyncio.wait_for(recorder.done.wait(), 10)
        finally:
            await client.disconnect()
        assert ack["error"]["code"] == "validation_error"
        assert recorder.names() == ["chat:error"]

    async def test_reconnecting_client_resyncs_from_the_database(self, live_server: ServerThread) -> None:
        client, _ = await connected(live_server.url)
        first = await client.call("chat:message", {"message": "こんにちは"}, timeout=20)
        await client.disconnect()
        again, _ = await connected(live_server.url)
        try:
            history = await again.call("chat:resync", {"sessionId": first["sessionId"]}, timeout=20)
        finally:
            await again.disconnect()
        assert [m["role"] for m in history["messages"]] == ["user", "assistant"]
        assert history["messages"][1]["id"] == first["messageId"]


@pytest.fixture
def redis_settings(make_settings: SettingsFactory, redis_url: str) -> Settings:
    return make_settings(REDIS_URL=redis_url)


async def test_two_replicas_share_a_conversation_through_redis(redis_settings: Settings) -> None:
    with ServerThread(redis_settings) as one, ServerThread(redis_settings) as two:
        asking, _ = await connected(one.url)
        watching, recorder = await connected(two.url)
        try:
            first = await asking.call("chat:message", {"message": "こんにちは"}, timeout=20)
            await watching.call("chat:resync", {"sessionId": first["sessionId"]}, timeout=20)
            await asking.call(
                "chat:message",
                {"message": "ワンストップ方式とは？", "sessionId": first["sessionId"]},
                timeout=20,
            )
            await asyncio.wait_for(recorder.done.wait(), 10)
        finally:
            await asking.disconnect()
            await watching.disconnect()
        assert "chat:done" in recorder.names()
