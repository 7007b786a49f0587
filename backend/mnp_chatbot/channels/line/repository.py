"""SQL of the LINE channel: the event queue (channel_events), contacts, and erasure of unsent messages."""

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import and_, delete, exists, func, literal_column, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from mnp_chatbot.channels.models import ChannelContact, ChannelEvent
from mnp_chatbot.chat.models import Conversation, Message
from mnp_chatbot.core.db import DriverConnections

CHANNEL = "line"
# The webhook's one statement (asyncpg, prepared once per connection): the ACK waits only for this commit.
ADD_SQL = """
INSERT INTO channel_events (channel, event_id, event_type, payload, sender_hash, sealed)
SELECT 'line', e.event_id, e.event_type, e.payload::jsonb, e.sender_hash, e.sealed
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bytea[])
     AS e(event_id, event_type, payload, sender_hash, sealed)
ON CONFLICT ON CONSTRAINT uq_channel_events_channel_event_id DO NOTHING
RETURNING id
"""


class EventIntake:
    """Where the webhook records events: straight through an asyncpg connection, the ACK's hot path."""

    def __init__(self, pool: DriverConnections) -> None:
        self.pool = pool

    async def add(self, rows: Sequence[dict[str, Any]]) -> int:
        """Enqueue events; an event id already known (a redelivery) is skipped. Returns how many were new."""
        if not rows:
            return 0
        columns = [
            [row["event_id"] for row in rows],
            [row["event_type"] for row in rows],
            [orjson.dumps(row["payload"]).decode() for row in rows],
            [row["sender_hash"] for row in rows],
            [row["sealed"] for row in rows],
        ]
        async with self.pool.acquire() as connection:
            return len(await connection.fetch(ADD_SQL, *columns))


@dataclass(frozen=True, slots=True)
class QueuedEvent:
    id: int
    event_id: str
    sealed: bytes | None
    attempts: int
    outcome: str | None  # a stage reached by an earlier attempt (e.g. "replying")


class EventQueue:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim(self, *, limit: int, lease: dt.timedelta) -> list[QueuedEvent]:
        """Lease up to `limit` due events, each the oldest pending one of its sender (so a sender's events
        run in order, one at a time, across replicas)."""
        earlier = aliased(ChannelEvent)
        waiting = exists().where(
            earlier.channel == ChannelEvent.channel,
            earlier.sender_hash == ChannelEvent.sender_hash,
            earlier.processed_at.is_(None),
            earlier.id < ChannelEvent.id,
        )
        now = func.now()
        due = (
            select(ChannelEvent.id)
            .where(
                ChannelEvent.channel == CHANNEL,
                ChannelEvent.processed_at.is_(None),
                ChannelEvent.available_at <= now,
                or_(ChannelEvent.locked_until.is_(None), ChannelEvent.locked_until < now),
                ~waiting,
            )
            .order_by(ChannelEvent.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        stmt = (
            update(ChannelEvent)
            .where(ChannelEvent.id.in_(due.scalar_subquery()))
            .values(locked_until=now + lease, attempts=ChannelEvent.attempts + 1)
            .returning(
                ChannelEvent.id,
                ChannelEvent.event_id,
                ChannelEvent.sealed,
                ChannelEvent.attempts,
                ChannelEvent.outcome,
            )
        )
        rows = (await self.session.execute(stmt)).all()
        return sorted((QueuedEvent(*row) for row in rows), key=lambda queued: queued.id)

    async def mark(self, event_id: int, stage: str) -> None:
        await self.session.execute(
            update(ChannelEvent).where(ChannelEvent.id == event_id).values(outcome=stage)
        )

    async def complete(self, event_id: int, outcome: str) -> None:
        """Done: the sealed event is erased, the row stays as the tombstone that dedupes redeliveries."""
        stmt = (
            update(ChannelEvent)
            .where(ChannelEvent.id == event_id)
            .values(processed_at=func.now(), sealed=None, locked_until=None, outcome=outcome)
        )
        await self.session.execute(stmt)

    async def retry_later(self, event_id: int, delay: dt.timedelta) -> None:
        stmt = (
            update(ChannelEvent)
            .where(ChannelEvent.id == event_id)
            .values(locked_until=None, available_at=func.now() + delay)
        )
        await self.session.execute(stmt)

    async def forget_message(self, message_id: str) -> None:
        """An unsent message's event keeps only its tombstone."""
        stmt = (
            update(ChannelEvent)
            .where(
                ChannelEvent.channel == CHANNEL,
                ChannelEvent.payload["messageId"].astext == message_id,
            )
            .values(sealed=None)
        )
        await self.session.execute(stmt)

    async def due(self) -> int:
        """Events waiting to be processed now (not those waiting for a retry)."""
        stmt = select(func.count()).where(
            ChannelEvent.channel == CHANNEL,
            ChannelEvent.processed_at.is_(None),
            ChannelEvent.available_at <= func.now(),
        )
        return int(await self.session.scalar(stmt) or 0)


class ContactRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def conversation_id(self, token_hash: str) -> uuid.UUID | None:
        return await self.session.scalar(select(Conversation.id).where(Conversation.token_hash == token_hash))

    async def get(self, conversation_id: uuid.UUID) -> ChannelContact | None:
        return await self.session.get(ChannelContact, conversation_id)

    async def remember(self, conversation_id: uuid.UUID, address: bytes) -> None:
        """The customer can be reached again (a message or a follow means they have not blocked the bot)."""
        stmt = insert(ChannelContact).values(
            conversation_id=conversation_id, channel=CHANNEL, address_ciphertext=address
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[ChannelContact.conversation_id],
            set_={"address_ciphertext": address, "unfollowed_at": None, "updated_at": func.now()},
        )
        await self.session.execute(stmt)
        await self.session.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id, Conversation.external_user_hash.is_(None))
            .values(external_user_hash=Conversation.token_hash)
        )

    async def unfollow(self, conversation_id: uuid.UUID) -> None:
        stmt = (
            update(ChannelContact)
            .where(ChannelContact.conversation_id == conversation_id)
            .values(unfollowed_at=func.now())
        )
        await self.session.execute(stmt)

    async def erase_message(self, conversation_id: uuid.UUID, client_message_id: str) -> int:
        """Delete the customer's message and (by cascade) the reply to it and its feedback; forget the topic
        the conversation remembered, which may quote it. Returns the messages deleted."""
        asked = select(Message.id).where(
            and_(Message.session_id == conversation_id, Message.client_message_id == client_message_id)
        )
        replies = select(func.count()).where(Message.reply_to_id.in_(asked.scalar_subquery()))
        count = int(await self.session.scalar(replies) or 0)
        stmt = delete(Message).where(Message.id.in_(asked.scalar_subquery())).returning(Message.id)
        deleted = len((await self.session.execute(stmt)).all())
        if deleted:
            await self.session.execute(
                update(Conversation)
                .where(Conversation.id == conversation_id)
                .values(slots=Conversation.slots.op("#-")(literal_column("'{chat,topic}'")))
            )
        return deleted + count if deleted else 0
