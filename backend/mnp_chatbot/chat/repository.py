import uuid
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from mnp_chatbot.chat.models import Conversation, Feedback, Message


class ConversationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_by_token_hash(self, token_hash: str) -> Conversation | None:
        return await self.session.scalar(select(Conversation).where(Conversation.token_hash == token_hash))

    async def add(self, *, token_hash: str, channel: str, slots: dict[str, Any], status: str) -> uuid.UUID:
        conversation_id = uuid.uuid4()
        values = {"id": conversation_id, "token_hash": token_hash, "channel": channel, "slots": slots}
        await self.session.execute(insert(CONVERSATIONS), {**values, "status": status})
        return conversation_id

    async def save_turn_state(
        self, conversation_id: uuid.UUID, *, slots: dict[str, Any], status: str
    ) -> None:
        stmt = (
            update(Conversation)
            .where(Conversation.id == conversation_id)
            .values(slots=slots, status=status, last_message_at=func.now(), updated_at=func.now())
        )
        await self.session.execute(stmt)


MESSAGES = cast(Table, Message.__table__)
CONVERSATIONS = cast(Table, Conversation.__table__)
# Every column a stored turn sets, so both rows of the multi-row insert have the same keys.
MESSAGE_DEFAULTS: dict[str, Any] = {
    "mode": None,
    "sources": [],
    "quick_replies": [],
    "confidence": None,
    "latency_ms": None,
    "handoff": False,
    "client_message_id": None,
    "reply_to_id": None,
    "prompt_version": None,
}


class MessageRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, message_id: uuid.UUID) -> Message | None:
        return await self.session.get(Message, message_id)

    async def add_turn(self, asked: dict[str, Any], answered: dict[str, Any]) -> uuid.UUID:
        """Store a customer message and the reply to it in one statement; returns the reply's id."""
        asked_id, answered_id = uuid.uuid4(), uuid.uuid4()
        rows = [
            {**MESSAGE_DEFAULTS, **asked, "id": asked_id},
            {**MESSAGE_DEFAULTS, **answered, "id": answered_id, "reply_to_id": asked_id},
        ]
        await self.session.execute(insert(MESSAGES), rows)
        return answered_id

    async def get_reply_to_client_message(
        self, session_id: uuid.UUID, client_message_id: str
    ) -> Message | None:
        asked = select(Message.id).where(
            Message.session_id == session_id, Message.client_message_id == client_message_id
        )
        stmt = select(Message).where(Message.reply_to_id.in_(asked.scalar_subquery()))
        return await self.session.scalar(stmt)

    async def list_for_session(self, session_id: uuid.UUID, *, limit: int) -> Sequence[Message]:
        stmt = (
            select(Message)
            .where(Message.session_id == session_id)
            .order_by(Message.created_at.desc(), Message.role.desc())
            .limit(limit)
        )
        return list(reversed((await self.session.scalars(stmt)).all()))


class FeedbackRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def upsert(self, message_id: uuid.UUID, *, rating: int, comment: str | None) -> Feedback:
        stmt = (
            insert(Feedback)
            .values(message_id=message_id, rating=rating, comment=comment)
            .on_conflict_do_update(
                index_elements=[Feedback.message_id],
                set_={"rating": rating, "comment": comment, "updated_at": func.now()},
            )
            .returning(Feedback)
        )
        feedback: Feedback = (await self.session.scalars(stmt)).one()
        return feedback
