"""socket.io handshakes only from CORS_ORIGIN, and oversized payloads are refused (security.md test 41)."""

import asyncio
from collections.abc import Iterator

import httpx
import pytest
import socketio

from mnp_chatbot.core.config import Settings
from tests.fixtures.app import SettingsFactory
from tests.fixtures.server import ServerThread

ALLOWED = "https://shop.example.jp"


@pytest.fixture
def server(make_settings: SettingsFactory) -> Iterator[ServerThread]:
    settings: Settings = make_settings(CORS_ORIGIN=ALLOWED, MAX_BODY_BYTES=4096)
    with ServerThread(settings) as running:
        yield running


async def connect(server: ServerThread, origin: str) -> socketio.AsyncClient:
    client = socketio.AsyncClient(reconnection=False)
    await client.connect(
        server.url,
        transports=["websocket"],
        socketio_path="/socket.io",
        headers={"Origin": origin},
        wait_timeout=5,
    )
    return client


async def test_the_allowed_origin_connects_and_chats(server: ServerThread) -> None:
    client = await connect(server, ALLOWED)
    try:
        ack = await client.call("chat:message", {"message": "こんにちは"}, timeout=20)
    finally:
        await client.disconnect()
    assert "reply" in ack


@pytest.mark.parametrize(
    "origin",
    ["https://evil.example", "null", "https://shop.example.jp.evil.example", "http://shop.example.jp"],
)
async def test_other_origins_are_refused_at_the_handshake(server: ServerThread, origin: str) -> None:
    with pytest.raises(socketio.exceptions.ConnectionError):
        await connect(server, origin)


async def test_an_oversized_message_closes_the_connection(server: ServerThread) -> None:
    client = await connect(server, ALLOWED)
    try:
        with pytest.raises((socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError)):
            await client.call("chat:message", {"message": "あ" * 20_000}, timeout=5)
        await client.sleep(0.5)
        assert not client.connected
    finally:
        await client.disconnect()


def handshake(url: str, origin: str | None) -> httpx.Response:
    """An engine.io polling handshake, as a browser page at `origin` would open it."""
    headers = {"Origin": origin} if origin else {}
    return httpx.get(f"{url}/socket.io/?EIO=4&transport=polling", headers=headers, timeout=10)


class TestItem05OriginCheck:
    """Issue 16 item 5: with CORS_ORIGIN empty, only the page's own origin may open socket.io."""

    def test_item05_polling_handshake_from_another_origin_is_refused(
        self, make_settings: SettingsFactory
    ) -> None:
        with ServerThread(make_settings()) as server:
            evil = handshake(server.url, "https://evil.example")
            same = handshake(server.url, server.url)
            no_origin = handshake(server.url, None)
            other_port = handshake(server.url, "http://127.0.0.1:1")
        assert evil.status_code == 400
        assert "access-control-allow-origin" not in evil.headers
        assert same.status_code == 200
        assert same.text.startswith("0{")
        assert no_origin.status_code == 200  # not a browser: no page to act for
        assert other_port.status_code == 400

    def test_item05_listed_origins_and_the_own_origin_are_accepted(
        self, make_settings: SettingsFactory
    ) -> None:
        with ServerThread(make_settings(CORS_ORIGIN=ALLOWED)) as server:
            listed = handshake(server.url, ALLOWED)
            same = handshake(server.url, server.url)
            evil = handshake(server.url, "https://evil.example")
        assert listed.status_code == 200
        assert listed.headers["access-control-allow-origin"] == ALLOWED
        assert same.status_code == 200
        assert evil.status_code == 400


class TestItem06ResyncAndConnections:
    """Issue 16 item 6: chat:resync is rate limited and validates its token; connections per address are
    capped."""

    async def test_item06_resync_is_rate_limited(self, make_settings: SettingsFactory) -> None:
        settings = make_settings(CHAT_RATE_LIMIT_PER_SESSION=3, RATE_LIMIT_WINDOW_MS=60_000)
        with ServerThread(settings) as server:
            client = socketio.AsyncClient(reconnection=False)
            await client.connect(server.url, transports=["websocket"], socketio_path="/socket.io")
            try:
                acks = [
                    await client.call("chat:resync", {"sessionId": "A" * 43}, timeout=10) for _ in range(5)
                ]
            finally:
                await client.disconnect()
        assert [ack["error"]["code"] for ack in acks] == ["session_not_found"] * 3 + ["rate_limited"] * 2
        assert acks[-1]["retryAfter"] > 0

    async def test_item06_resync_refuses_a_malformed_token(self, make_settings: SettingsFactory) -> None:
        with ServerThread(make_settings()) as server:
            client = socketio.AsyncClient(reconnection=False)
            await client.connect(server.url, transports=["websocket"], socketio_path="/socket.io")
            try:
                acks = [
                    await client.call("chat:resync", {"sessionId": token}, timeout=10)
                    for token in ("short", "x" * 5000, "../../etc/passwd-000000000", "a b c d e f g h i j k")
                ]
                missing = await client.call("chat:resync", {}, timeout=10)
            finally:
                await client.disconnect()
        assert all(ack["error"]["code"] == "validation_error" for ack in [*acks, missing])

    async def test_item06_connections_per_address_are_capped(self, make_settings: SettingsFactory) -> None:
        settings = make_settings(SOCKETIO_MAX_CONNECTIONS_PER_ADDRESS=2)
        with ServerThread(settings) as server:
            clients = [socketio.AsyncClient(reconnection=False) for _ in range(3)]
            try:
                for client in clients[:2]:
                    await client.connect(server.url, transports=["websocket"], socketio_path="/socket.io")
                with pytest.raises(socketio.exceptions.ConnectionError):
                    await clients[2].connect(
                        server.url, transports=["websocket"], socketio_path="/socket.io", wait_timeout=5
                    )
                await clients[0].disconnect()
                await asyncio.sleep(0.3)
                await clients[2].connect(server.url, transports=["websocket"], socketio_path="/socket.io")
                assert clients[2].connected
            finally:
                for client in clients:
                    await client.disconnect()
