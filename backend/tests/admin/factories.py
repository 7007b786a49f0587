"""Stored conversations for the operators' views, written straight to the test database."""

import datetime as dt
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mnp_chatbot.chat.models import Conversation, Feedback, Message
from mnp_chatbot.handoff.models import Handoff

JST = dt.timezone(dt.timedelta(hours=9))


def jst(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment in November 2026, Japan time."""
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=JST)


@dataclass(frozen=True, slots=True)
class Turn:
    question: str
    mode: str = "faq"
    confidence: float = 0.6
    latency_ms: int = 100
    handoff: bool = False
    rating: int | None = None
    comment: str | None = None
    sources: tuple[dict[str, object], ...] = ()


async def add_conversation(
    db: async_sessionmaker[AsyncSession],
    started: dt.datetime,
    turns: Sequence[Turn],
    *,
    channel: str = "web",
    status: str = "bot",
    handoff_reason: str | None = None,
) -> uuid.UUID:
    """A conversation whose turns are a minute apart from `started`; a hand-off row when a reason is given."""
    async with db.begin() as session:
        conversation = Conversation(
            token_hash=secrets.token_hex(32),
            channel=channel,
            status=status,
            created_at=started,
            last_message_at=started + dt.timedelta(minutes=len(turns) - 1),
        )
        session.add(conversation)
        await session.flush()
        for number, turn in enumerate(turns):
            await _add_turn(session, conversation.id, started + dt.timedelta(minutes=number), turn)
        if handoff_reason is not None:
            session.add(Handoff(session_id=conversation.id, reason=handoff_reason, status="waiting"))
        return conversation.id


async def _add_turn(session: AsyncSession, conversation_id: uuid.UUID, at: dt.datetime, turn: Turn) -> None:
    asked = Message(session_id=conversation_id, role="user", text=turn.question, created_at=at)
    session.add(asked)
    await session.flush()
    answered = Message(
        session_id=conversation_id,
        role="assistant",
        text=f"{turn.mode} の回答",
        mode=turn.mode,
        confidence=turn.confidence,
        latency_ms=turn.latency_ms,
        handoff=turn.handoff,
        sources=list(turn.sources),
        quick_replies=[],
        reply_to_id=asked.id,
        created_at=at + dt.timedelta(milliseconds=turn.latency_ms),
    )
    session.add(answered)
    await session.flush()
    if turn.rating is not None:
        session.add(Feedback(message_id=answered.id, rating=turn.rating, comment=turn.comment))
