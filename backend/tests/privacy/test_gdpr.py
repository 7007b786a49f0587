"""GDPR_COMPLIANCE: a customer exports (JSON) and deletes their conversation with its session token
(security.md tests 23, 24)."""

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from mnp_chatbot.audit.models import AuditLog
from mnp_chatbot.chat import tokens
from mnp_chatbot.chat.models import Conversation, Feedback, Message
from mnp_chatbot.core.config import DEVELOPMENT_ENCRYPTION_KEY, DEVELOPMENT_SESSION_KEY, Settings
from mnp_chatbot.handoff.models import Handoff
from mnp_chatbot.privacy.encryption import Encryptor
from mnp_chatbot.privacy.service import HANDOFF_CONTACT, cache_prefixes
from tests.fixtures.app import SettingsFactory

CONTACT = "callback 080-2468-1357"


@pytest.fixture
def settings(make_settings: SettingsFactory, redis_url: str) -> Settings:
    return make_settings(REDIS_URL=redis_url)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_async_engine(database_url)
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


async def converse(client: httpx.AsyncClient, *messages: str) -> tuple[str, list[str]]:
    token: str | None = None
    message_ids = []
    for message in messages:
        body: dict[str, Any] = {"message": message} | ({"sessionId": token} if token else {})
        response = await client.post("/api/chat", json=body)
        assert response.status_code == 200, response.text
        token = response.json()["sessionId"]
        message_ids.append(response.json()["messageId"])
    assert token is not None
    return token, message_ids


async def conversation_id(db: async_sessionmaker[AsyncSession], token: str) -> uuid.UUID:
    async with db() as session:
        found = await session.scalar(
            select(Conversation.id).where(
                Conversation.token_hash == tokens.token_hash(token, DEVELOPMENT_SESSION_KEY.encode())
            )
        )
    assert found is not None
    return found


async def add_handoff(db: async_sessionmaker[AsyncSession], conversation: uuid.UUID) -> None:
    sealed = Encryptor.from_secret(DEVELOPMENT_ENCRYPTION_KEY).encrypt_text(CONTACT, context=HANDOFF_CONTACT)
    async with db.begin() as session:
        session.add(
            Handoff(session_id=conversation, reason="requested", status="waiting", contact_ciphertext=sealed)
        )


async def rows_of(db: async_sessionmaker[AsyncSession], conversation: uuid.UUID) -> dict[str, int]:
    async with db() as session:
        return {
            "conversations": int(
                await session.scalar(select(func.count()).where(Conversation.id == conversation)) or 0
            ),
            "messages": int(
                await session.scalar(select(func.count()).where(Message.session_id == conversation)) or 0
            ),
            "feedback": int(
                await session.scalar(
                    select(func.count(Feedback.id)).join(Message).where(Message.session_id == conversation)
                )
                or 0
            ),
            "handoffs": int(
                await session.scalar(select(func.count()).where(Handoff.session_id == conversation)) or 0
            ),
        }


class TestExport:
    async def test_the_export_holds_every_message_of_the_session_and_nothing_else(
        self, client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
    ) -> None:
        mine, my_messages = await converse(
            client, "予約番号の有効期限は？", "ドコモから楽天モバイルに乗り換えたい"
        )
        theirs, _ = await converse(client, "auからpovoへの乗り換え方法")
        feedback = await client.post(
            f"/api/messages/{my_messages[0]}/feedback",
            json={"rating": "down", "comment": "わかりにくい", "sessionId": mine},
        )
        assert feedback.status_code == 201
        await add_handoff(db, await conversation_id(db, mine))
        response = await client.get(f"/api/sessions/{mine}/export")
        assert response.status_code == 200
        exported = response.json()
        assert exported["format"] == "mnp-chatbot.conversation-export.v1"
        assert exported["sessionId"] == mine
        assert (
            len(exported["messages"]) == (await rows_of(db, await conversation_id(db, mine)))["messages"] == 4
        )
        texts = [message["text"] for message in exported["messages"]]
        assert texts[0] == "予約番号の有効期限は？"
        assert "povo" not in response.text
        rated = [m for m in exported["messages"] if m["feedback"]]
        assert rated == [next(m for m in exported["messages"] if m["id"] == my_messages[0])]
        assert rated[0]["feedback"] == {"rating": "down", "comment": "わかりにくい"}
        assert exported["handoffs"][0]["contact"] == CONTACT
        assert response.headers["cache-control"] == "no-store"
        assert theirs != mine
        async with db() as session:
            audit = (await session.scalars(select(AuditLog).where(AuditLog.action == "data.exported"))).one()
        assert audit.target_id == str(await conversation_id(db, mine))
        assert "予約番号" not in str(audit.details)


