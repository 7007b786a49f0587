"""The customer-facing loop: one inbound message in, a stored turn and its reply events out."""

import asyncio
import datetime as dt
import re
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mnp_chatbot.chat import context, engine, prompting, tokens
from mnp_chatbot.chat.events import AnswerDelta, AnswerDone, AnswerStarted, ChatEvent, TurnResult
from mnp_chatbot.chat.exceptions import MessageNotFound, SessionNotFound
from mnp_chatbot.chat.llm_answer import Answered, LlmAnswerer
from mnp_chatbot.chat.models import ChannelName, Conversation, ConversationStatus, Message, Role
from mnp_chatbot.chat.reply import Mode, Reply, SourceRef
from mnp_chatbot.chat.repository import ConversationRepository, FeedbackRepository, MessageRepository
from mnp_chatbot.core import metrics
from mnp_chatbot.core.logging import get_logger
from mnp_chatbot.faq.embeddings import DenseIndex
from mnp_chatbot.faq.index import KnowledgeIndex
from mnp_chatbot.handoff.models import Handoff, HandoffStatus
from mnp_chatbot.llm.protocols import Role as Speaker
from mnp_chatbot.privacy import masking

log = get_logger(__name__)
SENTENCE_END = re.compile(r"(?<=[。！？\n])")
HISTORY_LIMIT = 200
LLM_HISTORY = 6  # earlier messages the model sees
SPOKEN: dict[str, Speaker] = {Role.USER: "user", Role.ASSISTANT: "assistant", Role.OPERATOR: "assistant"}


@dataclass(frozen=True, slots=True)
class Inbound:
    text: str
    session_token: str | None = None
    client_message_id: str | None = None
    channel: ChannelName = ChannelName.WEB


@dataclass(frozen=True, slots=True)
class Opened:
    token: str
    conversation_id: uuid.UUID | None  # None: a new session, created when the first turn is stored
    status: ConversationStatus


@dataclass(frozen=True, slots=True)
class StoredTurn:
    masked: str
    decision: engine.Decision
    latency_ms: int

    def rows(self, conversation_id: uuid.UUID, inbound: Inbound) -> tuple[dict[str, Any], dict[str, Any]]:
        reply = self.decision.reply
        now = dt.datetime.now(dt.UTC)
        asked = {
            "session_id": conversation_id,
            "role": Role.USER.value,
            "text": self.masked,
            "client_message_id": inbound.client_message_id,
            "created_at": now,
        }
        answered = {
            "session_id": conversation_id,
            "role": Role.ASSISTANT.value,
            "text": reply.text,
            "mode": reply.mode.value,
            "sources": source_dicts(reply.sources),
            "quick_replies": list(reply.quick_replies),
            "confidence": reply.confidence,
            "latency_ms": self.latency_ms,
            "handoff": reply.handoff,
            "prompt_version": reply.extra.get("prompt_version"),
            "created_at": now + dt.timedelta(milliseconds=max(self.latency_ms, 1)),
        }
        return asked, answered


@dataclass(frozen=True, slots=True)
class ChatConfig:
    token_key: bytes
    mask_personal_data: bool = True


def chunks(text: str) -> list[str]:
    """A curated answer streamed sentence by sentence."""
    return [part for part in SENTENCE_END.split(text) if part]


def reply_of(message: Message) -> Reply:
    sources = tuple(SourceRef(**source) for source in message.sources)
    return Reply(
        text=message.text,
        mode=Mode(message.mode or Mode.FAQ),
        confidence=message.confidence or 0.0,
        sources=sources,
        quick_replies=tuple(message.quick_replies),
        handoff=message.handoff,
    )


def source_dicts(sources: Sequence[SourceRef]) -> list[dict[str, object]]:
    return [
        {"faq_id": s.faq_id, "question": s.question, "url": s.url, "as_of": s.as_of, "verified": s.verified}
        for s in sources
    ]


