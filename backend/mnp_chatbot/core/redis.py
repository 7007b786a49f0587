"""One small interface for the cache and pub/sub: Redis when REDIS_URL is set, in-process otherwise.

Every Redis client of the app (this store, the rate limits, socket.io's manager) is made with
`client_options()`: a short timeout and no retry. redis-py's default retries a timed-out command ten times
with back-off, which turned a stalled Redis into requests hanging for half a minute; nothing the app keeps in
Redis is worth waiting for (each caller degrades: a missed cache, an in-process limit, a local emit).
"""

import asyncio
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any, Protocol

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

TIMEOUT_SECONDS = 0.5


def client_options(timeout: float = TIMEOUT_SECONDS) -> dict[str, Any]:
    """Connection options for every Redis client: fail within `timeout`, retry nothing."""
    return {"socket_timeout": timeout, "socket_connect_timeout": timeout, "retry": Retry(NoBackoff(), 0)}


class Store(Protocol):
    name: str

    async def get(self, key: str) -> bytes | None: ...
    async def set(self, key: str, value: bytes, *, ttl: int | None = None) -> None: ...
    async def add(self, key: str, value: bytes, *, ttl: int) -> bool: ...
    async def incr(self, key: str, *, ttl: int) -> int: ...
    async def delete(self, *keys: str) -> None: ...
    async def delete_prefix(self, prefix: str) -> None: ...
    async def publish(self, channel: str, message: str) -> None: ...
    def subscribe(self, channel: str) -> AsyncIterator[str]: ...
    async def ping(self) -> bool: ...
    async def close(self) -> None: ...


class RedisStore:
    name = "redis"

    def __init__(self, client: "aioredis.Redis") -> None:
        self.client = client

    async def get(self, key: str) -> bytes | None:
        value = await self.client.get(key)
        return value.encode() if isinstance(value, str) else value

    async def set(self, key: str, value: bytes, *, ttl: int | None = None) -> None:
        await self.client.set(key, value, ex=ttl)

    async def add(self, key: str, value: bytes, *, ttl: int) -> bool:
        """Set `key` only when it is absent; whether it was set."""
        return bool(await self.client.set(key, value, ex=ttl, nx=True))

    async def incr(self, key: str, *, ttl: int) -> int:
        """Add one to the counter at `key` and (re)set its expiry; the new count."""
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, ttl)
            count, _ = await pipe.execute()
        return int(count)

    async def delete(self, *keys: str) -> None:
        if keys:
            await self.client.delete(*keys)

    async def delete_prefix(self, prefix: str) -> None:
        batch: list[bytes] = []
        async for key in self.client.scan_iter(match=f"{prefix}*", count=500):
            batch.append(key)
            if len(batch) >= 500:
                await self.client.delete(*batch)
                batch.clear()
        if batch:
            await self.client.delete(*batch)

    async def publish(self, channel: str, message: str) -> None:
        await self.client.publish(channel, message)

    async def subscribe(self, channel: str) -> AsyncIterator[str]:
        pubsub = self.client.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(channel)
        try:
            async for message in pubsub.listen():
                data = message.get("data")
                yield data.decode() if isinstance(data, bytes) else str(data)
        finally:
            await pubsub.unsubscribe(channel)
            await pubsub.aclose()  # type: ignore[no-untyped-call]

    async def ping(self) -> bool:
        return bool(await self.client.ping())

    async def close(self) -> None:
        await self.client.aclose()


class MemoryStore:
    """In-process equivalent for a single process without Redis."""

    name = "memory"

    def __init__(self) -> None:
        self._values: dict[str, tuple[bytes, float | None]] = {}
        self._subscribers: defaultdict[str, set[asyncio.Queue[str]]] = defaultdict(set)

    async def get(self, key: str) -> bytes | None:
        item = self._values.get(key)
        if item is None:
            return None
        value, expires_at = item
        if expires_at is not None and expires_at <= time.monotonic():
            del self._values[key]
            return None
        return value

    async def set(self, key: str, value: bytes, *, ttl: int | None = None) -> None:
        self._values[key] = (value, time.monotonic() + ttl if ttl else None)

    async def add(self, key: str, value: bytes, *, ttl: int) -> bool:
        if await self.get(key) is not None:
            return False
        await self.set(key, value, ttl=ttl)
        return True

    async def incr(self, key: str, *, ttl: int) -> int:
        count = int(await self.get(key) or b"0") + 1
        await self.set(key, str(count).encode(), ttl=ttl)
        return count

    async def delete(self, *keys: str) -> None:
        for key in keys:
            self._values.pop(key, None)

    async def delete_prefix(self, prefix: str) -> None:
        for key in [key for key in self._values if key.startswith(prefix)]:
            del self._values[key]

    async def publish(self, channel: str, message: str) -> None:
        for queue in self._subscribers[channel]:
            queue.put_nowait(message)

    async def subscribe(self, channel: str) -> AsyncIterator[str]:
        queue: asyncio.Queue[str] = asyncio.Queue()
        self._subscribers[channel].add(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            self._subscribers[channel].discard(queue)

    async def ping(self) -> bool:
        return True

    async def close(self) -> None:
        self._values.clear()


def connect(url: str | None, password: str | None = None) -> Store:
    if url is None:
        return MemoryStore()
    client = aioredis.Redis.from_url(url, password=password, **client_options())
    return RedisStore(client)
