"""Hand-off tables: the request and its lifecycle, operators' presence, internal notes, editable settings.

A hand-off moves  waiting → active → resolved | released (back to waiting) | abandoned;  a request made when
nobody can take it (outside business hours) is stored as `missed` and may carry a call-back contact.
At most one hand-off of a conversation is open (waiting or active), enforced by a partial unique index.
"""

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from mnp_chatbot.core.db import Base, TimestampMixin


class HandoffStatus(StrEnum):
    WAITING = "waiting"
    ACTIVE = "active"
    RESOLVED = "resolved"
    ABANDONED = "abandoned"
    MISSED = "missed"


OPEN_STATUSES = (HandoffStatus.WAITING.value, HandoffStatus.ACTIVE.value)
# The predicate of the one-open-hand-off index, as SQL literals: an ON CONFLICT that names it with bound
# parameters stops matching the index once PostgreSQL plans the prepared statement generically (6th use).
OPEN_PREDICATE = text("status IN ({})".format(", ".join(f"'{status}'" for status in OPEN_STATUSES)))


class PresenceStatus(StrEnum):
    ONLINE = "online"
    AWAY = "away"
    OFFLINE = "offline"


class Handoff(TimestampMixin, Base):
    __tablename__ = "handoffs"

    id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), primary_key=True, server_default=text("gen_random_uuid()")
    )
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16), server_default=text("'web'"))
    status: Mapped[str] = mapped_column(String(16), default=HandoffStatus.WAITING)
    operator_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    contact_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    queued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    first_response_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str | None] = mapped_column(String(32))
    callback_requested_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    callback_done_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    callback_done_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    __table_args__ = (
        Index("idx_handoffs_session_id", "session_id"),
        Index("idx_handoffs_status", "status"),
        Index(
            "uq_handoffs_open_per_conversation",
            "session_id",
            unique=True,
            postgresql_where=OPEN_PREDICATE,
        ),
        CheckConstraint("status IN ('waiting', 'active', 'resolved', 'abandoned', 'missed')", name="status"),
    )


class HandoffNote(Base):
    """An operator's internal note on a hand-off; the customer never sees it."""

    __tablename__ = "handoff_notes"

    id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), primary_key=True, server_default=text("gen_random_uuid()")
    )
    handoff_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("handoffs.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16), server_default=text("'note'"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class OperatorPresence(Base):
    """Whether a console user takes conversations, and how many at once; `last_seen_at` is a heartbeat."""

    __tablename__ = "operator_presence"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default=PresenceStatus.OFFLINE)
    capacity: Mapped[int | None] = mapped_column(Integer)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class HandoffSetting(Base):
    """An admin's override of a hand-off setting (business hours, holidays, capacity, reclaim timeout)."""

    __tablename__ = "handoff_settings"

    key: Mapped[str] = mapped_column(String(48), primary_key=True)
    value: Mapped[Any] = mapped_column(JSONB)
    updated_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
