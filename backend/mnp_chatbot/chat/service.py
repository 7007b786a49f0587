"""The customer-facing loop: one inbound message in, a stored turn and its reply events out."""

import asyncio
import datetime as dt
import re
import time
import uuid
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mnp_chatbot.chat import context, engine, prompting, tokens
from mnp_chatbot.chat.events import AnswerDelta, AnswerDone, AnswerStarted, ChatEvent, TurnResult
from mnp_chatbot.chat.exceptions import MessageNotFound, SessionExpired, SessionNotFound
from mnp_chatbot.chat.llm_answer import Answered, LlmAnswerer
from mnp_chatbot.chat.models import ChannelName, Conversation, ConversationStatus, Message, Role
from mnp_chatbot.chat.reply import Mode, Reply
from mnp_chatbot.chat.repository import ConversationRepository, FeedbackRepository, MessageRepository
from mnp_chatbot.chat.turn_store import DuplicateClientMessage, NewTurn, TurnStore
from mnp_chatbot.core import clock, metrics
from mnp_chatbot.core.logging import get_logger
from mnp_chatbot.faq.embeddings import DenseIndex
from mnp_chatbot.faq.index import KnowledgeIndex
from mnp_chatbot.handoff.service import Contact, HandoffService, Outbound
from mnp_chatbot.handoff.status import CustomerStatus, request_notice
from mnp_chatbot.llm.protocols import Role as Speaker
from mnp_chatbot.masking import masker

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
    create_if_missing: bool = False  # an unknown token starts a conversation (channels that name the user)


@dataclass(frozen=True, slots=True)
class Opened:
    token: str
    conversation_id: uuid.UUID | None  # None: a new session, created when the first turn is stored
    status: ConversationStatus
    operator: str | None = None


@dataclass(frozen=True, slots=True)
class History:
    conversation_id: uuid.UUID
    messages: Sequence[Message]
    handoff: CustomerStatus | None = field(default=None)
    ratings: Mapping[uuid.UUID, int] = field(default_factory=dict)  # 👍 1 / 👎 -1 by message id


@dataclass(frozen=True, slots=True)
class StoredTurn:
    masked: str
    decision: engine.Decision
    latency_ms: int


@dataclass(frozen=True, slots=True)
class ChatConfig:
    token_key: bytes
    mask_personal_data: bool = True
    session_idle: dt.timedelta = dt.timedelta(days=7)  # SESSION_IDLE_TIMEOUT_HOURS


def chunks(text: str) -> list[str]:
    """A curated answer streamed sentence by sentence."""
    return [part for part in SENTENCE_END.split(text) if part]


