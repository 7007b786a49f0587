import datetime as dt
import uuid
from typing import Any

from sqlalchemy import CHAR, BigInteger, DateTime, FetchedValue, Identity, Index, String, func, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from mnp_chatbot.core.db import Base


class AuditLog(Base):
    """Append-only record of admin and operator actions (never holds message content).

    The database fills `chain_seq`, `prev_hash` and `row_hash` on insert (migration 0006): each row's hash
    covers the previous row's hash and its own content, so a changed or removed row breaks the chain.
    `client_address` is outside the hash: the retention purge nulls it after DATA_RETENTION_DAYS."""

    __tablename__ = "audit_logs"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str | None] = mapped_column(String(32))
    target_id: Mapped[str | None] = mapped_column(String(96))
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    client_address: Mapped[str | None] = mapped_column(String(64))
    chain_seq: Mapped[int] = mapped_column(BigInteger, FetchedValue())
    prev_hash: Mapped[str] = mapped_column(CHAR(64), FetchedValue())
    row_hash: Mapped[str] = mapped_column(CHAR(64), FetchedValue())

    __table_args__ = (Index("idx_audit_logs_created_at", "created_at"),)
