import datetime as dt
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from mnp_chatbot.audit.models import AuditLog

# Each row with the hash recomputed by the same SQL function the insert trigger used (migration 0006).
CHAIN_SQL = text(
    """
    SELECT chain_seq, prev_hash, row_hash,
           audit_logs_row_hash(prev_hash, id, actor_id, action, target_type, target_id, details, created_at)
               AS recomputed
    FROM audit_logs WHERE chain_seq > :after ORDER BY chain_seq LIMIT :limit
    """
)


@dataclass(frozen=True, slots=True)
class ChainRow:
    seq: int
    prev_hash: str
    row_hash: str
    recomputed: str


class AuditLogRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, entry: AuditLog) -> AuditLog:
        self.session.add(entry)
        await self.session.flush()
        return entry

    async def chain(self, *, batch: int = 1000) -> AsyncIterator[ChainRow]:
        """Every row in chain order, with its hash recomputed from its content."""
        after = 0
        while True:
            rows = (await self.session.execute(CHAIN_SQL, {"after": after, "limit": batch})).all()
            for row in rows:
                yield ChainRow(int(row.chain_seq), row.prev_hash, row.row_hash, row.recomputed)
            if len(rows) < batch:
                return
            after = int(rows[-1].chain_seq)

    async def forget_client_addresses(self, *, before: dt.datetime, limit: int) -> int:
        """Null the client address of up to `limit` entries older than `before` (the trigger allows only
        this change)."""
        batch = (
            select(AuditLog.id)
            .where(AuditLog.created_at < before, AuditLog.client_address.is_not(None))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        stmt = update(AuditLog).where(AuditLog.id.in_(batch.scalar_subquery())).values(client_address=None)
        result = await self.session.execute(stmt.execution_options(synchronize_session=False))
        return int(getattr(result, "rowcount", 0) or 0)

    async def list_page(
        self,
        *,
        limit: int,
        before_id: int | None,
        action: str | None,
        actor_id: uuid.UUID | None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
    ) -> list[AuditLog]:
        """Newest first; `before_id` continues after the last entry of the previous page; `since` is
        inclusive, `until` exclusive."""
        stmt = select(AuditLog).order_by(AuditLog.id.desc()).limit(limit)
        if since is not None:
            stmt = stmt.where(AuditLog.created_at >= since)
        if until is not None:
            stmt = stmt.where(AuditLog.created_at < until)
        if before_id is not None:
            stmt = stmt.where(AuditLog.id < before_id)
        if action is not None:
            stmt = stmt.where(AuditLog.action == action)
        if actor_id is not None:
            stmt = stmt.where(AuditLog.actor_id == actor_id)
        return list((await self.session.scalars(stmt)).all())
