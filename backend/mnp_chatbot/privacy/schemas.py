"""The documented shape of a conversation export (GDPR Art. 15/20, APPI 第33条)."""

from typing import Any, Literal

from pydantic import Field

from mnp_chatbot.core.schemas import Schema


class ExportedSource(Schema):
    faq_id: str | None = Field(alias="faqId")
    question: str | None


class ExportedFeedback(Schema):
    rating: Literal["up", "down"]
    comment: str | None


class ExportedMessage(Schema):
    id: str
    role: str
    text: str = Field(description="As stored: personal data was masked before storage")
    created_at: str = Field(alias="createdAt")
    sources: list[ExportedSource]
    feedback: ExportedFeedback | None


class ExportedHandoff(Schema):
    id: str
    reason: str
    status: str
    contact: str | None = Field(description="The contact left for a call-back, decrypted")
    created_at: str = Field(alias="createdAt")


class ExportedConversation(Schema):
    channel: str
    status: str
    remembered: dict[str, Any]
    created_at: str = Field(alias="createdAt")
    last_message_at: str = Field(alias="lastMessageAt")


class ConversationExport(Schema):
    format: str
    session_id: str = Field(alias="sessionId")
    exported_at: str = Field(alias="exportedAt")
    conversation: ExportedConversation
    messages: list[ExportedMessage]
    handoffs: list[ExportedHandoff]
