"""socket.io handshakes only from CORS_ORIGIN, and oversized payloads are refused (security.md test 41)."""

from collections.abc import Iterator

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
