"""Processes queued LINE events after the webhook has answered, on every replica.

Each replica leases due events (`EventQueue.claim`, FOR UPDATE SKIP LOCKED) and runs up to `concurrency`
at once. A lease that is not completed in time (the replica crashed) expires, and any replica takes the
event up again; a failing event is retried with backoff, then given up on (logged and counted). The
webhook wakes the local worker at once; the others poll.
"""

import asyncio
import contextlib
import datetime as dt
from collections.abc import Awaitable, Callable

from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mnp_chatbot.channels.line.repository import EventQueue, QueuedEvent
from mnp_chatbot.core.logging import get_logger

log = get_logger(__name__)
GIVEN_UP = Counter("line_events_given_up_total", "LINE events dropped after every retry failed.")
FAILURES = Counter("line_event_failures_total", "LINE event handlings that raised (then retried).")


class EventWorker:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        handle: Callable[[QueuedEvent], Awaitable[str]],
        *,
        concurrency: int = 16,
        poll_interval: float = 1.0,
        lease: dt.timedelta = dt.timedelta(minutes=5),
        max_attempts: int = 5,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.handle = handle
        self.concurrency = concurrency
        self.poll_interval = poll_interval
        self.lease = lease
        self.max_attempts = max_attempts
        self._wake = asyncio.Event()
        self._running: set[asyncio.Task[None]] = set()
        self._loop: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        if self._loop is None:
            self._loop = asyncio.create_task(self._run(), name="line-events")

    async def stop(self) -> None:
        """Stop taking events; those in flight are cancelled and their leases expire (taken up again)."""
        tasks = [t for t in (self._loop, *self._running) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._loop = None

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            claimed = 0
            try:
                claimed = await self.run_once()
            except Exception:
                log.exception("line.worker.claim_failed")
            if claimed == 0 or len(self._running) >= self.concurrency:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.poll_interval)

    async def run_once(self) -> int:
        """Lease what is due and start it; returns how many events were started."""
        free = self.concurrency - len(self._running)
        if free <= 0:
            return 0
        async with self.sessionmaker.begin() as session:
            batch = await EventQueue(session).claim(limit=free, lease=self.lease)
        for queued in batch:
            task = asyncio.create_task(self._process(queued))
            self._running.add(task)
            task.add_done_callback(self._finished)
        return len(batch)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        self._wake.set()  # a slot is free, and the sender's next event may now be due

    async def drain(self, timeout: float = 30.0) -> None:
        """Until no event is due or running (tests and the benchmark)."""
        async with asyncio.timeout(timeout):
            while True:
                started = await self.run_once()
                if self._running:
                    await asyncio.wait(set(self._running))
                elif not started:
                    async with self.sessionmaker() as session:
                        if not await EventQueue(session).due():
                            return
                    await asyncio.sleep(0.02)

    async def _process(self, queued: QueuedEvent) -> None:
        try:
            outcome = await self.handle(queued)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            await self._failed(queued, error)
            return
        async with self.sessionmaker.begin() as session:
            await EventQueue(session).complete(queued.id, outcome)

    async def _failed(self, queued: QueuedEvent, error: Exception) -> None:
        FAILURES.inc()
        async with self.sessionmaker.begin() as session:
            queue = EventQueue(session)
            if queued.attempts >= self.max_attempts:
                GIVEN_UP.inc()
                log.error(
                    "line.event.given_up",
                    queue_id=queued.id,
                    error=type(error).__name__,
                )
                await queue.complete(queued.id, "failed")
                return
            delay = dt.timedelta(seconds=min(300, 2**queued.attempts))
            log.warning(
                "line.event.retry", queue_id=queued.id, attempt=queued.attempts, error=type(error).__name__
            )
            await queue.retry_later(queued.id, delay)
