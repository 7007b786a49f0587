import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from mnp_chatbot.chat.models import Conversation, Feedback, Message


class ConversationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_by_token_hash(self, token_hash: str) -> Conversation | None:
        return await self.session.scalar(select(Conversation).where(Conversation.token_hash == token_hash))


class MessageRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, message_id: uuid.UUID) -> Message | None:
        return await self.session.get(Message, message_id)

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

    async def ratings_for(self, message_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
        """The customer's 👍 (1) / 👎 (-1) on each of `message_ids` that has one."""
        if not message_ids:
            return {}
        stmt = select(Feedback.message_id, Feedback.rating).where(Feedback.message_id.in_(message_ids))
        return {row.message_id: row.rating for row in await self.session.execute(stmt)}

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
