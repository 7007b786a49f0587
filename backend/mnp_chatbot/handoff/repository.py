"""SQL of the hand-off: the queue, the one conditional UPDATE that decides a claim, presence and notes."""

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from mnp_chatbot.auth.models import User
from mnp_chatbot.chat.models import Conversation, Message
from mnp_chatbot.handoff.models import (
    OPEN_PREDICATE,
    OPEN_STATUSES,
    Handoff,
    HandoffNote,
    HandoffSetting,
    HandoffStatus,
    OperatorPresence,
    PresenceStatus,
)

STAFF_ROLES = ("admin", "operator")
Operator = aliased(User)


class HandoffRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, handoff_id: uuid.UUID) -> Handoff | None:
        return await self.session.get(Handoff, handoff_id)

    async def get_with_operator(self, handoff_id: uuid.UUID) -> tuple[Handoff, str | None] | None:
        stmt = (
            select(Handoff, Operator.display_name)
            .outerjoin(Operator, Operator.id == Handoff.operator_id)
            .where(Handoff.id == handoff_id)
        )
        row = (await self.session.execute(stmt)).first()
        return None if row is None else (row[0], row[1])

    async def get_open(self, conversation_id: uuid.UUID) -> Handoff | None:
        stmt = select(Handoff).where(Handoff.session_id == conversation_id, Handoff.status.in_(OPEN_STATUSES))
        return await self.session.scalar(stmt)

    async def get_latest(self, conversation_id: uuid.UUID) -> tuple[Handoff, str | None] | None:
        stmt = (
            select(Handoff, Operator.display_name)
            .outerjoin(Operator, Operator.id == Handoff.operator_id)
            .where(Handoff.session_id == conversation_id)
            .order_by(Handoff.created_at.desc(), Handoff.id.desc())
            .limit(1)
        )
        row = (await self.session.execute(stmt)).first()
        return None if row is None else (row[0], row[1])

    async def add_open(self, conversation_id: uuid.UUID, *, reason: str, channel: str) -> Handoff | None:
        """A new waiting hand-off, or None when the conversation already has an open one."""
        stmt = (
            insert(Handoff)
            .values(session_id=conversation_id, reason=reason, channel=channel, status=HandoffStatus.WAITING)
            .on_conflict_do_nothing(
                index_elements=[Handoff.session_id],
                index_where=OPEN_PREDICATE,
            )
            .returning(Handoff)
        )
        return (await self.session.scalars(stmt)).one_or_none()

    async def add(self, handoff: Handoff) -> Handoff:
        self.session.add(handoff)
        await self.session.flush()
        return handoff

    async def claim(self, handoff_id: uuid.UUID, operator_id: uuid.UUID, *, capacity: int) -> Handoff | None:
        """Waiting → active for this operator, in one conditional UPDATE: of two claims at once, exactly one
        matches the row (the other sees it no longer waiting once the first commits). None: not claimed."""
        holding = (
            select(func.count())
            .select_from(Handoff)
            .where(Handoff.operator_id == operator_id, Handoff.status == HandoffStatus.ACTIVE)
            .scalar_subquery()
        )
        stmt = (
            update(Handoff)
            .where(Handoff.id == handoff_id, Handoff.status == HandoffStatus.WAITING, holding < capacity)
            .values(status=HandoffStatus.ACTIVE, operator_id=operator_id, claimed_at=func.now())
            .returning(Handoff)
            .execution_options(synchronize_session=False, populate_existing=True)
        )
        return (await self.session.scalars(stmt)).one_or_none()

    async def move(
        self, handoff_id: uuid.UUID, *, from_status: str, held_by: uuid.UUID | None = None, **values: Any
    ) -> Handoff | None:
        """A conditional transition: applied only while the hand-off is still in `from_status` (and held by
        `held_by`, when given)."""
        conditions = [Handoff.id == handoff_id, Handoff.status == from_status]
        if held_by is not None:
            conditions.append(Handoff.operator_id == held_by)
        stmt = (
            update(Handoff)
            .where(*conditions)
            .values(**values)
            .returning(Handoff)
            .execution_options(synchronize_session=False, populate_existing=True)
        )
        return (await self.session.scalars(stmt)).one_or_none()

    async def mark_first_response(self, handoff_id: uuid.UUID) -> dt.datetime | None:
        stmt = (
            update(Handoff)
            .where(Handoff.id == handoff_id, Handoff.first_response_at.is_(None))
            .values(first_response_at=func.now())
            .returning(Handoff.first_response_at)
            .execution_options(synchronize_session=False, populate_existing=True)
        )
        return await self.session.scalar(stmt)

    async def list_by_status(
        self, statuses: Sequence[str], *, limit: int
    ) -> Sequence[tuple[Handoff, str | None]]:
        newest_first = not set(statuses) <= {HandoffStatus.WAITING.value}
        order = (Handoff.queued_at.desc(),) if newest_first else (Handoff.queued_at, Handoff.id)
        stmt = (
            select(Handoff, Operator.display_name)
            .outerjoin(Operator, Operator.id == Handoff.operator_id)
            .where(Handoff.status.in_(statuses))
            .order_by(*order)
            .limit(limit)
        )
        return [(handoff, name) for handoff, name in (await self.session.execute(stmt)).all()]

    async def position(self, handoff: Handoff) -> int:
        """1 for the next waiting hand-off."""
        stmt = select(func.count()).where(
            Handoff.status == HandoffStatus.WAITING,
            or_(
                Handoff.queued_at < handoff.queued_at,
                and_(Handoff.queued_at == handoff.queued_at, Handoff.id <= handoff.id),
            ),
        )
        return int(await self.session.scalar(stmt) or 1)

    async def count_waiting(self) -> int:
        return int(
            await self.session.scalar(select(func.count()).where(Handoff.status == HandoffStatus.WAITING))
            or 0
        )

    async def recent_waits(self, *, limit: int) -> list[float]:
        """Seconds from queueing to claim of the latest claimed hand-offs."""
        wait = func.extract("epoch", Handoff.claimed_at - Handoff.queued_at)
        stmt = (
            select(wait)
            .where(Handoff.claimed_at.is_not(None))
            .order_by(Handoff.claimed_at.desc())
            .limit(limit)
        )
        return [float(value) for value in (await self.session.scalars(stmt)).all() if value is not None]

    async def stale_active(self, *, unseen_before: dt.datetime) -> Sequence[Handoff]:
        """Active hand-offs whose operator has not been seen since `unseen_before` (or is not online)."""
        seen = (
            select(OperatorPresence.user_id)
            .where(
                OperatorPresence.last_seen_at >= unseen_before,
                OperatorPresence.status != PresenceStatus.OFFLINE,
            )
            .scalar_subquery()
        )
        stmt = select(Handoff).where(
            Handoff.status == HandoffStatus.ACTIVE,
            or_(Handoff.operator_id.is_(None), Handoff.operator_id.not_in(seen)),
            Handoff.claimed_at < unseen_before,
        )
        return (await self.session.scalars(stmt)).all()

    async def idle_waiting(self, *, quiet_since: dt.datetime) -> Sequence[Handoff]:
        """Waiting hand-offs whose customer has written nothing since `quiet_since`."""
        stmt = (
            select(Handoff)
            .join(Conversation, Conversation.id == Handoff.session_id)
            .where(
                Handoff.status == HandoffStatus.WAITING,
                Handoff.queued_at < quiet_since,
                Conversation.last_message_at < quiet_since,
            )
        )
        return (await self.session.scalars(stmt)).all()

    async def list_callbacks(self, *, done: bool, limit: int) -> Sequence[Handoff]:
        done_filter = Handoff.callback_done_at.is_not(None) if done else Handoff.callback_done_at.is_(None)
        stmt = (
            select(Handoff)
            .where(Handoff.callback_requested_at.is_not(None), done_filter)
            .order_by(Handoff.callback_requested_at.desc())
            .limit(limit)
        )
        return (await self.session.scalars(stmt)).all()