class TestDelete:
    async def test_deletion_removes_messages_feedback_handoffs_and_caches_and_leaves_an_audit_record(
        self, client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession], redis_url: str
    ) -> None:
        mine, my_messages = await converse(client, "090-1357-2468に電話してほしい", "eSIMの手続き")
        theirs, _ = await converse(client, "SIMロック解除は必要？")
        await client.post(
            f"/api/messages/{my_messages[1]}/feedback", json={"rating": "up", "sessionId": mine}
        )
        my_id, their_id = await conversation_id(db, mine), await conversation_id(db, theirs)
        await add_handoff(db, my_id)
        redis = aioredis.Redis.from_url(redis_url)
        token_hash = tokens.token_hash(mine, DEVELOPMENT_SESSION_KEY.encode())
        for prefix in cache_prefixes(my_id, token_hash):
            await redis.set(prefix + "memory", b"cached", ex=600)
        await redis.set(f"conversation:{their_id}:memory", b"kept", ex=600)
        before_theirs = await rows_of(db, their_id)

        response = await client.delete(f"/api/sessions/{mine}")

        assert response.status_code == 204
        assert await rows_of(db, my_id) == {"conversations": 0, "messages": 0, "feedback": 0, "handoffs": 0}
        assert await rows_of(db, their_id) == before_theirs
        assert [key async for key in redis.scan_iter(match=f"*{my_id}*")] == []
        assert [key async for key in redis.scan_iter(match=f"*{token_hash}*")] == []
        assert await redis.get(f"conversation:{their_id}:memory") == b"kept"
        await redis.aclose()
        async with db() as session:
            audit = (await session.scalars(select(AuditLog).where(AuditLog.action == "data.deleted"))).one()
            leftovers = await session.scalar(text("SELECT count(*) FROM messages WHERE text LIKE '%1357%'"))
        assert audit.details == {"messages": 4, "feedback": 1, "handoffs": 1}
        assert audit.target_id == str(my_id)
        assert leftovers == 0
        assert (await client.get(f"/api/sessions/{mine}/messages")).status_code == 404
        again = await client.delete(f"/api/sessions/{mine}")
        assert again.status_code == 404
        assert (await client.get(f"/api/sessions/{theirs}/messages")).status_code == 200

    @pytest.mark.parametrize(
        ("token", "status"), [("A" * 43, 404), ("short", 422), ("bad token with spaces and more", 422)]
    )
    async def test_unknown_or_malformed_tokens(
        self, client: httpx.AsyncClient, token: str, status: int
    ) -> None:
        assert (await client.delete(f"/api/sessions/{token}")).status_code == status
        assert (await client.get(f"/api/sessions/{token}/export")).status_code == status


class TestDisabled:
    @pytest.fixture
    def settings(self, make_settings: SettingsFactory) -> Settings:
        return make_settings(GDPR_COMPLIANCE=False)

    async def test_without_gdpr_compliance_export_and_delete_are_refused(
        self, client: httpx.AsyncClient
    ) -> None:
        token, _ = await converse(client, "こんにちは")
        for response in (
            await client.get(f"/api/sessions/{token}/export"),
            await client.delete(f"/api/sessions/{token}"),
        ):
            assert response.status_code == 403
            assert response.json()["error"]["code"] == "data_rights_disabled"
        assert (await client.get(f"/api/sessions/{token}/messages")).status_code == 200
