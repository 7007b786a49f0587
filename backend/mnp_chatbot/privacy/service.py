"""A customer's rights over their data (export as JSON, erasure), with their session token as the key, and
the re-encryption of sealed personal data under the newest key."""

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mnp_chatbot.audit.service import AuditAction, AuditEvent, AuditTrail
from mnp_chatbot.chat import tokens
from mnp_chatbot.chat.exceptions import SessionExpired
from mnp_chatbot.chat.models import Conversation, Feedback, Message
from mnp_chatbot.core.logging import get_logger
from mnp_chatbot.core.redis import Store
from mnp_chatbot.core.unavailable import is_unavailable
from mnp_chatbot.handoff.models import Handoff
from mnp_chatbot.privacy.encryption import DecryptionFailed, Encryptor
from mnp_chatbot.privacy.exceptions import DataRightsDisabled, UnknownSession
from mnp_chatbot.privacy.repository import DataRightsRepository, SealedValueRepository

log = get_logger(__name__)
EXPORT_FORMAT = "mnp-chatbot.conversation-export.v1"
HANDOFF_CONTACT = b"handoffs.contact_ciphertext"


def cache_prefixes(conversation_id: uuid.UUID, token_hash: str) -> tuple[str, ...]:
    """Where caches keep data of one conversation; anything cached per conversation must use these."""
    return (f"conversation:{conversation_id}:", f"session:{token_hash}:")


@dataclass(frozen=True, slots=True)
class DataRightsConfig:
    token_key: bytes
    enabled: bool
    session_idle: dt.timedelta | None = None  # an idle session cannot be exported (erasure stays possible)


class DataRightsService:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        config: DataRightsConfig,
        audit: AuditTrail,
        encryptor: Encryptor,
        store: Store,
        *,
        forget_live: Callable[[str], Awaitable[None]] | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.config = config
        self.audit = audit
        self.encryptor = encryptor
        self.store = store
        self.forget_live = forget_live

    async def _conversation(self, session: AsyncSession, token: str) -> Conversation:
        if not self.config.enabled:
            raise DataRightsDisabled()
        found = await DataRightsRepository(session).get_conversation(
            tokens.token_hash(token, self.config.token_key)
        )
        if found is None:
            raise UnknownSession()
        return found

    def _check_idle(self, conversation: Conversation) -> None:
        idle = self.config.session_idle
        now = dt.datetime.now(dt.UTC)
        if idle is not None and tokens.is_idle(conversation.last_message_at, now=now, idle=idle):
            raise SessionExpired()

    async def export(self, token: str) -> dict[str, Any]:
        """Everything kept about the conversation, as a JSON-ready document."""
        async with self.sessionmaker.begin() as session:
            conversation = await self._conversation(session, token)
            self._check_idle(conversation)
            repository = DataRightsRepository(session)
            messages = await repository.list_messages(conversation.id)
            handoffs = await repository.list_handoffs(conversation.id)
            details = {"messages": len(messages), "handoffs": len(handoffs)}
            event = AuditEvent(AuditAction.DATA_EXPORTED, None, "conversation", str(conversation.id), details)
            await self.audit.record(session, event)
        return {
            "format": EXPORT_FORMAT,
            "sessionId": token,
            "exportedAt": dt.datetime.now(dt.UTC).isoformat(),
            "conversation": _conversation_json(conversation),
            "messages": [_message_json(message, feedback) for message, feedback in messages],
            "handoffs": [self._handoff_json(handoff) for handoff in handoffs],
        }

    def _handoff_json(self, handoff: Handoff) -> dict[str, Any]:
        contact = None
        if handoff.contact_ciphertext is not None:
            try:
                contact = self.encryptor.decrypt_text(handoff.contact_ciphertext, context=HANDOFF_CONTACT)
            except DecryptionFailed:
                log.warning("privacy.export.undecryptable", handoff_id=str(handoff.id))
        return {
            "id": str(handoff.id),
            "reason": handoff.reason,
            "status": handoff.status,
            "contact": contact,
            "createdAt": handoff.created_at.isoformat(),
        }

    async def delete(self, token: str) -> dict[str, int]:
        """Erase the conversation, its messages, feedback, hand-offs and caches; audit without content."""
        token_hash = tokens.token_hash(token, self.config.token_key)
        async with self.sessionmaker.begin() as session:
            conversation = await self._conversation(session, token)
            repository = DataRightsRepository(session)
            counts = await repository.count_rows(conversation.id)
            await repository.delete_conversation(conversation.id)
            event = AuditEvent(
                AuditAction.DATA_DELETED, None, "conversation", str(conversation.id), dict(counts)
            )
            await self.audit.record(session, event)
        # The erasure is committed: Redis being down must not turn it into an error, since a retry would only
        # find the conversation gone. (No cache keeps a conversation's words today; `cache_prefixes` names
        # where one would have to.)
        try:
            for prefix in cache_prefixes(conversation.id, token_hash):
                await self.store.delete_prefix(prefix)
            if self.forget_live is not None:
                await self.forget_live(token)
        except Exception as error:
            if not is_unavailable(error):
                raise
            log.warning("privacy.conversation.caches_not_cleared", conversation_id=str(conversation.id))
        log.info("privacy.conversation.deleted", conversation_id=str(conversation.id), **counts)
        return counts


def _conversation_json(conversation: Conversation) -> dict[str, Any]:
    return {
        "channel": conversation.channel,
        "status": conversation.status,
        "remembered": conversation.slots,
        "createdAt": conversation.created_at.isoformat(),
        "lastMessageAt": conversation.last_message_at.isoformat(),
    }


def _message_json(message: Message, feedback: Feedback | None) -> dict[str, Any]:
    return {
        "id": str(message.id),
        "role": message.role,
        "text": message.text,
        "createdAt": message.created_at.isoformat(),
        "sources": [{"faqId": s.get("faq_id"), "question": s.get("question")} for s in message.sources],
        "feedback": None
        if feedback is None
        else {"rating": "up" if feedback.rating > 0 else "down", "comment": feedback.comment},
    }


@dataclass(frozen=True, slots=True)
class RotationReport:
    scanned: int
    rotated: int
    failed: int


async def reencrypt_contacts(
    sessionmaker: async_sessionmaker[AsyncSession], encryptor: Encryptor, *, batch_size: int = 500
) -> RotationReport:
    """Seal every hand-off contact again under the primary key, one batch per transaction."""
    scanned = rotated = failed = 0
    after: uuid.UUID | None = None
    while True:
        async with sessionmaker.begin() as session:
            repository = SealedValueRepository(session)
            batch = await repository.handoff_contacts(after=after, limit=batch_size)
            for handoff_id, blob in batch:
                try:
                    if encryptor.needs_rotation(blob):
                        await repository.set_handoff_contact(
                            handoff_id, encryptor.rotate(blob, context=HANDOFF_CONTACT)
                        )
                        rotated += 1
                except DecryptionFailed:
                    failed += 1
                    log.warning("privacy.reencrypt.undecryptable", handoff_id=str(handoff_id))
        scanned += len(batch)
        if len(batch) < batch_size:
            return RotationReport(scanned, rotated, failed)
        after = batch[-1][0]
