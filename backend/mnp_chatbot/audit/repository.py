import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mnp_chatbot.audit.models import AuditLog


class AuditLogRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, entry: AuditLog) -> AuditLog:
        self.session.add(entry)
        await self.session.flush()
        return entry

    async def list_page(
        self, *, limit: int, before_id: int | None, action: str | None, actor_id: uuid.UUID | None
    ) -> list[AuditLog]:
        """Newest first; `before_id` continues after the last entry of the previous page."""
        stmt = select(AuditLog).order_by(AuditLog.id.desc()).limit(limit)
        if before_id is not None:
            stmt = stmt.where(AuditLog.id < before_id)
        if action is not None:
            stmt = stmt.where(AuditLog.action == action)
        if actor_id is not None:
            stmt = stmt.where(AuditLog.actor_id == actor_id)
        return list((await self.session.scalars(stmt)).all())
