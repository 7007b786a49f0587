"""The chat hot path's storage: one statement per turn, atomic, and robust to lost connections."""

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest

from mnp_chatbot.chat.reply import Mode, Reply, SourceRef
from mnp_chatbot.chat.turn_store import DuplicateClientMessage, NewTurn, TurnStore
from mnp_chatbot.core import db
from tests.fixtures.database import admin_execute

APPLICATION = "mnp-chatbot"


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[db.DriverConnections]:
    engine = db.create_engine(database_url, db.PoolSettings(2, 4))
    yield db.DriverConnections(engine)
    await engine.dispose()


def turn(conversation_id: uuid.UUID, *, new: bool, **changes: Any) -> NewTurn:
    reply = Reply(
        text="MNP転出手数料は無料です。",
        mode=Mode.FAQ,
        confidence=0.8,
        sources=(SourceRef("fee-1", "手数料は？", "https://example.jp/fee", "2026-10-01", True),),
        quick_replies=("手続きの流れ", "オペレーターに相談"),
    )
    values: dict[str, Any] = {
        "conversation_id": conversation_id,
        "is_new_conversation": new,
        "token_hash": "h" * 64,
        "channel": "web",
        "slots": {"chat": {"current": "docomo"}},
        "asked_text": "手数料は？",
        "client_message_id": None,
        "reply": reply,
        "latency_ms": 3,
        "prompt_version": None,
        **changes,
    }
    return NewTurn(**values)


async def rows(pool: db.DriverConnections, sql: str, *args: object) -> list[asyncpg.Record]:
    return list(await pool.fetch(sql, *args))