class ChatService:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        turns: TurnStore,
        index: KnowledgeIndex,
        config: ChatConfig,
        *,
        today: Callable[[], dt.date] = clock.today_jst,
        llm: LlmAnswerer | None = None,
        dense: DenseIndex | None = None,
        handoffs: HandoffService | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.turns = turns
        self.index = index
        self.config = config
        self.today = today
        self.llm = llm
        self.dense = dense
        self.handoffs = handoffs

    def mask(self, text: str) -> str:
        return masker.mask_pii(text).text if self.config.mask_personal_data else text

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
        if opened.status is ConversationStatus.OPERATOR and opened.conversation_id is not None:
            yield AnswerDone(await self._to_operator(inbound, opened, opened.conversation_id))
            return
        yield AnswerStarted(opened.token)
        masked = self.mask(inbound.text)
        snapshot = await self.index.fresh()
        history = asyncio.create_task(self._recent_turns(opened.conversation_id)) if self.llm else None
        try:
            dense = await self.dense.rank(masked) if self.dense is not None else None
        except BaseException:
            if history is not None:
                history.cancel()
            raise
        decision = engine.decide(inbound.text, masked, known, snapshot, today=self.today(), dense=dense)
        if decision.reply.handoff and self.handoffs is not None:
            notice = request_notice(await self.handoffs.availability())
            decision = replace(
                decision, reply=replace(decision.reply, text=_with_notice(decision.reply, notice))
            )
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
        mode = decision.reply.mode.value
        metrics.CHAT_REPLIES.labels(mode=mode, channel=inbound.channel.value).inc()
        metrics.CHAT_LATENCY.labels(mode=mode).observe(time.perf_counter() - started)
        yield AnswerDone(await self._with_handoff(result, inbound, opened, masked))

    async def _with_handoff(
        self, result: TurnResult, inbound: Inbound, opened: Opened, masked: str
    ) -> TurnResult:
        """The turn's result with the hand-off it asked for (queued now) or waits in."""
        if self.handoffs is None or result.conversation_id is None or result.reply is None:
            return result
        if result.reply.handoff:
            reason = result.reply.handoff_reason or "requested"
            status = await self.handoffs.request(result.conversation_id, reason, inbound.channel.value)
            return replace(result, handoff=status)
        if opened.status is ConversationStatus.QUEUED:
            now = dt.datetime.now(dt.UTC)
            await self.handoffs.customer_message(
                result.conversation_id, Outbound(uuid.uuid4(), Role.USER, masked, None, now)
            )
            return replace(result, handoff=await self.handoffs.status(result.conversation_id))
        return result

    async def _to_operator(self, inbound: Inbound, opened: Opened, conversation_id: uuid.UUID) -> TurnResult:
        """While an operator holds the conversation: store the message (masked) and pass it on; no reply."""
        masked = self.mask(inbound.text)
        try:
            message_id, at = await self.turns.store_customer_message(
                conversation_id, masked, inbound.client_message_id
            )
        except DuplicateClientMessage:
            _, stored = await self._open(inbound)  # a concurrent retry stored it first
            if not isinstance(stored, TurnResult):
                raise
            return stored
        if self.handoffs is not None:
            await self.handoffs.customer_message(
                conversation_id, Outbound(message_id, Role.USER, masked, None, at)
            )
        metrics.CHAT_REPLIES.labels(mode="operator", channel=inbound.channel.value).inc()
        log.info("chat.turn.to_operator", conversation_id=str(conversation_id))
        return TurnResult(opened.token, str(message_id), None, conversation_id, _held_by(opened.operator))

    async def _open(self, inbound: Inbound) -> tuple[Opened, engine.Conversation | TurnResult]:
        """Who the session is and what it knows, or the stored result of a retried message."""
        if inbound.session_token is None:
            return Opened(tokens.new_token(), None, ConversationStatus.BOT), engine.Conversation(
                context.Slots(), None
            )
        found = await self.turns.open(self._hash(inbound.session_token), inbound.client_message_id)
        if found is None and inbound.create_if_missing:
            return Opened(inbound.session_token, None, ConversationStatus.BOT), engine.Conversation(
                context.Slots(), None
            )
        if found is None:
            raise SessionNotFound()
        if not inbound.create_if_missing:  # a channel's own identity (LINE) is not a bearer token
            self._check_idle(found.last_message_at)
        status = ConversationStatus(found.status)
        opened = Opened(inbound.session_token, found.id, status, found.operator)
        if found.answered is not None and found.answered_id is not None:
            return opened, TurnResult(inbound.session_token, str(found.answered_id), found.answered, found.id)
        if found.asked_id is not None:  # stored earlier for an operator, who gave no bot reply
            held = _held_by(found.operator) if status is ConversationStatus.OPERATOR else None
            return opened, TurnResult(inbound.session_token, str(found.asked_id), None, found.id, held)
        return opened, engine.load_state(found.slots)

    async def _conversation(self, session: AsyncSession, token: str) -> Conversation:
        found = await ConversationRepository(session).get_by_token_hash(self._hash(token))
        if found is None:
            raise SessionNotFound()
        self._check_idle(found.last_message_at)
        return found

    def _check_idle(self, last_message_at: dt.datetime) -> None:
        """An idle session's token no longer opens it: the client starts a new conversation."""
        now = dt.datetime.now(dt.UTC)
        if tokens.is_idle(last_message_at, now=now, idle=self.config.session_idle):
            raise SessionExpired()

    def _hash(self, token: str) -> str:
        return tokens.token_hash(token, self.config.token_key)

    async def _store(self, inbound: Inbound, opened: Opened, turn: StoredTurn) -> TurnResult:
        reply = turn.decision.reply
        new = opened.conversation_id is None
        new_turn = NewTurn(
            conversation_id=opened.conversation_id or uuid.uuid4(),
            is_new_conversation=new,
            token_hash=self._hash(opened.token) if new else None,
            channel=inbound.channel.value,
            slots=turn.decision.state(),
            asked_text=turn.masked,
            client_message_id=inbound.client_message_id,
            reply=reply,
            latency_ms=turn.latency_ms,
            prompt_version=_prompt_version(reply),
        )
        try:
            answered_id = await self.turns.store(new_turn)
        except DuplicateClientMessage:
            _, stored = await self._open(inbound)  # a concurrent retry stored the turn first
            if not isinstance(stored, TurnResult):
                raise
            return stored
        log.info(
            "chat.turn.stored",
            conversation_id=str(new_turn.conversation_id),
            mode=reply.mode.value,
            confidence=round(reply.confidence, 3),
            latency_ms=turn.latency_ms,
            sources=len(reply.sources),
        )
        return TurnResult(opened.token, str(answered_id), reply, new_turn.conversation_id)

    async def _recent_turns(self, conversation_id: uuid.UUID | None) -> list[prompting.Turn]:
        """The last few messages of the conversation (already masked), for the model's context."""
        if conversation_id is None:
            return []
        recent = await self.turns.recent(conversation_id, LLM_HISTORY)
        return [prompting.Turn(SPOKEN[role], text) for role, text in recent if role in SPOKEN]

    async def history(self, token: str) -> History:
        async with self.sessionmaker() as session:
            conversation = await self._conversation(session, token)
            messages = await MessageRepository(session).list_for_session(conversation.id, limit=HISTORY_LIMIT)
            ratings = await FeedbackRepository(session).ratings_for([m.id for m in messages])
        status = await self.handoffs.status(conversation.id) if self.handoffs is not None else None
        return History(conversation.id, messages, status, ratings)

    async def conversation_id(self, token: str) -> uuid.UUID:
        async with self.sessionmaker() as session:
            return (await self._conversation(session, token)).id

    async def handoff_status(self, token: str) -> CustomerStatus | None:
        return await self._handoffs().status(await self.conversation_id(token))

    async def cancel_handoff(self, token: str) -> CustomerStatus | None:
        return await self._handoffs().cancel(await self.conversation_id(token))

    async def leave_contact(self, token: str, contact: Contact) -> CustomerStatus:
        async with self.sessionmaker() as session:
            conversation = await self._conversation(session, token)
        return await self._handoffs().leave_contact(conversation.id, contact, conversation.channel)

    async def typing(self, token: str) -> None:
        await self._handoffs().customer_typing(await self.conversation_id(token))

    def _handoffs(self) -> HandoffService:
        if self.handoffs is None:
            raise RuntimeError("the hand-off service is not configured")
        return self.handoffs

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


def _held_by(operator: str | None) -> CustomerStatus:
    """The status of a conversation an operator holds (known from the turn's one query)."""
    return CustomerStatus(status="active", open=True, operators_online=True, hours="", operator=operator)


def _with_notice(reply: Reply, notice: str) -> str:
    """A hand-off reply's text: what the engine said, except its own promise of a human, then the honest
    notice of who can take the conversation."""
    if reply.mode is Mode.HANDOFF:
        return notice
    kept = "".join(
        part for part in chunks(reply.text) if "オペレーター" not in part and "おつなぎ" not in part
    )
    return kept + notice


def _prompt_version(reply: Reply) -> str | None:
    version = reply.extra.get("prompt_version")
    return str(version) if version is not None else None