class ConversationLink:
    """The conversation side of a hand-off: its status, transcript and the operator's messages."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, conversation_id: uuid.UUID) -> Conversation | None:
        return await self.session.get(Conversation, conversation_id)

    async def set_status(self, conversation_id: uuid.UUID, status: str) -> None:
        stmt = (
            update(Conversation)
            .where(Conversation.id == conversation_id)
            .values(status=status, updated_at=func.now())
            .execution_options(synchronize_session=False, populate_existing=True)
        )
        await self.session.execute(stmt)

    async def add_message(
        self, conversation_id: uuid.UUID, *, role: str, text: str, author: str | None = None
    ) -> Message:
        message = Message(session_id=conversation_id, role=role, text=text, author=author)
        self.session.add(message)
        await self.session.flush()
        await self.session.refresh(message)
        await self.session.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id)
            .values(last_message_at=func.now(), updated_at=func.now())
            .execution_options(synchronize_session=False, populate_existing=True)
        )
        return message

    async def transcript(self, conversation_id: uuid.UUID, *, limit: int) -> Sequence[Message]:
        stmt = (
            select(Message)
            .where(Message.session_id == conversation_id)
            .order_by(Message.created_at.desc(), Message.role.desc())
            .limit(limit)
        )
        return list(reversed((await self.session.scalars(stmt)).all()))

    async def last_customer_texts(self, conversation_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
        latest = (
            select(Message.session_id, Message.text)
            .where(Message.session_id.in_(conversation_ids), Message.role == "user")
            .order_by(Message.session_id, Message.created_at.desc())
            .distinct(Message.session_id)
        )
        return dict((await self.session.execute(latest)).all())


class NoteRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, note: HandoffNote) -> HandoffNote:
        self.session.add(note)
        await self.session.flush()
        await self.session.refresh(note)
        return note

    async def list_for(self, handoff_id: uuid.UUID) -> Sequence[tuple[HandoffNote, str | None]]:
        stmt = (
            select(HandoffNote, User.display_name)
            .outerjoin(User, User.id == HandoffNote.author_id)
            .where(HandoffNote.handoff_id == handoff_id)
            .order_by(HandoffNote.created_at)
        )
        return [(note, name) for note, name in (await self.session.execute(stmt)).all()]


class PresenceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def upsert(self, user_id: uuid.UUID, *, status: str) -> OperatorPresence:
        stmt = (
            insert(OperatorPresence)
            .values(user_id=user_id, status=status)
            .on_conflict_do_update(
                index_elements=[OperatorPresence.user_id],
                set_={"status": status, "last_seen_at": func.now(), "updated_at": func.now()},
            )
            .returning(OperatorPresence)
        )
        return (await self.session.scalars(stmt)).one()

    async def get(self, user_id: uuid.UUID) -> OperatorPresence | None:
        return await self.session.get(OperatorPresence, user_id)

    async def touch(self, user_id: uuid.UUID) -> None:
        stmt = (
            update(OperatorPresence)
            .where(OperatorPresence.user_id == user_id)
            .values(last_seen_at=func.now())
            .execution_options(synchronize_session=False, populate_existing=True)
        )
        await self.session.execute(stmt)

    async def list_staff(
        self, *, seen_since: dt.datetime
    ) -> Sequence[tuple[User, OperatorPresence | None, int]]:
        """Every active staff user with their presence (offline when unseen since `seen_since`) and the
        number of conversations they hold."""
        holding = (
            select(Handoff.operator_id, func.count().label("active"))
            .where(Handoff.status == HandoffStatus.ACTIVE)
            .group_by(Handoff.operator_id)
            .subquery()
        )
        stmt = (
            select(User, OperatorPresence, func.coalesce(holding.c.active, 0))
            .outerjoin(OperatorPresence, OperatorPresence.user_id == User.id)
            .outerjoin(holding, holding.c.operator_id == User.id)
            .where(User.is_active, User.role.in_(STAFF_ROLES))
            .order_by(User.display_name)
        )
        rows = (await self.session.execute(stmt)).all()
        return [
            (
                user,
                presence if presence is not None and presence.last_seen_at >= seen_since else None,
                int(active),
            )
            for user, presence, active in rows
        ]


class SettingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def all(self) -> dict[str, Any]:
        return {row.key: row.value for row in (await self.session.scalars(select(HandoffSetting))).all()}

    async def put(self, key: str, value: Any, *, by: uuid.UUID | None) -> None:
        stmt = (
            insert(HandoffSetting)
            .values(key=key, value=value, updated_by=by)
            .on_conflict_do_update(
                index_elements=[HandoffSetting.key],
                set_={"value": value, "updated_by": by, "updated_at": func.now()},
            )
        )
        await self.session.execute(stmt)
