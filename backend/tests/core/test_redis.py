import asyncio
from collections.abc import AsyncIterator

import pytest

from mnp_chatbot.core import redis as store_module


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest, redis_url: str) -> AsyncIterator[store_module.Store]:
    instance = store_module.connect(None if request.param == "memory" else redis_url)
    yield instance
    await instance.close()


class TestStore:
    async def test_set_get_delete(self, store: store_module.Store) -> None:
        await store.set("k1", b"v1")
        assert await store.get("k1") == b"v1"
        await store.delete("k1")
        assert await store.get("k1") is None

    async def test_values_expire_after_their_ttl(self, store: store_module.Store) -> None:
        await store.set("short", b"x", ttl=1)
        assert await store.get("short") == b"x"
        await asyncio.sleep(1.2)
        assert await store.get("short") is None

    async def test_delete_prefix_removes_only_matching_keys(self, store: store_module.Store) -> None:
        await store.set("faq:a", b"1")
        await store.set("faq:b", b"2")
        await store.set("other", b"3")
        await store.delete_prefix("faq:")
        assert await store.get("faq:a") is None
        assert await store.get("other") == b"3"

    async def test_published_messages_reach_subscribers(self, store: store_module.Store) -> None:
        received: list[str] = []

        async def listen() -> None:
            async for message in store.subscribe("events"):
                received.append(message)
                return

        task = asyncio.create_task(listen())
        for _ in range(50):
            await store.publish("events", "hello")
            await asyncio.sleep(0.02)
            if received:
                break
        await asyncio.wait_for(task, timeout=2)
        assert received == ["hello"]

    async def test_ping(self, store: store_module.Store) -> None:
        assert await store.ping()
