"""Bodies of the operators' views: conversations, transcripts, knowledge gaps and analytics."""

import datetime as dt
import uuid

from pydantic import Field

from mnp_chatbot.chat.schemas import SourceRead
from mnp_chatbot.core.schemas import Schema
from mnp_chatbot.editorial.schemas import FaqEntryWrite


class ConversationRead(Schema):
    id: uuid.UUID
    channel: str
    status: str
    created_at: dt.datetime = Field(serialization_alias="createdAt")
    last_message_at: dt.datetime = Field(serialization_alias="lastMessageAt")
    turns: int
    handoff: bool
    min_confidence: float | None = Field(serialization_alias="minConfidence")
    thumbs_up: int = Field(serialization_alias="thumbsUp")
    thumbs_down: int = Field(serialization_alias="thumbsDown")
    first_question: str | None = Field(
        default=None, serialization_alias="firstQuestion", description="The customer's first message, masked"
    )


class ConversationPage(Schema):
    items: list[ConversationRead]
    total: int
    limit: int
    offset: int


class FeedbackRead(Schema):
    rating: str
    comment: str | None


class TranscriptMessage(Schema):
    id: uuid.UUID
    role: str
    text: str
    mode: str | None
    confidence: float | None
    sources: list[SourceRead]
    quick_replies: list[str] = Field(serialization_alias="quickReplies")
    handoff: bool
    latency_ms: int | None = Field(serialization_alias="latencyMs")
    created_at: dt.datetime = Field(serialization_alias="createdAt")
    feedback: FeedbackRead | None


class HandoffRead(Schema):
    id: uuid.UUID
    reason: str
    status: str
    created_at: dt.datetime = Field(serialization_alias="createdAt")
    claimed_at: dt.datetime | None = Field(serialization_alias="claimedAt")
    resolved_at: dt.datetime | None = Field(serialization_alias="resolvedAt")


class TranscriptRead(Schema):
    conversation: ConversationRead
    messages: list[TranscriptMessage]
    handoffs: list[HandoffRead]


class CandidateRead(Schema):
    id: str
    slug: str
    question: str
    category: str
    confidence: float


class GapRead(Schema):
    key: str
    question: str
    variants: list[str]
    count: int
    conversations: int
    last_seen: dt.datetime = Field(serialization_alias="lastSeen")
    reasons: dict[str, int]
    candidate: CandidateRead | None


class GapList(Schema):
    items: list[GapRead]
    from_: dt.date = Field(serialization_alias="from")
    to: dt.date


class DraftRequest(Schema):
    key: str = Field(
        min_length=1,
        max_length=500,
        pattern=r"^[^\x00-\x1f\x7f]+$",
        description="`key` of a group from GET /api/admin/gaps",
    )
    from_: dt.date | None = Field(default=None, alias="from")
    to: dt.date | None = None
    low_confidence: float = Field(default=0.3, ge=0.0, le=1.0, alias="lowConfidence")


class DraftRead(Schema):
    draft: FaqEntryWrite
    gap: GapRead
    missing: list[str] = Field(description="Fields to fill in before POST /api/admin/faqs accepts the draft")


class DayRead(Schema):
    day: dt.date | None = Field(serialization_alias="date")
    conversations: int
    turns: int
    resolved: int
    resolution_rate: float | None = Field(serialization_alias="resolutionRate")
    handoffs: int
    handoff_rate: float | None = Field(serialization_alias="handoffRate")
    thumbs_up: int = Field(serialization_alias="thumbsUp")
    thumbs_down: int = Field(serialization_alias="thumbsDown")
    feedback_ratio: float | None = Field(serialization_alias="feedbackRatio")
    latency_p50_ms: float | None = Field(serialization_alias="latencyP50Ms")
    latency_p95_ms: float | None = Field(serialization_alias="latencyP95Ms")


class QuestionCount(Schema):
    question: str
    count: int


class AnalyticsRead(Schema):
    from_: dt.date = Field(serialization_alias="from")
    to: dt.date
    timezone: str
    days: list[DayRead]
    totals: DayRead
    modes: dict[str, int]
    top_questions: list[QuestionCount] = Field(serialization_alias="topQuestions")
