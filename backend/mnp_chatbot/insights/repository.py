"""Read-only SQL over conversations, messages, feedback and hand-offs for the operators' views.

Time windows are half-open [start, end) in UTC; days are grouped in Japan time (Asia/Tokyo).
"""

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, literal_column, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from mnp_chatbot.chat.models import Conversation, Feedback, Message, Role
from mnp_chatbot.core.clock import TIMEZONE
from mnp_chatbot.handoff.models import Handoff
from mnp_chatbot.insights import analytics, gaps

ANSWER_MODES = (
    "faq",
    "llm",
    "clarify",
    "no_answer",
    "out_of_scope",
)  # replies whose confidence is retrieval's
# Replies to what is not a question: small talk, the navigator's buttons, 「オペレーターと話す」.
NOT_QUESTIONS = ("smalltalk", "navigator", "handoff")
RETRIEVAL_ANSWERS = ("faq", "llm")
Window = tuple[dt.datetime, dt.datetime]


@dataclass(frozen=True, slots=True)
class ConversationFilters:
    channel: str | None = None
    status: str | None = None
    handoff: bool | None = None
    feedback: str | None = None  # "up" or "down": at least one such rating
    window: Window | None = None  # on the last message
    confidence_below: float | None = None


@dataclass(frozen=True, slots=True)
class ConversationSummary:
    id: uuid.UUID
    channel: str
    status: str
    created_at: dt.datetime
    last_message_at: dt.datetime
    turns: int
    handoff: bool
    min_confidence: float | None
    thumbs_up: int
    thumbs_down: int
    first_question: str | None = None  # the customer's first message, to recognise the conversation by


@dataclass(frozen=True, slots=True)
class TranscriptLine:
    id: uuid.UUID
    role: str
    text: str
    mode: str | None
    confidence: float | None
    sources: list[dict[str, Any]]
    quick_replies: list[str]
    handoff: bool
    latency_ms: int | None
    created_at: dt.datetime
    rating: int | None
    comment: str | None

    @property
    def feedback(self) -> dict[str, str | None] | None:
        if self.rating is None:
            return None
        return {"rating": "up" if self.rating > 0 else "down", "comment": self.comment}


def local_day(column: Any) -> ColumnElement[dt.date]:
    return func.date(func.timezone(TIMEZONE, column))


def _within(column: Any, window: Window) -> ColumnElement[bool]:
    return and_(column >= window[0], column < window[1])


def _handed_off() -> ColumnElement[bool]:
    queued = exists().where(Handoff.session_id == Conversation.id)
    flagged = exists().where(Message.session_id == Conversation.id, Message.handoff)
    return or_(queued, flagged)


def _answered_with_confidence() -> ColumnElement[bool]:
    """The bot answered (FAQ or LLM) at least once, and never answered below the gaps' low-confidence line
    nor failed to answer."""
    replies = Message.session_id == Conversation.id, Message.role == Role.ASSISTANT.value
    answered = exists().where(*replies, Message.mode.in_(RETRIEVAL_ANSWERS))
    weak = or_(
        Message.mode == "no_answer",
        and_(Message.mode.in_(RETRIEVAL_ANSWERS), Message.confidence < gaps.DEFAULT_LOW_CONFIDENCE),
    )
    return and_(answered, ~exists().where(*replies, weak))


def _disliked() -> ColumnElement[bool]:
    rated = select(Feedback.id).join(Message, Message.id == Feedback.message_id)
    return rated.where(Message.session_id == Conversation.id, Feedback.rating == -1).exists()


def _summaries(filters: ConversationFilters) -> Select[Any]:
    stats = (
        select(
            Message.session_id,
            func.count().filter(Message.role == Role.USER.value).label("turns"),
            func.min(Message.confidence)
            .filter(Message.role == Role.ASSISTANT.value, Message.mode.in_(ANSWER_MODES))
            .label("min_confidence"),
            func.count(Feedback.id).filter(Feedback.rating == 1).label("up"),
            func.count(Feedback.id).filter(Feedback.rating == -1).label("down"),
        )
        .outerjoin(Feedback, Feedback.message_id == Message.id)
        .group_by(Message.session_id)
        .subquery()
    )
    handoff = _handed_off().label("handoff")
    first_question = (
        select(Message.text)
        .where(Message.session_id == Conversation.id, Message.role == Role.USER.value)
        .order_by(Message.created_at)
        .limit(1)
        .correlate(Conversation)
        .scalar_subquery()
    )
    stmt = select(
        Conversation.id,
        Conversation.channel,
        Conversation.status,
        Conversation.created_at,
        Conversation.last_message_at,
        func.coalesce(stats.c.turns, 0),
        handoff,
        stats.c.min_confidence,
        func.coalesce(stats.c.up, 0),
        func.coalesce(stats.c.down, 0),
        first_question.label("first_question"),
    ).outerjoin(stats, stats.c.session_id == Conversation.id)
    conditions = [
        Conversation.channel == filters.channel if filters.channel else None,
        Conversation.status == filters.status if filters.status else None,
        _within(Conversation.last_message_at, filters.window) if filters.window else None,
        stats.c.min_confidence < filters.confidence_below if filters.confidence_below is not None else None,
        stats.c.up > 0 if filters.feedback == "up" else None,
        stats.c.down > 0 if filters.feedback == "down" else None,
        _handoff_condition(filters.handoff),
    ]
    return stmt.where(*(condition for condition in conditions if condition is not None))


def _handoff_condition(wanted: bool | None) -> ColumnElement[bool] | None:
    if wanted is None:
        return None
    return _handed_off() if wanted else ~_handed_off()


class InsightsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def list_conversations(
        self, filters: ConversationFilters, *, limit: int, offset: int
    ) -> tuple[list[ConversationSummary], int]:
        """A page of conversations, most recently active first, and how many match in all."""
        stmt = _summaries(filters)
        total = await self.session.scalar(select(func.count()).select_from(stmt.subquery()))
        page = stmt.order_by(Conversation.last_message_at.desc(), Conversation.id).limit(limit).offset(offset)
        rows = (await self.session.execute(page)).all()
        return [ConversationSummary(*row) for row in rows], int(total or 0)

    async def get_conversation(self, conversation_id: uuid.UUID) -> ConversationSummary | None:
        stmt = _summaries(ConversationFilters()).where(Conversation.id == conversation_id)
        row = (await self.session.execute(stmt)).first()
        return ConversationSummary(*row) if row else None

    async def list_transcript(self, conversation_id: uuid.UUID) -> list[TranscriptLine]:
        stmt = (
            select(
                Message.id,
                Message.role,
                Message.text,
                Message.mode,
                Message.confidence,
                Message.sources,
                Message.quick_replies,
                Message.handoff,
                Message.latency_ms,
                Message.created_at,
                Feedback.rating,
                Feedback.comment,
            )
            .outerjoin(Feedback, Feedback.message_id == Message.id)
            .where(Message.session_id == conversation_id)
            .order_by(Message.created_at, Message.role.desc())
        )
        return [TranscriptLine(*row) for row in (await self.session.execute(stmt)).all()]

    async def list_handoffs(self, conversation_id: uuid.UUID) -> Sequence[Handoff]:
        stmt = select(Handoff).where(Handoff.session_id == conversation_id).order_by(Handoff.created_at)
        return (await self.session.scalars(stmt)).all()

    async def list_gap_rows(self, window: Window, *, low_confidence: float, limit: int) -> list[gaps.GapRow]:
        """Replies that did not answer, answered below `low_confidence`, or got a 👎; newest first."""
        asked = aliased(Message)
        weak = or_(
            Message.mode.in_(gaps.UNANSWERED_MODES),
            and_(Message.mode.in_(gaps.ANSWERED_MODES), Message.confidence < low_confidence),
            Feedback.rating == -1,
        )
        stmt = (
            select(
                Message.id,
                Message.session_id,
                asked.text,
                Message.mode,
                Message.confidence,
                Feedback.rating,
                Message.created_at,
            )
            .join(asked, asked.id == Message.reply_to_id)
            .outerjoin(Feedback, Feedback.message_id == Message.id)
            .where(Message.role == Role.ASSISTANT.value, _within(Message.created_at, window), weak)
            .order_by(Message.created_at.desc())
            .limit(limit)
        )
        return [gaps.GapRow(*row) for row in (await self.session.execute(stmt)).all()]

    async def list_conversation_days(self, window: Window) -> list[analytics.ConversationDay]:
        day = local_day(Conversation.created_at)
        handed_off, disliked = _handed_off(), _disliked()
        stmt = (
            select(
                day,
                func.count(),
                func.count().filter(handed_off),
                func.count().filter(~handed_off, ~disliked, _answered_with_confidence()),
            )
            .where(_within(Conversation.created_at, window))
            .group_by(day)
        )
        return [analytics.ConversationDay(*row) for row in (await self.session.execute(stmt)).all()]

    async def list_reply_days(self, window: Window) -> list[analytics.ReplyDay]:
        day = local_day(Message.created_at)
        stmt = self._replies(window, day).group_by(day)
        return [analytics.ReplyDay(*row) for row in (await self.session.execute(stmt)).all()]

    async def reply_latency(self, window: Window) -> tuple[float | None, float | None]:
        """Answer latency p50 and p95 (ms) over every reply in the window."""
        row = (await self.session.execute(self._replies(window, literal_column("NULL")))).one()
        return row[4], row[5]

    def _replies(self, window: Window, day: ColumnElement[Any]) -> Select[Any]:
        latency = Message.latency_ms
        return (
            select(
                day,
                func.count(Message.id),
                func.count(Feedback.id).filter(Feedback.rating == 1),
                func.count(Feedback.id).filter(Feedback.rating == -1),
                func.percentile_cont(0.5).within_group(latency),
                func.percentile_cont(0.95).within_group(latency),
            )
            .outerjoin(Feedback, Feedback.message_id == Message.id)
            .where(Message.role == Role.ASSISTANT.value, _within(Message.created_at, window))
        )

    async def count_modes(self, window: Window) -> dict[str, int]:
        stmt = (
            select(Message.mode, func.count())
            .where(Message.role == Role.ASSISTANT.value, _within(Message.created_at, window))
            .group_by(Message.mode)
        )
        return {mode or "unknown": count for mode, count in (await self.session.execute(stmt)).all()}

    async def list_top_questions(self, window: Window, *, limit: int) -> list[tuple[str, int]]:
        """The questions asked most (ignoring width, case, spaces and punctuation), with counts."""
        reply = aliased(Message)
        key = func.lower(
            func.regexp_replace(
                func.normalize(Message.text, literal_column("NFKC")),
                r"[[:space:][:punct:]。、・「」『』（）！？]+",
                "",
                "g",
            )
        )
        stmt = (
            select(func.min(Message.text), func.count())
            .join(reply, reply.reply_to_id == Message.id)
            .where(
                Message.role == Role.USER.value,
                _within(Message.created_at, window),
                or_(reply.mode.is_(None), reply.mode.not_in(NOT_QUESTIONS)),
                key != "",
            )
            .group_by(key)
            .order_by(func.count().desc(), func.min(Message.text))
            .limit(limit)
        )
        return [(text, count) for text, count in (await self.session.execute(stmt)).all()]
