"""Two app instances sharing PostgreSQL and Redis: exactly one claim wins, and a customer on one instance
hears the operator on the other, live."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import socketio
from asgi_lifespan import LifespanManager
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mnp_chatbot.main import create_app
from tests.admin.support import Console, json_of
from tests.fixtures.app import SettingsFactory
from tests.fixtures.server import ServerThread

ROUNDS = 5


@pytest.fixture
async def two_clients(
    make_settings: SettingsFactory, redis_url: str
) -> AsyncIterator[list[httpx.AsyncClient]]:
    clients: list[httpx.AsyncClient] = []
    managers: list[LifespanManager] = []
    for _ in range(2):
        settings = make_settings(REDIS_URL=redis_url, HANDOFF_CAPACITY=ROUNDS)  # the race, not the capacity
        manager = LifespanManager(create_app(settings), startup_timeout=60)
        await manager.__aenter__()
        managers.append(manager)
        transport = httpx.ASGITransport(app=manager.app)
        clients.append(httpx.AsyncClient(transport=transport, base_url="http://testserver"))
    yield clients
    for client in clients:
        await client.aclose()
    for manager in managers:
        await manager.__aexit__(None, None, None)


async def operator_on(
    client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession], role: str
) -> dict[str, str]:
    headers = await Console(client, db).headers(role)
    json_of(await client.put("/api/admin/operators/me/presence", json={"status": "online"}, headers=headers))
    return headers


class TestClaimRace:
    async def test_two_claims_at_once_on_two_instances_one_wins(
        self, two_clients: list[httpx.AsyncClient], db: async_sessionmaker[AsyncSession]
    ) -> None:
        a, b = two_clients
        first = await operator_on(a, db, "operator")
        second = await operator_on(b, db, "admin")
        for _ in range(ROUNDS):
            json_of(await a.post("/api/chat", json={"message": "オペレーターと話したい"}))
        items = json_of(await b.get("/api/admin/handoffs?status=waiting", headers=second))["items"]
        assert len(items) == ROUNDS
        for item in items:
            url = f"/api/admin/handoffs/{item['id']}/claim"
            responses = await asyncio.gather(a.post(url, headers=first), b.post(url, headers=second))
            assert sorted(r.status_code for r in responses) == [200, 409]
            [lost] = [r for r in responses if r.status_code == 409]
            assert lost.json()["error"]["code"] == "already_claimed"
        active = json_of(await a.get("/api/admin/handoffs?status=active", headers=first))["items"]
        assert len(active) == ROUNDS


class Heard:
    def __init__(self, client: socketio.AsyncClient, *events: str) -> None:
        self.events: list[tuple[str, Any]] = []
        self.changed = asyncio.Event()
        for name in events:
            client.on(name, self._handler(name))

    def _handler(self, name: str) -> Any:
        async def handle(data: Any) -> None:
            self.events.append((name, data))
            self.changed.set()

        return handle

    async def wait_for(self, name: str, timeout: float = 10) -> Any:
        async def first() -> Any:
            while True:
                for event, data in self.events:
                    if event == name:
                        self.events.remove((event, data))
                        return data
                self.changed.clear()
                await self.changed.wait()

        return await asyncio.wait_for(first(), timeout)


class TestLiveAcrossInstances:
    async def test_customer_on_one_instance_and_operator_on_the_other(
        self, make_settings: SettingsFactory, redis_url: str, db: async_sessionmaker[AsyncSession]
    ) -> None:
        settings = make_settings(REDIS_URL=redis_url)
        with ServerThread(settings) as one, ServerThread(settings) as other:
            async with httpx.AsyncClient(base_url=other.url) as console_http:
                headers = await operator_on(console_http, db, "operator")
                customer = socketio.AsyncClient(reconnection=False)
                heard = Heard(customer, "chat:operator", "chat:handoff", "chat:typing")
                operator = socketio.AsyncClient(reconnection=False)
                queue = Heard(operator, "handoff:queue", "handoff:message", "handoff:typing")
                await customer.connect(one.url, transports=["websocket"])
                await operator.connect(other.url, transports=["websocket"])
                token = headers["Authorization"].removeprefix("Bearer ")
                assert (await operator.call("operator:join", {"token": token}, timeout=10))["ok"] is True
                try:
                    done = await customer.call(
                        "chat:message", {"message": "オペレーターと話したい"}, timeout=20
                    )
                    assert done["handoff"]["status"] == "waiting"
                    arrived = await queue.wait_for("handoff:queue")
                    assert arrived["status"] == "waiting"

                    json_of(
                        await console_http.post(f"/api/admin/handoffs/{arrived['id']}/claim", headers=headers)
                    )
                    assert (await heard.wait_for("chat:handoff"))["status"] == "active"
                    await operator.emit("operator:typing", {"handoffId": arrived["id"]})
                    assert (await heard.wait_for("chat:typing"))["author"] == "operator 担当"
                    body = {"text": "お待たせしました。"}
                    json_of(
                        await console_http.post(
                            f"/api/admin/handoffs/{arrived['id']}/messages", json=body, headers=headers
                        ),
                        201,
                    )
                    said = [await heard.wait_for("chat:operator") for _ in range(2)]
                    assert [(m["role"], m["text"]) for m in said][-1] == ("operator", "お待たせしました。")

                    answer = await customer.call(
                        "chat:message",
                        {"message": "ありがとうございます", "sessionId": done["sessionId"]},
                        timeout=20,
                    )
                    assert answer["reply"] is None
                    relayed = await queue.wait_for("handoff:message")
                    while relayed["message"]["role"] != "user":
                        relayed = await queue.wait_for("handoff:message")
                    assert relayed["message"]["text"] == "ありがとうございます"
                finally:
                    await customer.disconnect()
                    await operator.disconnect()
