"""POST /api/chat and friends, through the real app, database and knowledge base."""

import re
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from mnp_chatbot.chat.models import Conversation, Feedback, Message
from mnp_chatbot.handoff.models import Handoff
from mnp_chatbot.main import create_app
from tests.fixtures.app import SettingsFactory


async def ask(client: httpx.AsyncClient, message: str, **extra: Any) -> dict[str, Any]:
    response = await client.post("/api/chat", json={"message": message, **extra})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
async def db(database_url: str) -> Any:
    engine = create_async_engine(database_url)
    yield async_sessionmaker(engine)
    await engine.dispose()


async def count(db: async_sessionmaker[AsyncSession], model: Any) -> int:
    async with db() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


class TestContract:
    async def test_reply_has_the_stable_shape(self, client: httpx.AsyncClient) -> None:
        body = await ask(client, "予約番号の有効期限は何日ですか？")
        assert set(body) >= {"sessionId", "messageId", "reply"}
        reply = body["reply"]
        assert set(reply) >= {"text", "sources", "confidence", "quickReplies", "handoff"}
        assert isinstance(reply["text"], str)
        assert reply["text"]
        assert 0.0 <= reply["confidence"] <= 1.0
        assert reply["sources"]
        assert set(reply["sources"][0]) >= {"faqId", "question"}
        assert reply["handoff"] is False

    @pytest.mark.parametrize(
        ("question", "expected"),
        [
            ("予約番号って何桁？", "10桁"),
            ("ドコモの予約番号はどこで取れますか", "0120-800-000"),
            ("ｿﾌﾄﾊﾞﾝｸで予約番号を発行したい", "5533"),
            ("LINEMOの事務手数料はいくら？", "3,850円"),
        ],
    )
    async def test_answers_from_the_curated_knowledge(
        self, client: httpx.AsyncClient, question: str, expected: str
    ) -> None:
        reply = (await ask(client, question))["reply"]
        assert expected in reply["text"]
        assert reply["mode"] == "faq"

    async def test_unverified_facts_point_to_the_official_site(self, client: httpx.AsyncClient) -> None:
        reply = (await ask(client, "auの予約番号の電話番号は？"))["reply"]
        assert "0077-75470" in reply["text"]
        # said once (issue 18): here by the fact's own note 「最新はau公式でご確認ください」
        assert re.search(r"公式(?:サイト)?でご確認ください", reply["text"])


class TestConversation:
    async def test_follow_up_reuses_the_previous_question(self, client: httpx.AsyncClient) -> None:
        first = await ask(client, "ドコモの予約番号の取り方を教えて")
        follow = await ask(client, "じゃあauの場合は？", sessionId=first["sessionId"])
        assert follow["sessionId"] == first["sessionId"]
        assert "0077-75470" in follow["reply"]["text"]

    async def test_history_returns_both_sides_in_order(self, client: httpx.AsyncClient) -> None:
        first = await ask(client, "こんにちは")
        await ask(client, "ワンストップ方式とは？", sessionId=first["sessionId"])
        history = (await client.get(f"/api/sessions/{first['sessionId']}/messages")).json()
        roles = [message["role"] for message in history["messages"]]
        assert roles == ["user", "assistant", "user", "assistant"]
        assert history["messages"][0]["text"] == "こんにちは"

    @pytest.mark.parametrize("message", ["こんにちは", "ありがとうございました！"])
    async def test_small_talk_gets_a_short_reply(self, client: httpx.AsyncClient, message: str) -> None:
        reply = (await ask(client, message))["reply"]
        assert reply["mode"] == "smalltalk"
        assert not reply["handoff"]

    async def test_out_of_scope_is_said_so_without_a_hand_off(self, client: httpx.AsyncClient) -> None:
        reply = (await ask(client, "今日の天気は？"))["reply"]
        assert reply["mode"] == "out_of_scope"
        assert reply["handoff"] is False

    async def test_navigator_starts_on_request(self, client: httpx.AsyncClient) -> None:
        reply = (await ask(client, "乗り換えナビ"))["reply"]
        assert reply["mode"] == "navigator"
        assert reply["quickReplies"]


