"""Publish reviews: an operator's FAQ text waits here until an admin approves it.

A review holds the whole proposed entry (the knowledge file document and whether to publish) and a hash of
the live entry it was written against; the live `faqs` row, which the bot serves, is not touched until an
admin approves. A review moves  pending → approved | rejected | superseded (the operator wrote again); at
most one review of an entry is pending, enforced by a partial unique index.
"""

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from mnp_chatbot.core.db import Base


class ReviewStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"


PENDING_PREDICATE = text("status = 'pending'")


class FaqReview(Base):
    __tablename__ = "faq_reviews"

    id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), primary_key=True, server_default=text("gen_random_uuid()")
    )
    faq_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("faqs.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), server_default=text("'pending'"))
    proposed: Mapped[dict[str, Any]] = mapped_column(JSONB)
    publish: Mapped[bool]
    base_hash: Mapped[str] = mapped_column(String(64))
    base_answer: Mapped[str] = mapped_column(Text)
    was_published: Mapped[bool]
    requested_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    decided_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("idx_faq_reviews_faq_id", "faq_id"),
        Index("idx_faq_reviews_status", "status", "requested_at"),
        Index("uq_faq_reviews_pending_per_faq", "faq_id", unique=True, postgresql_where=PENDING_PREDICATE),
        CheckConstraint("status IN ('pending', 'approved', 'rejected', 'superseded')", name="status"),
    )
