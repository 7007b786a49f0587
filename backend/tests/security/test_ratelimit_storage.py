"""The in-process rate-limit storage (no Redis, and Redis's fallback): limits' sliding-window counter at O(1)
per hit, with expired counters dropped and no background task per hit."""

import asyncio

import pytest
from limits import RateLimitItemPerSecond
from limits.aio.strategies import SlidingWindowCounterRateLimiter

from mnp_chatbot.core import ratelimit
from mnp_chatbot.core.ratelimit import InProcessStorage


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def time(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(ratelimit, "time", clock)
    monkeypatch.setattr("limits.storage.base.time", clock, raising=False)
    monkeypatch.setattr("limits.aio.strategies.time", clock)
    monkeypatch.setattr("limits.aio.storage.memory.time", clock)
    return clock


async def test_allows_the_amount_per_window_and_refuses_the_rest(clock: Clock) -> None:
    limiter = SlidingWindowCounterRateLimiter(InProcessStorage())
    item = RateLimitItemPerSecond(3, 10)
    assert [await limiter.hit(item, "a") for _ in range(5)] == [True, True, True, False, False]
    assert await limiter.hit(item, "b")  # another key has its own budget
    stats = await limiter.get_window_stats(item, "a")
    assert stats.remaining == 0


async def test_the_budget_returns_as_the_window_slides(clock: Clock) -> None:
    limiter = SlidingWindowCounterRateLimiter(InProcessStorage())
    item = RateLimitItemPerSecond(2, 10)
    assert [await limiter.hit(item, "a") for _ in range(3)] == [True, True, False]
    clock.now += 25  # two windows later nothing of the old counts weighs
    assert [await limiter.hit(item, "a") for _ in range(3)] == [True, True, False]


async def test_expired_counters_are_swept_and_no_task_is_started(clock: Clock) -> None:
    storage = InProcessStorage()
    limiter = SlidingWindowCounterRateLimiter(storage)
    item = RateLimitItemPerSecond(5, 1)
    tasks = len(asyncio.all_tasks())
    for n in range(1000):
        await limiter.hit(item, f"client-{n}")
    assert len(asyncio.all_tasks()) == tasks
    assert len(storage.storage) == 1000
    clock.now += 3 + ratelimit.SWEEP_SECONDS
    await limiter.hit(item, "late")
    assert set(storage.storage) == set(storage.expirations)
    assert len(storage.storage) == 1
    assert not storage.locks


async def test_clear_forgets_a_key(clock: Clock) -> None:
    limiter = SlidingWindowCounterRateLimiter(InProcessStorage())
    item = RateLimitItemPerSecond(1, 60)
    assert await limiter.hit(item, "a")
    assert not await limiter.hit(item, "a")
    await limiter.clear(item, "a")
    assert await limiter.hit(item, "a")