class TestStore:
    async def test_a_new_session_is_stored_with_both_messages(self, pool: db.DriverConnections) -> None:
        store = TurnStore(pool)
        conversation_id = uuid.uuid4()
        answered_id = await store.store(turn(conversation_id, new=True))

        messages = await rows(
            pool, "SELECT id, role, text, reply_to_id, sources FROM messages ORDER BY created_at"
        )
        assert [m["role"] for m in messages] == ["user", "assistant"]
        assert messages[1]["id"] == answered_id
        assert messages[1]["reply_to_id"] == messages[0]["id"]
        opened = await store.open("h" * 64, None)
        assert opened is not None
        assert (opened.id, opened.status, opened.slots) == (
            conversation_id,
            "bot",
            {"chat": {"current": "docomo"}},
        )
        assert opened.answered is None
        assert await rows(pool, "SELECT 1 FROM handoffs") == []

    async def test_a_later_turn_updates_the_slots_but_never_the_status(
        self, pool: db.DriverConnections
    ) -> None:
        store = TurnStore(pool)
        conversation_id = uuid.uuid4()
        await store.store(turn(conversation_id, new=True))
        await pool.execute("UPDATE conversations SET status = 'operator' WHERE id = $1", conversation_id)
        handoff = Reply(
            text="担当者におつなぎします。", mode=Mode.HANDOFF, handoff=True, handoff_reason="complaint"
        )
        await store.store(turn(conversation_id, new=False, slots={"chat": {}}, reply=handoff))

        opened = await store.open("h" * 64, None)
        assert opened is not None
        assert (opened.status, opened.slots) == ("operator", {"chat": {}})
        assert await rows(pool, "SELECT 1 FROM handoffs") == []  # the hand-off service queues it
        assert len(await rows(pool, "SELECT 1 FROM messages")) == 4

    async def test_a_message_for_the_operator_is_stored_alone_and_found_again(
        self, pool: db.DriverConnections
    ) -> None:
        store = TurnStore(pool)
        conversation_id = uuid.uuid4()
        await store.store(turn(conversation_id, new=True))
        message_id, _ = await store.store_customer_message(conversation_id, "まだですか", "m-9")
        with pytest.raises(DuplicateClientMessage):
            await store.store_customer_message(conversation_id, "まだですか", "m-9")

        opened = await store.open("h" * 64, "m-9")
        assert opened is not None
        assert (opened.asked_id, opened.answered) == (message_id, None)
        assert len(await rows(pool, "SELECT 1 FROM messages")) == 3

    async def test_the_same_client_message_twice_stores_nothing_the_second_time(
        self, pool: db.DriverConnections
    ) -> None:
        store = TurnStore(pool)
        conversation_id = uuid.uuid4()
        answered_id = await store.store(turn(conversation_id, new=True, client_message_id="m-1"))
        with pytest.raises(DuplicateClientMessage):
            await store.store(
                turn(conversation_id, new=False, client_message_id="m-1", slots={"changed": True})
            )

        opened = await store.open("h" * 64, "m-1")
        assert opened is not None
        assert opened.slots == {"chat": {"current": "docomo"}}  # the failed statement changed nothing
        assert opened.answered_id == answered_id
        assert opened.answered is not None
        assert opened.answered.text == "MNP転出手数料は無料です。"
        assert opened.answered.sources[0].faq_id == "fee-1"
        assert opened.answered.quick_replies == ("手続きの流れ", "オペレーターに相談")
        assert len(await rows(pool, "SELECT 1 FROM messages")) == 2

    async def test_unknown_session_is_none(self, pool: db.DriverConnections) -> None:
        assert await TurnStore(pool).open("x" * 64, None) is None

    async def test_recent_gives_the_last_messages_oldest_first(self, pool: db.DriverConnections) -> None:
        store = TurnStore(pool)
        conversation_id = uuid.uuid4()
        await store.store(turn(conversation_id, new=True, asked_text="一つ目"))
        await asyncio.sleep(0.02)  # the next message comes after the reply
        await store.store(turn(conversation_id, new=False, asked_text="二つ目"))
        recent = await store.recent(conversation_id, 3)
        assert recent == [
            ("assistant", "MNP転出手数料は無料です。"),
            ("user", "二つ目"),
            ("assistant", "MNP転出手数料は無料です。"),
        ]

    async def test_connections_killed_by_the_server_are_replaced(
        self, pool: db.DriverConnections, server_url: str, database_url: str
    ) -> None:
        store = TurnStore(pool)
        conversation_id = uuid.uuid4()
        await store.store(turn(conversation_id, new=True))
        database = database_url.rsplit("/", 1)[1].split("?")[0]
        await admin_execute(
            server_url,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE application_name = '{APPLICATION}' AND datname = '{database}'",
        )  # no pause: the next statement may be sent before the pool notices, and is then retried
        await store.store(turn(conversation_id, new=False))
        assert await store.open("h" * 64, None) is not None
        assert len(await rows(pool, "SELECT 1 FROM messages")) == 4

    @pytest.mark.parametrize("new", [True, False])
    async def test_a_re_sent_turn_whose_first_attempt_landed_is_stored_once(
        self, pool: db.DriverConnections, new: bool
    ) -> None:
        store = TurnStore(pool)
        conversation_id = uuid.uuid4()
        if not new:
            await store.store(turn(conversation_id, new=True))
        flaky = TurnStore(LosesTheFirstAnswer(pool))
        answered_id = await flaky.store(turn(conversation_id, new=new, client_message_id="m-9"))

        opened = await store.open("h" * 64, "m-9")
        assert opened is not None
        assert opened.answered_id == answered_id
        assert len(await rows(pool, "SELECT 1 FROM messages")) == (2 if new else 4)


class LosesTheFirstAnswer(db.DriverConnections):
    """Connections whose first runs the statement, then breaks before the result comes back."""

    def __init__(self, pool: db.DriverConnections) -> None:
        super().__init__(pool.engine)
        self.pool = pool
        self.broken = False

    @contextlib.asynccontextmanager
    async def acquire(self) -> AsyncIterator[Any]:
        if not self.broken:
            yield self
            return
        async with self.pool.acquire() as connection:
            yield connection

    async def execute(self, sql: str, *arguments: object) -> str:
        self.broken = True
        async with self.pool.acquire() as connection:
            await connection.execute(sql, *arguments)
        raise asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation")


async def test_concurrent_retries_of_one_message_store_one_turn(
    client: httpx.AsyncClient, database_url: str
) -> None:
    first = (await client.post("/api/chat", json={"message": "こんにちは"})).json()
    body = {"message": "MNPの手数料は？", "sessionId": first["sessionId"], "clientMessageId": "same"}
    replies = await asyncio.gather(*(client.post("/api/chat", json=body) for _ in range(4)))
    assert {reply.status_code for reply in replies} == {200}
    assert len({reply.json()["messageId"] for reply in replies}) == 1
    connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        assert await connection.fetchval("SELECT count(*) FROM messages") == 4
    finally:
        await connection.close()
