"""A job run every few seconds in the background of each process, from start-up until shutdown.

A failing run is logged (and `on_failure` told) and the next one still runs; `stop` cancels the wait or the
run in progress. An interval of 0 turns the job off.
"""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from mnp_chatbot.core.logging import get_logger

log = get_logger(__name__)


class Periodic:
    def __init__(
        self,
        name: str,
        run: Callable[[], Awaitable[object]],
        *,
        interval: float,
        first_delay: float | None = None,
        on_failure: Callable[[], None] | None = None,
    ) -> None:
        self.name = name
        self.run = run
        self.interval = interval
        self.first_delay = interval if first_delay is None else first_delay
        self.on_failure = on_failure
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None

    async def _loop(self) -> None:
        await asyncio.sleep(self.first_delay)
        while True:
            try:
                await self.run()
            except Exception:
                if self.on_failure is not None:
                    self.on_failure()
                log.exception(f"{self.name}.failed")
            await asyncio.sleep(self.interval)

    def start(self) -> None:
        if self.interval > 0 and self._task is None:
            self._task = asyncio.create_task(self._loop(), name=self.name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
