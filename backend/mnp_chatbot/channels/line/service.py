"""The LINE channel: webhook events in (queued durably, once each), the same chat engine, answers out.

webhook ─ accept(): drop stale and foreign events, seal each event, INSERT … ON CONFLICT DO NOTHING
worker ── handle(): one event, by kind ─┬─ message/text, postback ─→ ChatService (masking, storage)
                                        ├─ other messages, follow ─→ a fixed reply
                                        ├─ unfollow ───────────────→ stop pushing to the customer
                                        ├─ unsend ─────────────────→ erase the message everywhere
                                        └─ join (group, room) ─────→ a polite refusal
"""

import asyncio
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import orjson
from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mnp_chatbot.channels.line import delivery, formatting, texts
from mnp_chatbot.channels.line.client import LineClient
from mnp_chatbot.channels.line.repository import ContactRepository, EventIntake, EventQueue, QueuedEvent
from mnp_chatbot.channels.line.schemas import LineEvent, WebhookBody
from mnp_chatbot.chat import schemas as chat_schemas
from mnp_chatbot.chat import tokens
from mnp_chatbot.chat.composer import NAVIGATOR_LABEL
from mnp_chatbot.chat.exceptions import SessionExpired
from mnp_chatbot.chat.models import ChannelName
from mnp_chatbot.chat.service import ChatService, Inbound
from mnp_chatbot.core.logging import get_logger
from mnp_chatbot.handoff.service import Outbound
from mnp_chatbot.privacy import service as data_rights
from mnp_chatbot.privacy.encryption import Encryptor
from mnp_chatbot.privacy.exceptions import DataRightsDisabled, UnknownSession

log = get_logger(__name__)
SEALED_EVENT = b"channel_events.sealed"
CONTACT = b"channel_contacts.address_ciphertext"
LOADING_SECONDS = 20

EVENTS = Counter(
    "line_events_total", "LINE webhook events, by kind and what became of them.", ["kind", "outcome"]
)


@dataclass(frozen=True, slots=True)
class LineConfig:
    token_key: bytes
    channel_secret: bytes = b""  # LINE_CHANNEL_SECRET: the webhook's signature key
    bot_user_id: str | None = None
    max_event_age_ms: int = 24 * 3600 * 1000
    loading_delay: float = 1.0  # seconds an answer may take before the loading animation is shown


def line_token(user_id: str) -> str:
    """The conversation key of a LINE user; only its keyed hash is stored (as the session token's)."""
    return f"line:{user_id}"


def epoch_ms() -> int:
    return time.time_ns() // 1_000_000


