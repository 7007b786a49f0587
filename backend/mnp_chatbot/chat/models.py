import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy import text as sql_text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from mnp_chatbot.core.db import Base, TimestampMixin


class ChannelName(StrEnum):
    WEB = "web"
    WIDGET = "widget"  # the web chat framed in another site (the carrier's own pages)
    LINE = "line"
    API = "api"


class ConversationStatus(StrEnum):
    BOT = "bot"
    QUEUED = "queued"
    OPERATOR = "operator"
    CLOSED = "closed"


class Role(StrEnum):
    USER = "user"
    ASSISTANT = "assistant"
    OPERATOR = "operator"
    SYSTEM = "system"


class Conversation(TimestampMixin, Base):
    """A customer's session; its public token is only ever stored as a keyed hash."""

    __tablename__ = "conversations"

    id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), primary_key=True, server_default=sql_text("gen_random_uuid()")
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(16), default=ChannelName.WEB)
    status: Mapped[str] = mapped_column(String(16), default=ConversationStatus.BOT)
    external_user_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    slots: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default=sql_text("'{}'::jsonb"))
    last_message_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (Index("idx_conversations_last_message_at", "last_message_at"),)


class Message(Base):
    __tablename__ = "messages"

    id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), primary_key=True, server_default=sql_text("gen_random_uuid()")
    )
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    mode: Mapped[str | None] = mapped_column(String(24))
    sources: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default=sql_text("'[]'::jsonb")
    )
    quick_replies: Mapped[list[str]] = mapped_column(
        JSONB, default=list, server_default=sql_text("'[]'::jsonb")
    )
    confidence: Mapped[float | None] = mapped_column(Float)
    latency_ms: Mapped[int | None] = mapped_column(Integer)
    handoff: Mapped[bool] = mapped_column(default=False, server_default=sql_text("false"))
    client_message_id: Mapped[str | None] = mapped_column(String(64))
    reply_to_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    prompt_version: Mapped[str | None] = mapped_column(String(32))
    author: Mapped[str | None] = mapped_column(String(100))  # an operator's display name
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        Index("idx_messages_session_id", "session_id"),
        Index("idx_messages_created_at", "created_at"),
        UniqueConstraint("session_id", "client_message_id", name="uq_messages_session_client_message"),
        CheckConstraint("role IN ('user', 'assistant', 'operator', 'system')", name="role"),
    )


class Feedback(TimestampMixin, Base):
    __tablename__ = "feedback"

    id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), primary_key=True, server_default=sql_text("gen_random_uuid()")
    )
    message_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), unique=True)
    rating: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (CheckConstraint("rating IN (-1, 1)", name="rating"),)
