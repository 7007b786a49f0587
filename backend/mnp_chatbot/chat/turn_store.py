"""Where a chat turn is read and written: one query to open a session, one statement to store a turn.

This is the customer-facing hot path, so it does not go through the ORM. A turn touches a fixed set of
rows (the conversation, the customer's message, the reply and perhaps a hand-off), so it is written as one
statement of data-modifying CTEs, sent on the asyncpg connection under one of the engine's pooled connections
(core/db.py's DriverConnections) and prepared once per connection: one round trip, atomic like any single
statement, and no per-row Python objects. History pages, feedback and the console use the same pool through
SQLAlchemy.

Ids are made here, so a statement re-sent after a lost connection either stores the turn or finds it
already stored (its primary key taken), never twice.
"""

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import asyncpg
import orjson

from mnp_chatbot.chat.reply import Mode, Reply, SourceRef, source_dicts
from mnp_chatbot.core import db

T = TypeVar("T")
CLIENT_MESSAGE_CONSTRAINT = "uq_messages_session_client_message"
PRIMARY_KEYS = frozenset({"pk_conversations", "pk_messages"})

OPEN_SQL = """
SELECT c.id, c.status, c.slots, c.last_message_at, a.id AS asked_id, u.display_name AS operator,
       r.id AS reply_id, r.text, r.mode, r.confidence, r.sources, r.quick_replies, r.handoff
FROM conversations AS c
LEFT JOIN messages AS a ON a.session_id = c.id AND a.client_message_id = $2
LEFT JOIN messages AS r ON r.reply_to_id = a.id AND r.role = 'assistant'
LEFT JOIN handoffs AS h ON h.session_id = c.id AND h.status = 'active'
LEFT JOIN users AS u ON u.id = h.operator_id
WHERE c.token_hash = $1
LIMIT 1
"""

RECENT_SQL = """
SELECT role, text FROM (
    SELECT role, text, created_at FROM messages WHERE session_id = $1
    ORDER BY created_at DESC, role DESC LIMIT $2
) AS recent
ORDER BY created_at, role
"""

# $1 conversation id, $2 slots; then the two messages. The new-session form adds $17 token hash and
# $18 channel. A conversation's status belongs to the hand-off (handoff/service.py): a turn never sets it.
_TURN_SQL = """
WITH conversation AS ({conversation}),
asked AS (
    INSERT INTO messages (id, session_id, role, text, client_message_id, created_at)
    VALUES ($3, $1, 'user', $4, $5, $6)
)
INSERT INTO messages (id, session_id, role, text, mode, sources, quick_replies, confidence,
                      latency_ms, handoff, prompt_version, created_at, reply_to_id)
VALUES ($7, $1, 'assistant', $8, $9, $10::jsonb, $11::jsonb, $12, $13, $14, $15, $16, $3)
"""
NEW_TURN_SQL = _TURN_SQL.format(
    conversation="INSERT INTO conversations (id, status, slots, token_hash, channel) "
    "VALUES ($1, 'bot', $2::jsonb, $17, $18)"
)
NEXT_TURN_SQL = _TURN_SQL.format(
    conversation="UPDATE conversations SET slots = $2::jsonb, last_message_at = now(), "
    "updated_at = now() WHERE id = $1"
)
# A customer's message while an operator holds the conversation: stored alone, the bot does not answer.
# $1 conversation id, $2 message id, $3 text, $4 clientMessageId.
CUSTOMER_MESSAGE_SQL = """
WITH conversation AS (
    UPDATE conversations SET last_message_at = now(), updated_at = now() WHERE id = $1
)
INSERT INTO messages (id, session_id, role, text, client_message_id, created_at)
VALUES ($2, $1, 'user', $3, $4, now())
RETURNING created_at
"""


class DuplicateClientMessage(Exception):
    """Another request stored a turn with the same clientMessageId first."""


@dataclass(frozen=True, slots=True)
class OpenedConversation:
    id: uuid.UUID
    status: str
    slots: dict[str, Any]
    last_message_at: dt.datetime
    answered_id: uuid.UUID | None  # the stored reply to the same clientMessageId, if any
    answered: Reply | None
    asked_id: uuid.UUID | None = None  # the stored message with the same clientMessageId, if any
    operator: str | None = None  # the display name of the operator holding the conversation


@dataclass(frozen=True, slots=True)
class NewTurn:
    conversation_id: uuid.UUID
    is_new_conversation: bool
    token_hash: str | None  # the session token's keyed hash; only a new conversation stores it
    channel: str
    slots: dict[str, Any]
    asked_text: str
    client_message_id: str | None
    reply: Reply
    latency_ms: int
    prompt_version: str | None


