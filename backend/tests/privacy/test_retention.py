"""DATA_RETENTION_DAYS: the batched purge, its idempotence, the advisory lock and the CLI
(security.md test 22)."""

import asyncio
import datetime as dt
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from mnp_chatbot.audit.models import AuditLog
from mnp_chatbot.audit.service import AuditTrail
from mnp_chatbot.auth.models import AuthSession, User
from mnp_chatbot.channels.models import ChannelEvent
from mnp_chatbot.chat.models import Conversation, Message
from mnp_chatbot.handoff.models import Handoff
from mnp_chatbot.privacy import retention

NOW = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)
AGES = {
    "young": dt.timedelta(days=29, hours=23),
    "just_over": dt.timedelta(days=30, minutes=1),
    "old": dt.timedelta(days=45),
}


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def db(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def seed(db: async_sessionmaker[AsyncSession], now: dt.datetime = NOW) -> dict[str, uuid.UUID]:
    """For each age: a conversation last active then (with a message and a hand-off), a message of that age
    in a conversation active now, a webhook event and an ended console sign-in."""
    ids: dict[str, uuid.UUID] = {}
    async with db.begin() as session:
        user = User(
            email=f"{uuid.uuid4().hex[:8]}@example.jp", display_name="担当", password_hash="x", role="viewer"
        )
        live = Conversation(
            token_hash=uuid.uuid4().hex, channel="web", status="bot", slots={}, last_message_at=now
        )
        session.add_all([user, live])
        await session.flush()
        ids["live"] = live.id
        for name, age in AGES.items():
            at = now - age
            old = Conversation(
                token_hash=uuid.uuid4().hex, channel="web", status="bot", slots={}, last_message_at=at
            )
            session.add(old)
            await session.flush()
            ids[name] = old.id
            session.add_all(
                [
                    Message(session_id=old.id, role="user", text=f"{name} 会話", created_at=at),
                    Message(session_id=live.id, role="user", text=f"{name} 古い発言", created_at=at),
                    Handoff(session_id=live.id, reason="requested", status="resolved", created_at=at),
                    ChannelEvent(
                        channel="line",
                        event_id=f"{name}-{uuid.uuid4()}",
                        event_type="message",
                        payload={},
                        received_at=at,
                    ),
                    AuthSession(user_id=user.id, created_at=at - dt.timedelta(days=1), expires_at=at),
                ]
            )
        session.add(Message(session_id=live.id, role="user", text="今日の発言", created_at=now))
    return ids


async def count(db: async_sessionmaker[AsyncSession], model: type[object], *where: object) -> int:
    async with db() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)  # type: ignore[arg-type]


class TestPurge:
    async def test_only_data_older_than_the_limit_goes_and_a_rerun_deletes_nothing(
        self, db: async_sessionmaker[AsyncSession]
    ) -> None:
        ids = await seed(db)
        report = await retention.purge(db, AuditTrail(enabled=True), now=NOW, days=30, batch_size=1)
        assert report.deleted == {
            "conversations": 2,
            "messages": 2,
            "handoffs": 2,
            "channel_events": 2,
            "auth_sessions": 2,
            "audit_client_addresses": 0,  # the seeded audit entries are from today
        }
        assert report.batches > 5
        remaining = await _conversation_ids(db)
        assert remaining == {ids["live"], ids["young"]}
        assert await count(db, Message, Message.created_at < NOW - dt.timedelta(days=30)) == 0
        assert await count(db, Message, Message.session_id == ids["live"]) == 2
        assert await count(db, Handoff) == 1
        assert await count(db, ChannelEvent) == 1
        assert await count(db, AuthSession) == 1
        again = await retention.purge(db, AuditTrail(enabled=True), now=NOW, days=30, batch_size=1)
        assert again.total == 0
        assert await count(db, AuditLog, AuditLog.action == "retention.purged") == 1

    @pytest.mark.parametrize(("days", "kept"), [(60, 3), (30, 1), (1, 0)])
    async def test_the_limit_is_the_setting(
        self, db: async_sessionmaker[AsyncSession], days: int, kept: int
    ) -> None:
        ids = await seed(db)
        await retention.purge(db, AuditTrail(enabled=True), now=NOW, days=days)
        remaining = await _conversation_ids(db)
        assert len(remaining - {ids["live"]}) == kept


async def _conversation_ids(db: async_sessionmaker[AsyncSession]) -> set[uuid.UUID]:
    async with db() as session:
        return set((await session.scalars(select(Conversation.id))).all())


class TestSchedule:
    async def test_a_replica_skips_while_another_holds_the_lock(
        self, engine: AsyncEngine, db: async_sessionmaker[AsyncSession]
    ) -> None:
        await seed(db, now=dt.datetime.now(dt.UTC))
        schedule = retention.RetentionSchedule(engine, db, AuditTrail(enabled=True), days=30, interval=3600)
        async with engine.connect() as other_replica:
            await other_replica.execute(text(f"SELECT pg_advisory_lock({retention.ADVISORY_LOCK_KEY})"))
            assert await schedule.run_once() is None
            assert len(await _conversation_ids(db)) == 4
            await other_replica.execute(text(f"SELECT pg_advisory_unlock({retention.ADVISORY_LOCK_KEY})"))
        report = await schedule.run_once()
        assert report is not None
        assert report.deleted["conversations"] == 2

    async def test_the_schedule_runs_in_the_background_and_stops(
        self, engine: AsyncEngine, db: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        await seed(db, now=dt.datetime.now(dt.UTC))
        monkeypatch.setattr(retention, "FIRST_RUN_DELAY_SECONDS", 0.0)
        schedule = retention.RetentionSchedule(engine, db, AuditTrail(enabled=True), days=30, interval=0.05)
        schedule.start()
        try:
            for _ in range(100):
                if len(await _conversation_ids(db)) == 2:
                    break
                await asyncio.sleep(0.05)
        finally:
            await schedule.stop()
        assert len(await _conversation_ids(db)) == 2


def test_cli_purge_deletes_old_conversations(database_url: str, tmp_path: Path) -> None:
    async def prepare() -> None:
        engine = create_async_engine(database_url)
        await seed(async_sessionmaker(engine, expire_on_commit=False), now=dt.datetime.now(dt.UTC))
        await engine.dispose()

    asyncio.run(prepare())
    env = {"DATABASE_URL": database_url, "NODE_ENV": "test", "LOG_LEVEL": "warning", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "mnp_chatbot", "purge", "--days", "30", "--batch-size", "1"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "conversations=2" in result.stdout