class ChatService:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        index: KnowledgeIndex,
        config: ChatConfig,
        *,
        today: Callable[[], dt.date] = dt.date.today,
        llm: LlmAnswerer | None = None,
        dense: DenseIndex | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.index = index
        self.config = config
        self.today = today
        self.llm = llm
        self.dense = dense

    def mask(self, text: str) -> str:
        return masking.mask_pii(text).text if self.config.mask_personal_data else text

    async def reply(self, inbound: Inbound) -> TurnResult:
        """The whole turn at once (REST, LINE)."""
        async for event in self.stream(inbound):
            if isinstance(event, AnswerDone):
                return event.result
        raise RuntimeError("the chat stream ended without a result")

    async def stream(self, inbound: Inbound) -> AsyncIterator[ChatEvent]:
        started = time.perf_counter()
        opened, known = await self._open(inbound)
        if isinstance(known, TurnResult):
            yield AnswerDone(known)
            return
        yield AnswerStarted(opened.token)
        masked = self.mask(inbound.text)
        snapshot = self.index.snapshot
        history = asyncio.create_task(self._recent_turns(opened.conversation_id)) if self.llm else None
        try:
            dense = await self.dense.rank(masked) if self.dense is not None else None
        except BaseException:
            if history is not None:
                history.cancel()
            raise
        decision = engine.decide(inbound.text, masked, known, snapshot, today=self.today(), dense=dense)
        if self.llm is not None and history is not None and self.llm.applies(decision):
            turns = await history
            async for event in self.llm.stream(decision, masked=masked, snapshot=snapshot, history=turns):
                if isinstance(event, Answered):
                    decision = replace(decision, reply=event.reply)
                else:
                    yield event
        else:
            if history is not None:
                history.cancel()
            for part in chunks(decision.reply.text):
                yield AnswerDelta(part)
        latency_ms = int((time.perf_counter() - started) * 1000)
        result = await self._store(inbound, opened, StoredTurn(masked, decision, latency_ms))
        metrics.CHAT_REPLIES.labels(mode=result.reply.mode.value, channel=inbound.channel.value).inc()
        metrics.CHAT_LATENCY.labels(mode=result.reply.mode.value).observe(time.perf_counter() - started)
        yield AnswerDone(result)

    async def _open(self, inbound: Inbound) -> tuple[Opened, engine.Conversation | TurnResult]:
        """Who the session is and what it knows, or the stored result of a retried message."""
        if inbound.session_token is None:
            return Opened(tokens.new_token(), None, ConversationStatus.BOT), engine.Conversation(
                context.Slots(), None
            )
        async with self.sessionmaker() as session:
            conversation = await self._conversation(session, inbound.session_token)
            opened = Opened(inbound.session_token, conversation.id, ConversationStatus(conversation.status))
            if inbound.client_message_id is not None:
                stored = await MessageRepository(session).get_reply_to_client_message(
                    conversation.id, inbound.client_message_id
                )
                if stored is not None:
                    return opened, TurnResult(inbound.session_token, str(stored.id), reply_of(stored))
            return opened, engine.load_state(conversation.slots)

    async def _conversation(self, session: AsyncSession, token: str) -> Conversation:
        found = await ConversationRepository(session).get_by_token_hash(self._hash(token))
        if found is None:
            raise SessionNotFound()
        return found

    def _hash(self, token: str) -> str:
        return tokens.token_hash(token, self.config.token_key)

    async def _store(self, inbound: Inbound, opened: Opened, turn: StoredTurn) -> TurnResult:
        try:
            async with self.sessionmaker.begin() as session:
                return await self._store_turn(session, inbound, opened, turn)
        except IntegrityError:
            if inbound.client_message_id is None:
                raise
            _, stored = await self._open(inbound)  # a concurrent retry stored the turn first
            if not isinstance(stored, TurnResult):
                raise
            return stored

    async def _store_turn(
        self, session: AsyncSession, inbound: Inbound, opened: Opened, turn: StoredTurn
    ) -> TurnResult:
        reply = turn.decision.reply
        status = ConversationStatus.QUEUED if reply.handoff else opened.status
        conversations = ConversationRepository(session)
        if opened.conversation_id is None:
            conversation_id = await conversations.add(
                token_hash=self._hash(opened.token),
                channel=inbound.channel.value,
                slots=turn.decision.state(),
                status=status.value,
            )
        else:
            conversation_id = opened.conversation_id
            await conversations.save_turn_state(
                conversation_id, slots=turn.decision.state(), status=status.value
            )
        answered_id = await MessageRepository(session).add_turn(*turn.rows(conversation_id, inbound))
        if reply.handoff:
            session.add(
                Handoff(
                    session_id=conversation_id,
                    reason=reply.handoff_reason or "requested",
                    status=HandoffStatus.QUEUED.value,
                )
            )
        log.info(
            "chat.turn.stored",
            conversation_id=str(conversation_id),
            mode=reply.mode.value,
            confidence=round(reply.confidence, 3),
            latency_ms=turn.latency_ms,
            sources=len(reply.sources),
        )
        return TurnResult(opened.token, str(answered_id), reply)

    async def _recent_turns(self, conversation_id: uuid.UUID | None) -> list[prompting.Turn]:
        """The last few messages of the conversation (already masked), for the model's context."""
        if conversation_id is None:
            return []
        async with self.sessionmaker() as session:
            messages = await MessageRepository(session).list_for_session(conversation_id, limit=LLM_HISTORY)
        return [prompting.Turn(SPOKEN[m.role], m.text) for m in messages if m.role in SPOKEN]

    async def history(self, token: str) -> Sequence[Message]:
        async with self.sessionmaker() as session:
            conversation = await self._conversation(session, token)
            return await MessageRepository(session).list_for_session(conversation.id, limit=HISTORY_LIMIT)

    async def give_feedback(
        self, message_id: uuid.UUID, token: str, *, rating: int, comment: str | None
    ) -> None:
        async with self.sessionmaker.begin() as session:
            conversation = await self._conversation(session, token)
            message = await MessageRepository(session).get(message_id)
            if message is None or message.session_id != conversation.id or message.role != Role.ASSISTANT:
                raise MessageNotFound()
            await FeedbackRepository(session).upsert(
                message_id, rating=rating, comment=self.mask(comment) if comment else None
            )


def _prompt_version(reply: Reply) -> str | None:
    version = reply.extra.get("prompt_version")
    return str(version) if version is not None else None
