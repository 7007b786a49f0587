"""The hand-off sweep, run every HANDOFF_SWEEP_INTERVAL_SECONDS on each replica (its moves are conditional
UPDATEs, so replicas running it at once never move a hand-off twice)."""

import asyncio
import contextlib

from mnp_chatbot.core.logging import get_logger
from mnp_chatbot.handoff.service import HandoffService

log = get_logger(__name__)


class SweepSchedule:
    def __init__(self, handoffs: HandoffService, *, interval: float) -> None:
        self.handoffs = handoffs
        self.interval = interval
        self._task: asyncio.Task[None] | None = None

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.handoffs.sweep()
            except Exception:
                log.exception("handoff.sweep.failed")

    def start(self) -> None:
        if self.interval > 0 and self._task is None:
            self._task = asyncio.create_task(self._loop(), name="handoff-sweep")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