class LineChannel:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        intake: EventIntake,
        client: LineClient,
        chat: ChatService,
        encryptor: Encryptor,
        config: LineConfig,
        *,
        rights: data_rights.DataRightsService | None = None,
        clock: Callable[[], int] = epoch_ms,
        on_enqueued: Callable[[], None] = lambda: None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.intake = intake
        self.client = client
        self.chat = chat
        self.encryptor = encryptor
        self.config = config
        self.rights = rights
        self.clock = clock
        self.on_enqueued = on_enqueued

    async def accept(self, body: WebhookBody) -> int:
        """Record the body's events durably (once each); returns how many were new."""
        if self.config.bot_user_id and body.destination != self.config.bot_user_id:
            log.warning("line.webhook.foreign_destination", events=len(body.events))
            return 0
        rows = [row for row in (self._row(raw) for raw in body.events) if row is not None]
        added = await self.intake.add(rows)
        if added:
            self.on_enqueued()
        return added

    def _row(self, raw: dict[str, Any]) -> dict[str, Any] | None:
        try:
            event = LineEvent.model_validate(raw)
        except ValueError:
            EVENTS.labels(kind="invalid", outcome="dropped").inc()
            log.warning("line.event.invalid")
            return None
        if self.clock() - event.timestamp > self.config.max_event_age_ms:
            EVENTS.labels(kind=event.kind, outcome="stale").inc()
            log.warning("line.event.stale", event_id=event.webhook_event_id, timestamp=event.timestamp)
            return None
        sender = event.source.chat_id if event.source else None
        return {
            "event_id": event.webhook_event_id,
            "event_type": event.type,
            "payload": event.summary(),
            "sender_hash": self._hash(line_token(sender)) if sender else None,
            "sealed": self.encryptor.encrypt(orjson.dumps(raw), context=SEALED_EVENT),
        }

    def _hash(self, token: str) -> str:
        return tokens.token_hash(token, self.config.token_key)

    async def handle(self, queued: QueuedEvent) -> str:
        """Process one queued event; returns its outcome. Raises to have it retried later."""
        if queued.sealed is None:
            return "erased"
        event = LineEvent.model_validate(
            orjson.loads(self.encryptor.decrypt(queued.sealed, context=SEALED_EVENT))
        )
        outcome = await self._dispatch(event, queued)
        EVENTS.labels(kind=event.kind, outcome=outcome).inc()
        return outcome

    async def _dispatch(self, event: LineEvent, queued: QueuedEvent) -> str:
        if event.mode != "active":
            return "standby"
        source = event.source
        if event.type == "join":
            return await self._send(event, queued, formatting.texts(texts.GROUP_DECLINED))
        if source is None or not source.is_user or source.user_id is None:
            return "not_one_to_one"
        user_id = source.user_id
        if event.kind == "message/text" and event.message is not None:
            return await self._on_text(
                event, queued, user_id, event.message.text or "", f"line-{event.message.id}"
            )
        if event.type == "message":
            kind = event.message.type if event.message else ""
            notice = texts.NOT_TEXT.get(kind, texts.NOT_TEXT_DEFAULT) + texts.TEXT_ONLY
            return await self._send(event, queued, formatting.texts(notice, options=texts.STARTERS))
        if event.type == "follow":
            await self._remember(user_id, known_only=True)
            return await self._send(event, queued, formatting.texts(texts.GREETING, options=texts.STARTERS))
        if event.type == "unfollow":
            return await self._unfollow(user_id)
        if event.type == "postback" and event.postback is not None:
            return await self._on_postback(event, queued, user_id, event.postback.data)
        if event.type == "unsend" and event.unsend is not None:
            return await self._unsend(user_id, event.unsend.message_id)
        log.info("line.event.ignored", kind=event.kind)
        return "ignored"

    async def _on_text(
        self, event: LineEvent, queued: QueuedEvent, user_id: str, raw: str, client_id: str
    ) -> str:
        command = raw.strip()
        if command in texts.DELETE_COMMANDS:
            return await self._send(event, queued, _confirm_delete())
        if command in texts.EXPORT_COMMANDS:
            return await self._send(event, queued, await self._export(user_id))
        try:
            text = chat_schemas.clean_message(raw)
        except ValueError:
            notice = texts.TOO_LONG if len(raw) > chat_schemas.MAX_MESSAGE_CHARS else texts.UNREADABLE
            return await self._send(event, queued, formatting.texts(notice))
        inbound = Inbound(text, line_token(user_id), client_id, ChannelName.LINE, create_if_missing=True)
        answer = asyncio.ensure_future(self.chat.reply(inbound))
        try:
            done, _ = await asyncio.wait({answer}, timeout=self.config.loading_delay)
            if not done:
                await self.client.show_loading(user_id, seconds=LOADING_SECONDS)
            result = await answer
        finally:
            answer.cancel()  # when this handling is cancelled (shutdown), so is the answer
        await self._remember(user_id)
        if result.reply is None:  # an operator holds the conversation: the message went to them
            return "to_operator"
        return await self._send(event, queued, formatting.messages_for(result.reply))

    async def _on_postback(self, event: LineEvent, queued: QueuedEvent, user_id: str, data: str) -> str:
        fields = {key: values[0] for key, values in parse_qs(data).items() if values}
        action = fields.get("action")
        if action == "delete-data":
            if fields.get("confirm") != "yes":
                return await self._send(event, queued, formatting.texts(texts.NOT_DELETED))
            return await self._send(event, queued, formatting.texts(await self._delete(user_id)))
        text = fields.get("text") or (NAVIGATOR_LABEL if action == "navigator" else "")
        if not text:
            log.info("line.postback.unknown")
            return "ignored"
        return await self._on_text(event, queued, user_id, text, f"line-pb-{event.webhook_event_id}"[:64])

    async def _send(self, event: LineEvent, queued: QueuedEvent, messages: Sequence[dict[str, Any]]) -> str:
        attempt = delivery.Attempt(event, queued.outcome, self.clock())

        async def mark_replying() -> None:
            async with self.sessionmaker.begin() as session:
                await EventQueue(session).mark(queued.id, delivery.REPLYING)

        return await delivery.send(self.client, attempt, messages, mark_replying=mark_replying)

    async def _conversation_id(self, session: AsyncSession, user_id: str) -> uuid.UUID | None:
        return await ContactRepository(session).conversation_id(self._hash(line_token(user_id)))

    async def _remember(self, user_id: str, *, known_only: bool = False) -> None:
        """Keep how to reach the customer (encrypted) for later pushes, and that they follow the bot."""
        address = self.encryptor.encrypt_text(user_id, context=CONTACT)
        async with self.sessionmaker.begin() as session:
            conversation_id = await self._conversation_id(session, user_id)
            if conversation_id is not None:
                await ContactRepository(session).remember(conversation_id, address)
            elif not known_only:
                log.warning("line.contact.no_conversation")

    async def _unfollow(self, user_id: str) -> str:
        async with self.sessionmaker.begin() as session:
            conversation_id = await self._conversation_id(session, user_id)
            if conversation_id is not None:
                await ContactRepository(session).unfollow(conversation_id)
        return "unfollowed"

    async def _unsend(self, user_id: str, message_id: str) -> str:
        async with self.sessionmaker.begin() as session:
            await EventQueue(session).forget_message(message_id)
            conversation_id = await self._conversation_id(session, user_id)
            erased = 0
            if conversation_id is not None:
                erased = await ContactRepository(session).erase_message(conversation_id, f"line-{message_id}")
        log.info("line.message.unsent", erased=erased)
        return "erased" if erased else "nothing_to_erase"

    async def _delete(self, user_id: str) -> str:
        if self.rights is None:
            return texts.DATA_RIGHTS_OFF
        try:
            await self.rights.delete(line_token(user_id))
        except UnknownSession:
            return texts.NOTHING_STORED
        except DataRightsDisabled:
            return texts.DATA_RIGHTS_OFF
        return texts.DELETED

    async def _export(self, user_id: str) -> list[dict[str, Any]]:
        if self.rights is None:
            return formatting.texts(texts.DATA_RIGHTS_OFF)
        try:
            document = await self.rights.export(line_token(user_id))
        except (UnknownSession, SessionExpired):
            return formatting.texts(texts.NOTHING_STORED)
        except DataRightsDisabled:
            return formatting.texts(texts.DATA_RIGHTS_OFF)
        lines = [f"{texts.SPEAKERS.get(m['role'], m['role'])}：{m['text']}" for m in document["messages"]]
        header = texts.EXPORT_HEADER.format(count=len(lines))
        parts = formatting.split_text("\n".join(lines)) if lines else []
        return formatting.texts(header, *parts[: formatting.MAX_MESSAGES - 1])

    async def deliver(self, conversation_id: uuid.UUID, outbound: Outbound) -> None:
        """The hand-off's delivery for LINE: an operator's message (with their name) or a notice, by push;
        the message id is the retry key, so a retried push is shown once."""
        text = f"{outbound.author}：{outbound.text}" if outbound.author else outbound.text
        outcome = await self.push_to_conversation(conversation_id, text, key=str(outbound.id))
        log.info("line.handoff.delivered", outcome=outcome)

    async def push_to_conversation(self, conversation_id: uuid.UUID, text: str, *, key: str) -> str:
        """An operator's message to a LINE customer, by push; nothing is sent after an unfollow."""
        async with self.sessionmaker() as session:
            contact = await ContactRepository(session).get(conversation_id)
        if contact is None:
            return "no_contact"
        if contact.unfollowed_at is not None:
            return "unfollowed"
        user_id = self.encryptor.decrypt_text(contact.address_ciphertext, context=CONTACT)
        return await delivery.push(self.client, user_id, formatting.texts(text), key=key)


def _confirm_delete() -> list[dict[str, Any]]:
    items = [
        {
            "type": "action",
            "action": {
                "type": "postback",
                "label": label,
                "data": f"action=delete-data&confirm={answer}",
                "displayText": label,
            },
        }
        for label, answer in ((texts.DELETE_YES, "yes"), (texts.DELETE_NO, "no"))
    ]
    return [{"type": "text", "text": texts.DELETE_CONFIRM, "quickReply": {"items": items}}]
