"""DATA_RETENTION_DAYS: conversations and what derives from them are deleted once older than the limit, and
client addresses in audit entries are nulled (the entries themselves are kept).

The purge deletes in batches, each in its own short transaction with `FOR UPDATE SKIP LOCKED`, so it never
holds long locks and can run beside live traffic. In the app, a schedule runs it every
RETENTION_PURGE_INTERVAL_SECONDS, on whichever replica wins a PostgreSQL advisory lock; the others skip.
The CLI `purge` runs the same code once.
"""

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from prometheus_client import Counter, Gauge
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from mnp_chatbot.audit.repository import AuditLogRepository
from mnp_chatbot.audit.service import AuditAction, AuditEvent, AuditTrail
from mnp_chatbot.core.logging import get_logger
from mnp_chatbot.core.periodic import Periodic
from mnp_chatbot.privacy.repository import RetentionRepository

log = get_logger(__name__)
ADVISORY_LOCK_KEY = 0x6D6E_7052_6574_6E31  # "mnpRetn1"
DEFAULT_BATCH_SIZE = 500
FIRST_RUN_DELAY_SECONDS = 60.0

PURGED = Counter("retention_purged_rows_total", "Rows deleted by the retention purge.", ["kind"])
LAST_SUCCESS = Gauge(
    "retention_purge_last_success_timestamp_seconds",
    "Unix time of the last retention purge that finished.",
    multiprocess_mode="max",  # under gunicorn: the latest of every worker's, not one series per worker
)
FAILURES = Counter("retention_purge_failures_total", "Retention purge runs that failed.")

Deleter = Callable[[RetentionRepository, dt.datetime, int], Awaitable[int]]
STEPS: tuple[tuple[str, Deleter], ...] = (
    ("conversations", lambda repo, before, limit: repo.delete_conversations(before=before, limit=limit)),
    ("messages", lambda repo, before, limit: repo.delete_messages(before=before, limit=limit)),
    ("handoffs", lambda repo, before, limit: repo.delete_handoffs(before=before, limit=limit)),
    ("channel_events", lambda repo, before, limit: repo.delete_channel_events(before=before, limit=limit)),
    ("auth_sessions", lambda repo, before, limit: repo.delete_auth_sessions(before=before, limit=limit)),
    # Not deleted: the audit entry stays, its client address is nulled.
    (
        "audit_client_addresses",
        lambda repo, before, limit: AuditLogRepository(repo.session).forget_client_addresses(
            before=before, limit=limit
        ),
    ),
)


@dataclass(frozen=True, slots=True)
class PurgeReport:
    cutoff: dt.datetime
    deleted: dict[str, int] = field(default_factory=dict)
    batches: int = 0

    @property
    def total(self) -> int:
        return sum(self.deleted.values())


def cutoff_for(now: dt.datetime, days: int) -> dt.datetime:
    return now - dt.timedelta(days=days)


async def purge(
    sessionmaker: async_sessionmaker[AsyncSession],
    audit: AuditTrail,
    *,
    now: dt.datetime,
    days: int,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> PurgeReport:
    """Delete what is older than `days` before `now`, batch by batch; rerunning deletes nothing more."""
    cutoff = cutoff_for(now, days)
    deleted: dict[str, int] = {}
    batches = 0
    for kind, step in STEPS:
        deleted[kind] = 0
        while True:
            async with sessionmaker.begin() as session:
                count = await step(RetentionRepository(session), cutoff, batch_size)
            batches += 1
            deleted[kind] += count
            if count < batch_size:
                break
    report = PurgeReport(cutoff, deleted, batches)
    if report.total:
        async with sessionmaker.begin() as session:
            await audit.record(session, AuditEvent(AuditAction.RETENTION_PURGED, details=dict(deleted)))
    for kind, count in deleted.items():
        PURGED.labels(kind=kind).inc(count)
    LAST_SUCCESS.set(now.timestamp())
    log.info("retention.purged", cutoff=cutoff.isoformat(), batches=batches, **deleted)
    return report


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class RetentionSchedule(Periodic):
    """Runs the purge every `interval` seconds on the replica that holds the advisory lock."""

    def __init__(
        self,
        engine: AsyncEngine,
        sessionmaker: async_sessionmaker[AsyncSession],
        audit: AuditTrail,
        *,
        days: int,
        interval: float,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        first = min(interval, FIRST_RUN_DELAY_SECONDS)
        super().__init__(
            "retention", self.run_once, interval=interval, first_delay=first, on_failure=FAILURES.inc
        )
        self.engine = engine
        self.sessionmaker = sessionmaker
        self.audit = audit
        self.days = days
        self.clock = clock

    async def run_once(self) -> PurgeReport | None:
        """The purge's report, or None when another replica is running it."""
        async with self.engine.connect() as connection:
            locked = await connection.scalar(select(func.pg_try_advisory_lock(ADVISORY_LOCK_KEY)))
            await connection.commit()
            if not locked:
                log.info("retention.skipped", reason="another replica holds the lock")
                return None
            try:
                return await purge(self.sessionmaker, self.audit, now=self.clock(), days=self.days)
            finally:
                await connection.scalar(select(func.pg_advisory_unlock(ADVISORY_LOCK_KEY)))
                await connection.commit()
