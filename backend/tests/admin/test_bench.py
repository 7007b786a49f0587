"""POST /api/admin/try: the reply a first message would get and the ranking behind it; nothing is stored."""

import json
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mnp_chatbot.chat.models import Conversation, Message
from mnp_chatbot.handoff.models import Handoff
from tests.admin.support import Console, json_of


async def try_question(client: httpx.AsyncClient, console: Console, question: str, **extra: Any) -> Any:
    body = {"question": question, **extra}
    return json_of(await client.post("/api/admin/try", json=body, headers=await console.headers("viewer")))


async def stored_rows(db: async_sessionmaker[AsyncSession]) -> tuple[int, ...]:
    async with db() as session:
        counts = [
            await session.scalar(select(func.count()).select_from(m))
            for m in (Conversation, Message, Handoff)
        ]
    return tuple(int(count or 0) for count in counts)


class TestBench:
    @pytest.mark.parametrize(
        ("question", "mode", "handoff"),
        [
            ("予約番号って何桁？", "faq", False),
            ("LINEMOの事務手数料はいくら？", "faq", False),
            ("こんにちは", "smalltalk", False),
            ("オペレーターと話したい", "handoff", True),
            ("今日の天気は？", "out_of_scope", False),
        ],
    )
    async def test_the_reply_is_the_bots_and_nothing_is_stored(
        self,
        client: httpx.AsyncClient,
        console: Console,
        db: async_sessionmaker[AsyncSession],
        question: str,
        mode: str,
        handoff: bool,
    ) -> None:
        before = await stored_rows(db)
        tried = await try_question(client, console, question)
        chat = json_of(await client.post("/api/chat", json={"message": question}))["reply"]
        assert tried["reply"]["mode"] == chat["mode"] == mode
        if not handoff:  # a customer's hand-off reply also says who can take it now, which the bench does not
            assert tried["reply"]["text"] == chat["text"]
        assert tried["reply"]["handoff"] is handoff
        assert (await stored_rows(db))[0] == before[0] + 1  # only the /api/chat turn

    async def test_the_ranking_is_best_first_and_led_by_the_cited_entry(
        self, client: httpx.AsyncClient, console: Console
    ) -> None:
        tried = await try_question(client, console, "予約番号の有効期限は何日ですか？", limit=7)
        ranking = tried["ranking"]
        assert [item["rank"] for item in ranking] == list(range(1, 8))
        scores = [item["hit"]["score"] for item in ranking]
        assert scores == sorted(scores, reverse=True)
        assert ranking[0]["entry"]["id"] == tried["reply"]["sources"][0]["faqId"]
        assert ranking[0]["hit"]["confidence"] >= tried["thresholds"]["answer"]
        assert ranking[0]["hit"]["matchedTerms"]
        assert tried["knowledgeVersion"]

    async def test_personal_data_in_the_question_is_not_echoed(
        self, client: httpx.AsyncClient, console: Console
    ) -> None:
        tried = await try_question(client, console, "090-1234-5678 の予約番号を発行したい")
        assert "予約番号を発行したい" in tried["question"]
        assert "5678" not in str(tried)

    async def test_an_edit_shows_on_the_bench_at_once(
        self, client: httpx.AsyncClient, console: Console
    ) -> None:
        question = "予約番号って何桁？"
        faq_id = (await try_question(client, console, question))["ranking"][0]["entry"]["id"]
        headers = await console.headers("admin")
        entry = json_of(await client.get(f"/api/admin/faqs/{faq_id}", headers=headers))
        json_of(
            await client.put(
                f"/api/admin/faqs/{faq_id}",
                json=entry | {"answer": "桁数は10桁です（編集）。"},
                headers=headers,
            )
        )
        assert (await try_question(client, console, question))["reply"]["text"].startswith(
            "桁数は10桁です（編集）。"
        )

    @pytest.mark.parametrize(
        "body",
        [
            {"question": ""},
            {"question": "  "},
            {"question": "x", "limit": 11},
            {},
            {"question": "予約\ud800番号"},
        ],
    )
    async def test_bad_requests_are_refused(
        self, client: httpx.AsyncClient, console: Console, body: dict[str, Any]
    ) -> None:
        headers = await console.headers("viewer") | {"Content-Type": "application/json"}
        response = await client.post("/api/admin/try", content=json.dumps(body), headers=headers)
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "validation_error"
