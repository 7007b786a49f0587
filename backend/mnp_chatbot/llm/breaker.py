"""The LLM circuit breaker's state shared by every replica through Redis.

Each process keeps its own `CircuitBreaker` (llm/openai.py), but while Redis answers the shared state
decides: a provider outage seen by one worker opens the breaker for all of them, instead of each worker
paying its own `threshold` failed calls (and each customer's wait) before it learns. The keys:

    {prefix}:failures   consecutive failures, any replica (expires after a quiet `window`)
    {prefix}:open       present while the breaker is open (expires after `cooldown`: half-open)
    {prefix}:trial      the one replica whose call tries the provider while half-open

Redis too slow or gone: `allows()` answers None and the caller falls back to its local breaker.
"""

import asyncio
import math

from mnp_chatbot.core.logging import get_logger
from mnp_chatbot.core.redis import Store

log = get_logger(__name__)
PREFIX = "mnp:llm:breaker"
TIMEOUT_SECONDS = 0.3


class SharedBreaker:
    def __init__(
        self,
        store: Store,
        *,
        threshold: int = 5,
        cooldown: float = 30.0,
        trial_seconds: float = 30.0,
        prefix: str = PREFIX,
        timeout: float = TIMEOUT_SECONDS,
    ) -> None:
        self.store = store
        self.threshold = threshold
        self.cooldown = max(1, math.ceil(cooldown))
        self.trial_seconds = max(1, math.ceil(trial_seconds))
        self.window = max(60, 2 * self.cooldown)
        self.timeout = timeout
        self.failures_key = f"{prefix}:failures"
        self.open_key = f"{prefix}:open"
        self.trial_key = f"{prefix}:trial"

    async def allows(self) -> bool | None:
        """Whether a call may go to the provider now; None when the shared state cannot be read."""
        try:
            async with asyncio.timeout(self.timeout):
                if await self.store.get(self.open_key) is not None:
                    return False
                failures = int(await self.store.get(self.failures_key) or b"0")
                if failures < self.threshold:
                    return True
                # half-open: one trial call for all replicas
                return await self.store.add(self.trial_key, b"1", ttl=self.trial_seconds)
        except Exception as error:
            log.warning("llm.breaker.shared_unavailable", error=type(error).__name__)
            return None

    async def failed(self) -> None:
        try:
            async with asyncio.timeout(self.timeout):
                failures = await self.store.incr(self.failures_key, ttl=self.window)
                if failures >= self.threshold:
                    await self.store.set(self.open_key, b"1", ttl=self.cooldown)
                    await self.store.delete(self.trial_key)
                    if failures == self.threshold:
                        log.warning("llm.breaker.opened", failures=failures, cooldown_s=self.cooldown)
        except Exception as error:
            log.warning("llm.breaker.shared_unavailable", error=type(error).__name__)

    async def succeeded(self) -> None:
        try:
            async with asyncio.timeout(self.timeout):
                if await self.store.get(self.failures_key) is not None:
                    await self.store.delete(self.failures_key, self.open_key, self.trial_key)
                    log.info("llm.breaker.closed")
        except Exception as error:
            log.warning("llm.breaker.shared_unavailable", error=type(error).__name__)

    async def is_open(self) -> bool | None:
        try:
            async with asyncio.timeout(self.timeout):
                return await self.store.get(self.open_key) is not None
        except Exception:
            return None
