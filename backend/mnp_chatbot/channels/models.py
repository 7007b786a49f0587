import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from mnp_chatbot.core.db import Base, TimestampMixin


class ChannelEvent(Base):
    """An inbound webhook event: the durable queue it waits in, and, once processed, the record that
    de-duplicates its redeliveries (a tombstone: the sealed event is erased after processing)."""

    __tablename__ = "channel_events"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str] = mapped_column(String(128))
    event_type: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)  # what is not personal: kind, mode, ids
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    processed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    sender_hash: Mapped[str | None] = mapped_column(String(64))  # keyed hash; events of one sender in order
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary)  # the event, encrypted, until processed
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    available_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (
        UniqueConstraint("channel", "event_id", name="uq_channel_events_channel_event_id"),
        Index("idx_channel_events_pending", "id", postgresql_where=text("processed_at IS NULL")),
        Index(
            "idx_channel_events_pending_sender",
            "channel",
            "sender_hash",
            "id",
            postgresql_where=text("processed_at IS NULL"),
        ),
    )


class ChannelContact(TimestampMixin, Base):
    """How to reach the customer of a conversation on a messaging channel (the LINE user id, encrypted),
    and whether they still accept messages."""

    __tablename__ = "channel_contacts"

    conversation_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    channel: Mapped[str] = mapped_column(String(16))
    address_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    unfollowed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
