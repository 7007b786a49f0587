"""SQL for the data subject's rights (export, erasure), the retention purge and key rotation."""

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from mnp_chatbot.auth.models import AuthSession
from mnp_chatbot.channels.models import ChannelEvent
from mnp_chatbot.chat.models import Conversation, Feedback, Message
from mnp_chatbot.core.db import Base
from mnp_chatbot.handoff.models import Handoff


class DataRightsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_conversation(self, token_hash: str) -> Conversation | None:
        return await self.session.scalar(select(Conversation).where(Conversation.token_hash == token_hash))

    async def list_messages(self, conversation_id: uuid.UUID) -> Sequence[tuple[Message, Feedback | None]]:
        stmt = (
            select(Message, Feedback)
            .outerjoin(Feedback, Feedback.message_id == Message.id)
            .where(Message.session_id == conversation_id)
            .order_by(Message.created_at, Message.role.desc())
        )
        return [(message, feedback) for message, feedback in (await self.session.execute(stmt)).all()]

    async def list_handoffs(self, conversation_id: uuid.UUID) -> Sequence[Handoff]:
        stmt = select(Handoff).where(Handoff.session_id == conversation_id).order_by(Handoff.created_at)
        return (await self.session.scalars(stmt)).all()

    async def count_rows(self, conversation_id: uuid.UUID) -> dict[str, int]:
        messages = select(func.count()).where(Message.session_id == conversation_id)
        feedback = select(func.count(Feedback.id)).join(Message).where(Message.session_id == conversation_id)
        handoffs = select(func.count()).where(Handoff.session_id == conversation_id)
        return {
            "messages": int(await self.session.scalar(messages) or 0),
            "feedback": int(await self.session.scalar(feedback) or 0),
            "handoffs": int(await self.session.scalar(handoffs) or 0),
        }

    async def delete_conversation(self, conversation_id: uuid.UUID) -> None:
        """The conversation and, through ON DELETE CASCADE, its messages, feedback and hand-offs."""
        await self.session.execute(delete(Conversation).where(Conversation.id == conversation_id))


class RetentionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _delete_batch(
        self, table: type[Base], key: InstrumentedAttribute[Any], old: ColumnElement[bool], limit: int
    ) -> int:
        batch = select(key).where(old).limit(limit).with_for_update(skip_locked=True).scalar_subquery()
        result = await self.session.execute(delete(table).where(key.in_(batch)).returning(key))
        return len(result.all())

    async def delete_conversations(self, *, before: dt.datetime, limit: int) -> int:
        old = Conversation.last_message_at < before
        return await self._delete_batch(Conversation, Conversation.id, old, limit)

    async def delete_messages(self, *, before: dt.datetime, limit: int) -> int:
        return await self._delete_batch(Message, Message.id, Message.created_at < before, limit)

    async def delete_handoffs(self, *, before: dt.datetime, limit: int) -> int:
        return await self._delete_batch(Handoff, Handoff.id, Handoff.created_at < before, limit)

    async def delete_channel_events(self, *, before: dt.datetime, limit: int) -> int:
        return await self._delete_batch(
            ChannelEvent, ChannelEvent.id, ChannelEvent.received_at < before, limit
        )

    async def delete_auth_sessions(self, *, before: dt.datetime, limit: int) -> int:
        """Console sign-ins that expired or were revoked before `before`, with their refresh tokens."""
        ended = (AuthSession.expires_at < before) | (AuthSession.revoked_at < before)
        return await self._delete_batch(AuthSession, AuthSession.id, ended, limit)


class SealedValueRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def handoff_contacts(
        self, *, after: uuid.UUID | None, limit: int
    ) -> Sequence[tuple[uuid.UUID, bytes]]:
        stmt = select(Handoff.id, Handoff.contact_ciphertext).where(Handoff.contact_ciphertext.is_not(None))
        if after is not None:
            stmt = stmt.where(Handoff.id > after)
        stmt = stmt.order_by(Handoff.id).limit(limit).with_for_update(skip_locked=True)
        return [
            (row_id, blob) for row_id, blob in (await self.session.execute(stmt)).all() if blob is not None
        ]

    async def set_handoff_contact(self, handoff_id: uuid.UUID, blob: bytes) -> None:
        stmt = update(Handoff).where(Handoff.id == handoff_id).values(contact_ciphertext=blob)
        await self.session.execute(stmt)