class TestHandoff:
    @pytest.mark.parametrize("message", ["オペレーターと話したい", "人と話したいです", "ふざけるな、最悪だ"])
    async def test_request_or_complaint_is_queued_for_a_human(
        self, client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession], message: str
    ) -> None:
        reply = (await ask(client, message))["reply"]
        assert reply["handoff"] is True
        assert await count(db, Handoff) == 1
        async with db() as session:
            assert await session.scalar(select(Conversation.status)) == "queued"

    async def test_off_topic_chatter_is_not_handed_to_a_human(self, client: httpx.AsyncClient) -> None:
        # Issue 18: off-topic messages get the out-of-scope reply every time, not a hand-off on the second.
        first = await ask(client, "ほげほげ")
        second = await ask(client, "ふがふがぴよ", sessionId=first["sessionId"])
        assert [first["reply"]["mode"], second["reply"]["mode"]] == ["out_of_scope", "out_of_scope"]
        assert first["reply"]["handoff"] is False
        assert second["reply"]["handoff"] is False

    async def test_an_mnp_question_the_bot_cannot_answer_ends_with_a_human(
        self, client: httpx.AsyncClient
    ) -> None:
        reply = (await ask(client, "MNPのぴよぴよについて"))["reply"]
        assert reply["handoff"] is True


class TestStorage:
    async def test_personal_data_is_masked_before_it_is_stored(
        self, client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
    ) -> None:
        await ask(client, "090-1234-5678の番号でMNPしたい。予約番号は1234567890です")
        async with db() as session:
            texts = (await session.scalars(select(Message.text))).all()
        assert texts
        assert not any("090-1234-5678" in text or "1234567890" in text for text in texts)

    async def test_client_message_id_makes_a_retry_idempotent(
        self, client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
    ) -> None:
        first = await ask(client, "こんにちは")
        body = {"sessionId": first["sessionId"], "clientMessageId": "msg-1"}
        once = await ask(client, "MNPの手数料は？", **body)
        twice = await ask(client, "MNPの手数料は？", **body)
        assert once["messageId"] == twice["messageId"]
        assert once["reply"]["text"] == twice["reply"]["text"]
        assert await count(db, Message) == 4

    async def test_item18_the_history_carries_the_customers_rating(self, client: httpx.AsyncClient) -> None:
        body = await ask(client, "予約番号の期限は？")
        session = body["sessionId"]
        await client.post(
            f"/api/messages/{body['messageId']}/feedback", json={"rating": "down", "sessionId": session}
        )
        history = (await client.get("/api/session/messages", headers={"X-Session-Token": session})).json()
        ratings = {message["id"]: message["feedback"] for message in history["messages"]}
        assert ratings[body["messageId"]] == "down"
        assert [rating for rating in ratings.values() if rating] == ["down"]

    async def test_feedback_is_stored_and_can_be_changed(
        self, client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
    ) -> None:
        body = await ask(client, "予約番号の期限は？")
        path = f"/api/messages/{body['messageId']}/feedback"
        assert (
            await client.post(path, json={"rating": "up", "sessionId": body["sessionId"]})
        ).status_code == 201
        assert (
            await client.post(path, json={"rating": "down", "sessionId": body["sessionId"]})
        ).status_code == 201
        async with db() as session:
            ratings = (await session.scalars(select(Feedback.rating))).all()
        assert ratings == [-1]

    async def test_feedback_needs_the_owning_session(self, client: httpx.AsyncClient) -> None:
        mine = await ask(client, "予約番号の期限は？")
        other = await ask(client, "こんにちは")
        response = await client.post(
            f"/api/messages/{mine['messageId']}/feedback",
            json={"rating": "up", "sessionId": other["sessionId"]},
        )
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "message_not_found"