class TurnStore:
    def __init__(self, pool: db.DriverConnections) -> None:
        self.pool = pool

    async def open(self, token_hash: str, client_message_id: str | None) -> OpenedConversation | None:
        row = await self._run(
            lambda connection, _: connection.fetchrow(OPEN_SQL, token_hash, client_message_id)
        )
        if row is None:
            return None
        answered = None if row["reply_id"] is None else _reply_of(row)
        slots = row["slots"]  # the engine decodes json and jsonb
        return OpenedConversation(
            row["id"],
            row["status"],
            slots,
            row["last_message_at"],
            row["reply_id"],
            answered,
            row["asked_id"],
            row["operator"],
        )

    async def recent(self, conversation_id: uuid.UUID, limit: int) -> list[tuple[str, str]]:
        """The last `limit` messages of a conversation, oldest first, as (role, text)."""
        rows = await self._run(lambda connection, _: connection.fetch(RECENT_SQL, conversation_id, limit))
        return [(row["role"], row["text"]) for row in rows]

    async def store(self, turn: NewTurn) -> uuid.UUID:
        """Store both messages and the conversation; returns the reply's id."""
        asked_id, answered_id = uuid.uuid4(), uuid.uuid4()
        reply = turn.reply
        answered_at = dt.datetime.now(dt.UTC)
        # The customer's message arrived when the turn began; the reply is stored now, at least 1 ms later.
        asked_at = answered_at - dt.timedelta(milliseconds=max(turn.latency_ms, 1))
        arguments: list[Any] = [
            turn.conversation_id,
            _json(turn.slots),
            asked_id,
            turn.asked_text,
            turn.client_message_id,
            asked_at,
            answered_id,
            reply.text,
            reply.mode.value,
            _json(source_dicts(reply.sources)),
            _json(list(reply.quick_replies)),
            reply.confidence,
            turn.latency_ms,
            reply.handoff,
            turn.prompt_version,
            answered_at,
        ]
        sql = NEXT_TURN_SQL
        if turn.is_new_conversation:
            sql = NEW_TURN_SQL
            arguments += [turn.token_hash, turn.channel]

        async def execute(connection: asyncpg.Connection, attempt: int) -> None:
            try:
                await connection.execute(sql, *arguments)
            except asyncpg.UniqueViolationError as error:
                # On a re-send, a taken key of our own rows (any key of a new session's) means the first
                # attempt landed before its connection broke.
                if attempt > 1 and (turn.is_new_conversation or error.constraint_name in PRIMARY_KEYS):
                    return
                if error.constraint_name == CLIENT_MESSAGE_CONSTRAINT:
                    raise DuplicateClientMessage() from error
                raise

        await self._run(execute)
        return answered_id

    async def store_customer_message(
        self, conversation_id: uuid.UUID, text: str, client_message_id: str | None
    ) -> tuple[uuid.UUID, dt.datetime]:
        """Store a message the bot does not answer (an operator holds the conversation); its id and time."""
        message_id = uuid.uuid4()

        async def execute(connection: asyncpg.Connection, attempt: int) -> dt.datetime:
            try:
                stored: dt.datetime = await connection.fetchval(
                    CUSTOMER_MESSAGE_SQL, conversation_id, message_id, text, client_message_id
                )
                return stored
            except asyncpg.UniqueViolationError as error:
                if attempt > 1 and error.constraint_name in PRIMARY_KEYS:
                    return dt.datetime.now(dt.UTC)
                if error.constraint_name == CLIENT_MESSAGE_CONSTRAINT:
                    raise DuplicateClientMessage() from error
                raise

        return message_id, await self._run(execute)

    async def _run(self, work: Callable[[asyncpg.Connection, int], Awaitable[T]]) -> T:
        """Run `work` on a pooled connection; if the connection broke under it (the server restarted or ended
        it), it is discarded and the work is tried once more on a fresh one."""
        for attempt in (1, 2):
            try:
                async with self.pool.acquire() as connection:  # waits at most the engine's pool_timeout
                    return await work(connection, attempt)
            except db.BROKEN_CONNECTION:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def _json(value: object) -> str:
    return orjson.dumps(value).decode()


def _reply_of(row: asyncpg.Record) -> Reply:
    return Reply(
        text=row["text"],
        mode=Mode(row["mode"] or Mode.FAQ),
        confidence=row["confidence"] or 0.0,
        sources=tuple(SourceRef(**source) for source in row["sources"]),
        quick_replies=tuple(row["quick_replies"]),
        handoff=row["handoff"],
    )
