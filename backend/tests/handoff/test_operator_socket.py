"""The operators' socket.io room carries customers' words: a socket stays only while its sign-in lives."""

import asyncio

import httpx
import socketio
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.admin.support import Console, json_of
from tests.fixtures.app import SettingsFactory
from tests.fixtures.server import ServerThread
from tests.handoff.test_replicas import Heard

RECHECK = 0.5


async def joined(url: str, token: str) -> tuple[socketio.AsyncClient, Heard]:
    operator = socketio.AsyncClient(reconnection=False)
    heard = Heard(operator, "handoff:queue", "operator:signed_out")
    await operator.connect(url, transports=["websocket"])
    assert (await operator.call("operator:join", {"token": token}, timeout=10))["ok"] is True
    return operator, heard


async def put_out(operator: socketio.AsyncClient, seconds: float = 15) -> bool:
    for _ in range(int(seconds / 0.1)):
        if not operator.connected:
            return True
        await asyncio.sleep(0.1)
    return False


async def test_a_signed_out_operator_socket_is_put_out_without_a_heartbeat(
    make_settings: SettingsFactory, db: async_sessionmaker[AsyncSession]
) -> None:
    settings = make_settings(OPERATOR_SOCKET_RECHECK_SECONDS=RECHECK)
    with ServerThread(settings) as server:
        async with httpx.AsyncClient(base_url=server.url) as http:
            headers = await Console(http, db).headers("operator")
            token = headers["Authorization"].removeprefix("Bearer ")
            operator, heard = await joined(server.url, token)
            try:
                await asyncio.sleep(RECHECK * 3)
                assert operator.connected  # a live sign-in stays
                assert (await http.post("/api/auth/logout", headers=headers)).status_code == 204
                assert await put_out(operator)
                assert ("operator:signed_out", {}) in heard.events
                json_of(await http.post("/api/chat", json={"message": "オペレーターと話したい"}))
                await asyncio.sleep(RECHECK * 2)
                assert not [event for event, _ in heard.events if event == "handoff:queue"]
            finally:
                await operator.disconnect()


async def test_a_heartbeat_with_a_token_of_another_sign_in_puts_the_socket_out(
    make_settings: SettingsFactory, db: async_sessionmaker[AsyncSession]
) -> None:
    """The heartbeat's token replaces the joined one only when it is a live sign-in of the same user."""
    settings = make_settings(OPERATOR_SOCKET_RECHECK_SECONDS=60)
    with ServerThread(settings) as server:
        async with httpx.AsyncClient(base_url=server.url) as http:
            console = Console(http, db)
            operator_token = (await console.headers("operator"))["Authorization"].removeprefix("Bearer ")
            admin_token = (await console.headers("admin"))["Authorization"].removeprefix("Bearer ")
            operator, _ = await joined(server.url, operator_token)
            try:
                kept = await operator.call("operator:heartbeat", {"token": operator_token}, timeout=10)
                assert kept == {"ok": True}
                assert operator.connected
                refused = await operator.call("operator:heartbeat", {"token": admin_token}, timeout=10)
                assert refused == {"ok": False}
                assert await put_out(operator)
            finally:
                await operator.disconnect()