class TestBadInput:
    @pytest.mark.parametrize(
        ("body", "status", "code"),
        [
            ({"message": ""}, 422, "validation_error"),
            ({"message": "   \n\t "}, 422, "validation_error"),
            ({"message": "あ" * 1001}, 422, "validation_error"),
            ({"message": 42}, 422, "validation_error"),
            ({"message": ["予約番号"]}, 422, "validation_error"),
            ({"message": "予約\u0000番号"}, 422, "validation_error"),
            ({"message": "予約\u202e番号"}, 422, "validation_error"),
            ({}, 422, "validation_error"),
            ({"message": "こんにちは", "sessionId": "x"}, 422, "validation_error"),
            ({"message": "こんにちは", "sessionId": "A" * 43}, 404, "session_not_found"),
            ({"message": "こんにちは", "clientMessageId": "a b"}, 422, "validation_error"),
        ],
    )
    async def test_gets_a_clear_4xx_and_stores_nothing(
        self,
        client: httpx.AsyncClient,
        db: async_sessionmaker[AsyncSession],
        body: dict[str, Any],
        status: int,
        code: str,
    ) -> None:
        response = await client.post("/api/chat", json=body)
        assert response.status_code == status
        assert response.json()["error"]["code"] == code
        assert response.json()["error"]["message"]
        assert await count(db, Message) == 0
        assert await count(db, Conversation) == 0

    @pytest.mark.parametrize(
        ("content", "content_type"),
        [
            (b"{not json", "application/json"),
            (b"\xff\xfe", "application/json"),
            (b"message=hi", "text/plain"),
        ],
    )
    async def test_non_json_gets_a_4xx(
        self, client: httpx.AsyncClient, content: bytes, content_type: str
    ) -> None:
        response = await client.post("/api/chat", content=content, headers={"content-type": content_type})
        assert 400 <= response.status_code < 500
        assert "error" in response.json()

    async def test_over_large_body_is_refused_with_413(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/api/chat", content=b'{"message": "' + b"a" * 70_000 + b'"}')
        assert response.status_code == 413
        assert response.json()["error"]["code"] == "payload_too_large"

    async def test_unknown_session_history_is_404(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/sessions/" + "B" * 43 + "/messages")
        assert response.status_code == 404


class TestKnowledgeApi:
    async def test_search_returns_best_first(self, client: httpx.AsyncClient) -> None:
        results = (await client.get("/api/faqs/search", params={"q": "予約番号 有効期限", "limit": 3})).json()
        assert len(results["results"]) == 3
        assert set(results["results"][0]) >= {"id", "question", "answer", "category", "score"}
        scores = [result["score"] for result in results["results"]]
        assert scores == sorted(scores, reverse=True)

    @pytest.mark.parametrize(
        "params", [{}, {"q": ""}, {"q": "予約番号", "limit": 0}, {"q": "x", "limit": "a"}]
    )
    async def test_search_rejects_bad_parameters(
        self, client: httpx.AsyncClient, params: dict[str, Any]
    ) -> None:
        response = await client.get("/api/faqs/search", params=params)
        assert response.status_code == 422

    async def test_carriers_resolve_by_alias(self, client: httpx.AsyncClient) -> None:
        assert (await client.get("/api/carriers/ワイモバイル")).json()["id"] == "ymobile"
        assert len((await client.get("/api/carriers")).json()["items"]) >= 15
        assert (await client.get("/api/carriers/nope")).status_code == 404

    async def test_faq_by_slug_and_missing(self, client: httpx.AsyncClient) -> None:
        listed = (await client.get("/api/faqs", params={"category": "fees", "limit": 5})).json()["items"]
        assert listed
        assert all(item["category"] == "fees" for item in listed)
        one = await client.get(f"/api/faqs/{listed[0]['slug']}")
        assert one.json()["id"] == listed[0]["id"]
        assert (await client.get("/api/faqs/no-such-entry")).status_code == 404


async def test_answers_come_from_the_database_not_the_files(
    make_settings: SettingsFactory, db: async_sessionmaker[AsyncSession]
) -> None:
    from mnp_chatbot.faq.models import FaqEntry

    async with db.begin() as session:
        entry = await session.scalar(select(FaqEntry).where(FaqEntry.question.contains("何桁")))
        assert entry is not None
        entry.answer = "MNP予約番号は10桁の番号です（テスト用に書き換え）。"
    app = create_app(make_settings())
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            reply = (await ask(http, "予約番号って何桁？"))["reply"]
    assert "テスト用に書き換え" in reply["text"]


class TestItem07SessionTokens:
    """Issue 16 item 7: session tokens travel in a header or body, never in a URL path; an idle session
    ends, and the next message starts a new conversation."""

    async def test_item07_session_token_goes_in_a_header_not_the_url(self, client: httpx.AsyncClient) -> None:
        first = await ask(client, "予約番号の有効期限は？")
        token = first["sessionId"]
        header = {"X-Session-Token": token}
        history = await client.get("/api/session/messages", headers=header)
        assert history.status_code == 200
        assert [m["role"] for m in history.json()["messages"]] == ["user", "assistant"]
        assert history.json()["sessionId"] == token
        missing = await client.get("/api/session/messages")
        assert missing.status_code == 422
        malformed = await client.get("/api/session/messages", headers={"X-Session-Token": "../../x"})
        assert malformed.status_code == 422
        exported = await client.get("/api/session/export", headers=header)
        assert exported.status_code == 200
        assert len(exported.json()["messages"]) == 2
        old = await client.get(f"/api/sessions/{token}/messages")
        assert old.status_code == 200
        assert old.headers["deprecation"] == "true"
        assert "/api/session/messages" in old.headers["link"]
        schema = (await client.get("/openapi.json")).json()["paths"]
        assert schema["/api/sessions/{session_id}/messages"]["get"]["deprecated"] is True
        assert (await client.delete("/api/session", headers=header)).status_code == 204
        assert (await client.get("/api/session/messages", headers=header)).status_code == 404

    async def test_item07_an_idle_session_starts_a_fresh_conversation(
        self, client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]
    ) -> None:
        first = await ask(client, "予約番号の有効期限は？")
        token = first["sessionId"]
        async with db.begin() as session:
            await session.execute(
                text("UPDATE conversations SET last_message_at = now() - interval '7 days 1 minute'")
            )
        again = await client.post("/api/chat", json={"message": "手数料は？", "sessionId": token})
        assert again.status_code == 404
        assert again.json()["error"]["code"] == "session_expired"
        assert "新しい会話" in again.json()["error"]["message"]
        history = await client.get("/api/session/messages", headers={"X-Session-Token": token})
        assert history.json()["error"]["code"] == "session_expired"
        export = await client.get("/api/session/export", headers={"X-Session-Token": token})
        assert export.status_code == 404
        fresh = await ask(client, "手数料は？")
        assert fresh["sessionId"] != token
        assert await count(db, Conversation) == 2
        assert (await client.delete("/api/session", headers={"X-Session-Token": token})).status_code == 204

    async def test_item07_the_idle_limit_is_a_setting(
        self, make_settings: SettingsFactory, db: async_sessionmaker[AsyncSession]
    ) -> None:
        app = create_app(make_settings(SESSION_IDLE_TIMEOUT_HOURS=1))
        async with LifespanManager(app, startup_timeout=60) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                token = (await ask(client, "予約番号の有効期限は？"))["sessionId"]
                async with db.begin() as session:
                    await session.execute(
                        text("UPDATE conversations SET last_message_at = now() - interval '61 minutes'")
                    )
                response = await client.post("/api/chat", json={"message": "手数料は？", "sessionId": token})
        assert response.json()["error"]["code"] == "session_expired"
