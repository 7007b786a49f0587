"""The hand-off's use-cases, channel-agnostic: a customer's request, cancel and call-back contact; operators'
presence, claim, reply, transfer, notes, resolve and release; the sweep that reclaims and abandons.

Each use-case is one transaction; what others should see (socket.io events, a LINE push) goes out after the
commit, through a `Publisher` for operators and web customers and a per-channel `Delivery` for the
messages a customer receives from the human side.
"""

import datetime as dt
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import orjson
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mnp_chatbot.audit.service import AuditAction, AuditEvent, AuditTrail
from mnp_chatbot.auth.models import User, UserRole
from mnp_chatbot.chat.models import ConversationStatus, Message, Role
from mnp_chatbot.core.clock import date_in_japan
from mnp_chatbot.core.logging import get_logger
from mnp_chatbot.handoff import exceptions, metrics, queue
from mnp_chatbot.handoff.models import Handoff, HandoffNote, HandoffStatus, PresenceStatus
from mnp_chatbot.handoff.policy import HandoffPolicy, InvalidPolicy
from mnp_chatbot.handoff.repository import (
    ConversationLink,
    HandoffRepository,
    NoteRepository,
    PresenceRepository,
    SettingRepository,
)
from mnp_chatbot.handoff.stats import HandoffStats, StatsRepository
from mnp_chatbot.handoff.status import (
    CANCELLED_NOTICE,
    RELEASED_NOTICE,
    RESOLVED_NOTICE,
    Availability,
    CustomerStatus,
)
from mnp_chatbot.privacy.encryption import DecryptionFailed, Encryptor

log = get_logger(__name__)
CONTACT_CONTEXT = b"handoffs.contact_ciphertext"  # the same context the GDPR export opens it with
POLICY_TTL_SECONDS = 5.0
RECENT_WAITS = 20
TRANSCRIPT_LIMIT = 200
RETURNED_TO_BOT = "returned_to_bot"
MAX_STATS_DAYS = 365


class Publisher(Protocol):
    """Live events: to every signed-in console, and to one customer's open pages."""

    async def to_operators(self, event: str, payload: dict[str, Any]) -> None: ...
    async def to_customer(self, conversation_id: uuid.UUID, event: str, payload: dict[str, Any]) -> None: ...


@dataclass(frozen=True, slots=True)
class Outbound:
    """A message to the customer from the human side: an operator's reply or a notice."""

    id: uuid.UUID
    role: str  # operator | system
    text: str
    author: str | None
    created_at: dt.datetime

    @classmethod
    def of(cls, message: Message) -> "Outbound":
        return cls(message.id, message.role, message.text, message.author, message.created_at)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "role": self.role,
            "text": self.text,
            "author": self.author,
            "createdAt": self.created_at.isoformat(),
        }


Delivery = Callable[[uuid.UUID, Outbound], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Contact:
    method: str  # phone | email
    value: str
    preferred_time: str | None = None

    def sealed(self, encryptor: Encryptor) -> bytes:
        plain = {"method": self.method, "value": self.value, "preferredTime": self.preferred_time}
        return encryptor.encrypt(orjson.dumps(plain), context=CONTACT_CONTEXT)

    @classmethod
    def opened(cls, blob: bytes, encryptor: Encryptor) -> "Contact":
        plain = orjson.loads(encryptor.decrypt(blob, context=CONTACT_CONTEXT))
        return cls(str(plain["method"]), str(plain["value"]), plain.get("preferredTime"))


@dataclass(frozen=True, slots=True)
class HandoffItem:
    handoff: Handoff
    operator: str | None
    waiting_seconds: int
    preview: str | None = None


@dataclass(frozen=True, slots=True)
class HandoffDetail:
    item: HandoffItem
    messages: Sequence[Message]
    notes: Sequence[tuple[HandoffNote, str | None]]


@dataclass(frozen=True, slots=True)
class StaffPresence:
    user: User
    status: str
    capacity: int
    active: int


@dataclass(frozen=True, slots=True)
class Change:
    """What a transition leaves to announce after its commit."""

    handoff: Handoff
    operator: str | None
    notice: Outbound | None = None


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _queue_event(change: Change) -> dict[str, Any]:
    handoff = change.handoff
    return {
        "id": str(handoff.id),
        "conversationId": str(handoff.session_id),
        "status": handoff.status,
        "reason": handoff.reason,
        "channel": handoff.channel,
        "operator": change.operator,
    }


class HandoffService:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        audit: AuditTrail,
        encryptor: Encryptor,
        defaults: HandoffPolicy,
        *,
        mask: Callable[[str], str],
        publisher: Publisher | None = None,
        clock: Callable[[], dt.datetime] = _utc_now,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.audit = audit
        self.encryptor = encryptor
        self.defaults = defaults
        self.mask = mask
        self.publisher = publisher
        self.clock = clock
        self.deliveries: dict[str, Delivery] = {}
        self._policy: tuple[float, HandoffPolicy] | None = None

    def register_delivery(self, channel: str, delivery: Delivery) -> None:
        """How operator messages and notices reach customers of `channel` (web: socket.io; LINE: push)."""
        self.deliveries[channel] = delivery

    # Settings

    async def policy(self) -> HandoffPolicy:
        """The settings in force: configuration with admins' overrides (re-read every few seconds)."""
        cached = self._policy
        if cached is not None and time.monotonic() - cached[0] < POLICY_TTL_SECONDS:
            return cached[1]
        async with self.sessionmaker() as session:
            overrides = await SettingRepository(session).all()
        try:
            policy = self.defaults.with_overrides(overrides)
        except InvalidPolicy:
            log.warning("handoff.settings.ignored", reason="stored overrides are invalid")
            policy = self.defaults
        self._policy = (time.monotonic(), policy)
        return policy

    async def update_policy(self, actor: User, values: dict[str, Any]) -> HandoffPolicy:
        current = await self.policy()
        try:
            updated = current.with_overrides(values)
        except InvalidPolicy as error:
            raise exceptions.InvalidHandoffSetting(f"設定値が正しくありません: {error}") from error
        changed = {key: value for key, value in updated.as_json().items() if current.as_json()[key] != value}
        async with self.sessionmaker.begin() as session:
            for key, value in changed.items():
                await SettingRepository(session).put(key, value, by=actor.id)
            details = {key: str(value) for key, value in changed.items()}
            await self.audit.record(
                session,
                AuditEvent(AuditAction.HANDOFF_SETTINGS_CHANGED, actor.id, "handoff_settings", None, details),
            )
        self._policy = None
        return await self.policy()

    # The customer's side (any channel)

    async def availability(self) -> Availability:
        policy = await self.policy()
        now = self.clock()
        async with self.sessionmaker() as session:
            staff = await self._staff(session, policy, now)
        online = [member for member in staff if member.status == PresenceStatus.ONLINE]
        free = sum(max(member.capacity - member.active, 0) for member in online)
        return Availability(policy.business_hours.is_open(now), len(online), free, policy.hours)

    async def request(self, conversation_id: uuid.UUID, reason: str, channel: str) -> CustomerStatus:
        """Queue the conversation for a human (once: a second request while one is open changes nothing).
        Outside business hours the request is kept as `missed`, and the customer may leave a contact."""
        availability = await self.availability()
        async with self.sessionmaker.begin() as session:
            repository = HandoffRepository(session)
            created: Handoff | None = None
            if availability.open:
                created = await repository.add_open(conversation_id, reason=reason, channel=channel)
                if created is not None:
                    await ConversationLink(session).set_status(conversation_id, ConversationStatus.QUEUED)
            elif await repository.get_open(conversation_id) is None:
                missed = Handoff(session_id=conversation_id, reason=reason, channel=channel, status="missed")
                await repository.add(missed)
            status = await self._customer_status(session, conversation_id, availability)
        metrics.REQUESTS.labels(reason=reason, channel=channel, queued=str(created is not None).lower()).inc()
        if created is not None:
            log.info("handoff.requested", handoff_id=str(created.id), reason=reason, channel=channel)
            await self._announce(Change(created, None), customer=False)
        assert status is not None
        return status

    async def status(self, conversation_id: uuid.UUID) -> CustomerStatus | None:
        """The conversation's latest hand-off as its customer sees it; None when it never had one."""
        availability = await self.availability()
        async with self.sessionmaker() as session:
            return await self._customer_status(session, conversation_id, availability)

    async def cancel(self, conversation_id: uuid.UUID) -> CustomerStatus | None:
        """The customer stops waiting; the bot answers again."""
        async with self.sessionmaker.begin() as session:
            repository = HandoffRepository(session)
            current = await repository.get_open(conversation_id)
            if current is None or current.status != HandoffStatus.WAITING:
                raise exceptions.HandoffNotWaiting()
            moved = await repository.move(
                current.id,
                from_status="waiting",
                status="abandoned",
                outcome="cancelled",
                resolved_at=self.clock(),
            )
            if moved is None:
                raise exceptions.HandoffNotWaiting()
            notice = await self._notice(session, moved, ConversationStatus.BOT, CANCELLED_NOTICE)
        metrics.ABANDONED.labels(cause="cancelled").inc()
        await self._announce(Change(moved, None, notice))
        return await self.status(conversation_id)

    async def leave_contact(
        self, conversation_id: uuid.UUID, contact: Contact, channel: str
    ) -> CustomerStatus:
        """Keep a call-back contact, sealed, on the conversation's open or missed hand-off (or a new one)."""
        async with self.sessionmaker.begin() as session:
            repository = HandoffRepository(session)
            latest = await repository.get_latest(conversation_id)
            target = (
                latest[0]
                if latest is not None and latest[0].status in ("waiting", "active", "missed")
                else None
            )
            if target is None:
                target = await repository.add(
                    Handoff(session_id=conversation_id, reason="callback", channel=channel, status="missed")
                )
            target.contact_ciphertext = contact.sealed(self.encryptor)
            target.callback_requested_at = self.clock()
            target.callback_done_at = None
            await session.flush()
        log.info("handoff.callback_requested", handoff_id=str(target.id), method=contact.method)
        if self.publisher is not None:
            await self.publisher.to_operators("handoff:callback", {"id": str(target.id)})
        status = await self.status(conversation_id)
        assert status is not None
        return status

    async def customer_message(self, conversation_id: uuid.UUID, message: Outbound) -> None:
        """A customer's message stored while a hand-off is open: live to the consoles."""
        if self.publisher is None:
            return
        async with self.sessionmaker() as session:
            current = await HandoffRepository(session).get_open(conversation_id)
        if current is not None:
            payload = {
                "handoffId": str(current.id),
                "conversationId": str(conversation_id),
                "message": message.as_json(),
            }
            await self.publisher.to_operators("handoff:message", payload)

    async def customer_typing(self, conversation_id: uuid.UUID) -> None:
        if self.publisher is None:
            return
        async with self.sessionmaker() as session:
            current = await HandoffRepository(session).get_open(conversation_id)
        if current is not None and current.status == HandoffStatus.ACTIVE:
            await self.publisher.to_operators(
                "handoff:typing", {"handoffId": str(current.id), "who": "customer"}
            )

    # Operators

    async def set_presence(self, user: User, status: str) -> StaffPresence:
        policy = await self.policy()
        async with self.sessionmaker.begin() as session:
            presence = await PresenceRepository(session).upsert(user.id, status=status)
            staff = await self._staff(session, policy, self.clock())
        log.info("handoff.presence", user_id=str(user.id), status=status)
        mine = next((member for member in staff if member.user.id == user.id), None)
        if self.publisher is not None:
            await self.publisher.to_operators("handoff:presence", {"userId": str(user.id), "status": status})
        return mine or StaffPresence(user, presence.status, presence.capacity or policy.capacity, 0)

    async def heartbeat(self, user_id: uuid.UUID) -> None:
        async with self.sessionmaker.begin() as session:
            await PresenceRepository(session).touch(user_id)

    async def staff(self) -> list[StaffPresence]:
        policy = await self.policy()
        async with self.sessionmaker() as session:
            return await self._staff(session, policy, self.clock())

    async def presence_of(self, user: User) -> StaffPresence:
        mine = next((member for member in await self.staff() if member.user.id == user.id), None)
        return mine or StaffPresence(user, PresenceStatus.OFFLINE, 0, 0)

    async def list_handoffs(self, statuses: Sequence[str], *, limit: int = 100) -> list[HandoffItem]:
        now = self.clock()
        async with self.sessionmaker() as session:
            rows = await HandoffRepository(session).list_by_status(statuses, limit=limit)
            previews = await ConversationLink(session).last_customer_texts([h.session_id for h, _ in rows])
        return [
            HandoffItem(handoff, name, _waited(handoff, now), previews.get(handoff.session_id))
            for handoff, name in rows
        ]

    async def detail(self, handoff_id: uuid.UUID) -> HandoffDetail:
        async with self.sessionmaker() as session:
            found = await HandoffRepository(session).get_with_operator(handoff_id)
            if found is None:
                raise exceptions.HandoffNotFound()
            handoff, name = found
            messages = await ConversationLink(session).transcript(handoff.session_id, limit=TRANSCRIPT_LIMIT)
            notes = await NoteRepository(session).list_for(handoff_id)
        return HandoffDetail(HandoffItem(handoff, name, _waited(handoff, self.clock())), messages, notes)

    async def claim(self, handoff_id: uuid.UUID, actor: User) -> HandoffItem:
        """Exactly one operator wins a waiting hand-off; the others get HandoffAlreadyClaimed."""
        policy = await self.policy()
        async with self.sessionmaker.begin() as session:
            repository = HandoffRepository(session)
            presence = await PresenceRepository(session).get(actor.id)
            capacity = presence.capacity if presence is not None and presence.capacity else policy.capacity
            claimed = await repository.claim(handoff_id, actor.id, capacity=capacity)
            if claimed is None:
                raise await self._why_not_claimed(repository, handoff_id)
            text = f"オペレーターの{actor.display_name}がご対応します。"
            notice = await self._notice(session, claimed, ConversationStatus.OPERATOR, text)
            await self._audit(
                session, AuditAction.HANDOFF_CLAIMED, actor, claimed, {"reason": claimed.reason}
            )
            await PresenceRepository(session).touch(actor.id)
        assert claimed.claimed_at is not None
        metrics.WAIT.observe(max((claimed.claimed_at - claimed.queued_at).total_seconds(), 0))
        metrics.PER_OPERATOR.labels(operator=str(actor.id)).inc()
        log.info("handoff.claimed", handoff_id=str(handoff_id), operator_id=str(actor.id))
        await self._announce(Change(claimed, actor.display_name, notice))
        return HandoffItem(claimed, actor.display_name, _waited(claimed, self.clock()))

    async def reply(self, handoff_id: uuid.UUID, actor: User, text: str) -> Outbound:
        """An operator's message: stored (masked) in the conversation, then delivered to the customer."""
        async with self.sessionmaker.begin() as session:
            repository = HandoffRepository(session)
            handoff = await self._held(repository, handoff_id, actor)
            message = await ConversationLink(session).add_message(
                handoff.session_id, role=Role.OPERATOR, text=self.mask(text), author=actor.display_name
            )
            first = await repository.mark_first_response(handoff_id)
            await PresenceRepository(session).touch(actor.id)
        if first is not None:
            metrics.FIRST_RESPONSE.observe(max((first - handoff.queued_at).total_seconds(), 0))
        outbound = Outbound.of(message)
        await self._deliver(handoff, outbound)
        if self.publisher is not None:
            payload = {
                "handoffId": str(handoff.id),
                "conversationId": str(handoff.session_id),
                "message": outbound.as_json(),
            }
            await self.publisher.to_operators("handoff:message", payload)
        return outbound

    async def operator_typing(self, handoff_id: uuid.UUID, operator_id: uuid.UUID, name: str) -> None:
        async with self.sessionmaker() as session:
            handoff = await HandoffRepository(session).get(handoff_id)
        if handoff is None or handoff.status != HandoffStatus.ACTIVE or handoff.operator_id != operator_id:
            return
        if self.publisher is not None:
            await self.publisher.to_customer(handoff.session_id, "chat:typing", {"author": name})

    async def resolve(
        self, handoff_id: uuid.UUID, actor: User, outcome: str, note: str | None
    ) -> HandoffItem:
        """Active → resolved; the bot answers the conversation again."""
        async with self.sessionmaker.begin() as session:
            repository = HandoffRepository(session)
            held = await self._held(repository, handoff_id, actor)
            moved = await repository.move(
                handoff_id,
                from_status="active",
                held_by=held.operator_id,
                status="resolved",
                outcome=outcome,
                resolved_at=self.clock(),
            )
            if moved is None:
                raise exceptions.HandoffNotActive()
            if note:
                await NoteRepository(session).add(
                    HandoffNote(
                        handoff_id=handoff_id, author_id=actor.id, kind="resolution", text=self.mask(note)
                    )
                )
            notice = await self._notice(session, moved, ConversationStatus.BOT, RESOLVED_NOTICE)
            await self._audit(
                session, AuditAction.HANDOFF_RESOLVED, actor, moved, {"outcome": outcome, "note": bool(note)}
            )
        metrics.RESOLVED.labels(outcome=outcome).inc()
        await self._announce(Change(moved, None, notice))
        return HandoffItem(moved, None, _waited(moved, self.clock()))

    async def release(self, handoff_id: uuid.UUID, actor: User) -> HandoffItem:
        """Active → waiting again (keeping its place in the queue)."""
        async with self.sessionmaker.begin() as session:
            repository = HandoffRepository(session)
            held = await self._held(repository, handoff_id, actor)
            moved = await repository.move(
                handoff_id,
                from_status="active",
                held_by=held.operator_id,
                status="waiting",
                operator_id=None,
                claimed_at=None,
            )
            if moved is None:
                raise exceptions.HandoffNotActive()
            notice = await self._notice(session, moved, ConversationStatus.QUEUED, RELEASED_NOTICE)
            await self._audit(session, AuditAction.HANDOFF_RELEASED, actor, moved, {"cause": "operator"})
        metrics.RELEASED.labels(cause="operator").inc()
        await self._announce(Change(moved, None, notice))
        return HandoffItem(moved, None, _waited(moved, self.clock()))

    async def transfer(self, handoff_id: uuid.UUID, actor: User, to_user_id: uuid.UUID) -> HandoffItem:
        """Hand an active conversation to another online operator."""
        target = next((m for m in await self.staff() if m.user.id == to_user_id), None)
        if target is None or target.status != PresenceStatus.ONLINE or target.active >= target.capacity:
            raise exceptions.OperatorUnavailable()
        async with self.sessionmaker.begin() as session:
            repository = HandoffRepository(session)
            held = await self._held(repository, handoff_id, actor)
            moved = await repository.move(
                handoff_id, from_status="active", held_by=held.operator_id, operator_id=to_user_id
            )
            if moved is None:
                raise exceptions.HandoffNotActive()
            text = f"担当がオペレーターの{target.user.display_name}に代わります。"
            notice = await self._notice(session, moved, ConversationStatus.OPERATOR, text)
            details = {"to": str(to_user_id), "from": str(held.operator_id)}
            await self._audit(session, AuditAction.HANDOFF_TRANSFERRED, actor, moved, details)
        await self._announce(Change(moved, target.user.display_name, notice))
        return HandoffItem(moved, target.user.display_name, _waited(moved, self.clock()))

    async def add_note(self, handoff_id: uuid.UUID, actor: User, text: str) -> tuple[HandoffNote, str]:
        """An internal note (masked); never shown to the customer."""
        async with self.sessionmaker.begin() as session:
            handoff = await HandoffRepository(session).get(handoff_id)
            if handoff is None:
                raise exceptions.HandoffNotFound()
            note = await NoteRepository(session).add(
                HandoffNote(handoff_id=handoff_id, author_id=actor.id, text=self.mask(text))
            )
            await self._audit(session, AuditAction.HANDOFF_NOTE_ADDED, actor, handoff, {"chars": len(text)})
        return note, actor.display_name

    # Call-back requests

    async def callbacks(self, *, done: bool, limit: int = 100) -> Sequence[Handoff]:
        async with self.sessionmaker() as session:
            return await HandoffRepository(session).list_callbacks(done=done, limit=limit)

    async def reveal_contact(self, handoff_id: uuid.UUID, actor: User) -> Contact:
        """The call-back contact, opened for a staff member; every view is audited."""
        async with self.sessionmaker.begin() as session:
            handoff = await HandoffRepository(session).get(handoff_id)
            if handoff is None or handoff.contact_ciphertext is None:
                raise exceptions.CallbackNotFound()
            try:
                contact = Contact.opened(handoff.contact_ciphertext, self.encryptor)
            except DecryptionFailed as error:
                log.warning("handoff.contact.undecryptable", handoff_id=str(handoff_id))
                raise exceptions.CallbackNotFound("この連絡先は現在の鍵では開けません。") from error
            await self._audit(
                session, AuditAction.HANDOFF_CONTACT_VIEWED, actor, handoff, {"method": contact.method}
            )
        return contact

    async def callback_done(self, handoff_id: uuid.UUID, actor: User) -> Handoff:
        async with self.sessionmaker.begin() as session:
            handoff = await HandoffRepository(session).get(handoff_id)
            if handoff is None or handoff.callback_requested_at is None:
                raise exceptions.CallbackNotFound()
            handoff.callback_done_at = self.clock()
            handoff.callback_done_by = actor.id
            await session.flush()
            await self._audit(session, AuditAction.HANDOFF_CALLBACK_DONE, actor, handoff, {})
        return handoff

    async def stats(self, first: dt.date | None, last: dt.date | None) -> HandoffStats:
        """The console's hand-off figures for the days asked for (default: the last 30, Japan time)."""
        today = date_in_japan(self.clock())
        last = last or today
        first = first or last - dt.timedelta(days=29)
        if first > last or (last - first).days > MAX_STATS_DAYS:
            raise exceptions.InvalidHandoffSetting(f"期間は1〜{MAX_STATS_DAYS + 1}日で指定してください。")
        async with self.sessionmaker() as session:
            return await StatsRepository(session).stats(first, last)

    # The sweep

    async def sweep(self) -> tuple[int, int]:
        """Conversations of operators unseen for the reclaim timeout go back to the queue; waits whose
        customer has been silent for the abandon timeout end. Safe on every replica at once: each move is a
        conditional UPDATE. Returns (reclaimed, abandoned)."""
        policy = await self.policy()
        now = self.clock()
        async with self.sessionmaker() as session:
            repository = HandoffRepository(session)
            stale = await repository.stale_active(
                unseen_before=now - dt.timedelta(seconds=policy.reclaim_seconds)
            )
            idle = await repository.idle_waiting(
                quiet_since=now - dt.timedelta(seconds=policy.abandon_seconds)
            )
        reclaimed = abandoned = 0
        for handoff in stale:
            async with self.sessionmaker.begin() as session:
                moved = await HandoffRepository(session).move(
                    handoff.id,
                    from_status="active",
                    held_by=handoff.operator_id,
                    status="waiting",
                    operator_id=None,
                    claimed_at=None,
                )
                notice = (
                    await self._notice(session, moved, ConversationStatus.QUEUED, RELEASED_NOTICE)
                    if moved
                    else None
                )
            if moved is not None:
                reclaimed += 1
                metrics.RELEASED.labels(cause="timeout").inc()
                await self._announce(Change(moved, None, notice))
        for handoff in idle:
            async with self.sessionmaker.begin() as session:
                moved = await HandoffRepository(session).move(
                    handoff.id, from_status="waiting", status="abandoned", outcome="timeout", resolved_at=now
                )
                if moved is not None:
                    await ConversationLink(session).set_status(moved.session_id, ConversationStatus.BOT)
            if moved is not None:
                abandoned += 1
                metrics.ABANDONED.labels(cause="timeout").inc()
                await self._announce(Change(moved, None))
        if reclaimed or abandoned:
            log.info("handoff.swept", reclaimed=reclaimed, abandoned=abandoned)
        return reclaimed, abandoned

    # Helpers

    async def _staff(
        self, session: AsyncSession, policy: HandoffPolicy, now: dt.datetime
    ) -> list[StaffPresence]:
        seen_since = now - dt.timedelta(seconds=policy.reclaim_seconds)
        rows = await PresenceRepository(session).list_staff(seen_since=seen_since)
        return [
            StaffPresence(
                user,
                presence.status if presence is not None else PresenceStatus.OFFLINE,
                (presence.capacity if presence is not None and presence.capacity else policy.capacity),
                active,
            )
            for user, presence, active in rows
        ]

    async def _customer_status(
        self, session: AsyncSession, conversation_id: uuid.UUID, availability: Availability
    ) -> CustomerStatus | None:
        repository = HandoffRepository(session)
        latest = await repository.get_latest(conversation_id)
        if latest is None:
            return None
        handoff, operator = latest
        position = estimate = None
        if handoff.status == HandoffStatus.WAITING:
            position = await repository.position(handoff)
            waits = await repository.recent_waits(limit=RECENT_WAITS)
            estimate = queue.estimated_wait_seconds(
                position, free_slots=availability.free_slots, online=availability.online, recent_waits=waits
            )
        return CustomerStatus(
            status=handoff.status,
            open=availability.open,
            operators_online=availability.online > 0,
            hours=availability.hours,
            position=position,
            estimated_wait_seconds=estimate,
            operator=operator if handoff.status == HandoffStatus.ACTIVE else None,
            callback_left=handoff.contact_ciphertext is not None,
        )

    async def _why_not_claimed(self, repository: HandoffRepository, handoff_id: uuid.UUID) -> Exception:
        current = await repository.get(handoff_id)
        if current is None:
            return exceptions.HandoffNotFound()
        if current.status == HandoffStatus.ACTIVE:
            return exceptions.HandoffAlreadyClaimed()
        if current.status == HandoffStatus.WAITING:
            return exceptions.CapacityReached()
        return exceptions.HandoffNotWaiting()

    async def _held(self, repository: HandoffRepository, handoff_id: uuid.UUID, actor: User) -> Handoff:
        """The active hand-off `actor` may act on: their own, or any for an admin."""
        handoff = await repository.get(handoff_id)
        if handoff is None:
            raise exceptions.HandoffNotFound()
        if handoff.status != HandoffStatus.ACTIVE:
            raise exceptions.HandoffNotActive()
        if handoff.operator_id != actor.id and actor.role != UserRole.ADMIN:
            raise exceptions.NotYourHandoff()
        return handoff

    async def _notice(self, session: AsyncSession, handoff: Handoff, status: str, text: str) -> Outbound:
        """Set the conversation's status and store a notice the customer sees in the history."""
        link = ConversationLink(session)
        await link.set_status(handoff.session_id, status)
        return Outbound.of(await link.add_message(handoff.session_id, role=Role.SYSTEM, text=text))

    async def _audit(
        self,
        session: AsyncSession,
        action: AuditAction,
        actor: User,
        handoff: Handoff,
        details: dict[str, Any],
    ) -> None:
        event = AuditEvent(
            action, actor.id, "handoff", str(handoff.id), {"conversation": str(handoff.session_id), **details}
        )
        await self.audit.record(session, event)

    async def _deliver(self, handoff: Handoff, outbound: Outbound) -> None:
        delivery = self.deliveries.get(handoff.channel)
        if delivery is None:
            return
        try:
            await delivery(handoff.session_id, outbound)
        except Exception as error:  # stored already; a failed push must not undo the operator's action
            log.warning(
                "handoff.delivery.failed",
                handoff_id=str(handoff.id),
                channel=handoff.channel,
                error=type(error).__name__,
            )

    async def _announce(self, change: Change, *, customer: bool = True) -> None:
        if change.notice is not None:
            await self._deliver(change.handoff, change.notice)
        async with self.sessionmaker() as session:
            metrics.QUEUE_LENGTH.set(await HandoffRepository(session).count_waiting())
        if self.publisher is None:
            return
        await self.publisher.to_operators("handoff:queue", _queue_event(change))
        if customer:
            status = await self.status(change.handoff.session_id)
            if status is not None:
                await self.publisher.to_customer(change.handoff.session_id, "chat:handoff", status.as_json())


def _waited(handoff: Handoff, now: dt.datetime) -> int:
    """Seconds the customer waited (so far, while waiting)."""
    end = (
        now if handoff.status == HandoffStatus.WAITING else (handoff.claimed_at or handoff.resolved_at or now)
    )
    return max(int((end - handoff.queued_at).total_seconds()), 0)
