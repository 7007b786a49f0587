"""Conversations, transcripts, knowledge gaps and analytics over a small stored set with known figures.

day (JST)   conversation  turns (mode, confidence, latency ms, feedback)
11-10 09:00 c1 web        faq .6 100 👍 · faq .7 300
11-10 12:00 c2 web queued no_answer .05 50 hand-off (+ hand-off row)
11-10 23:30 c3 web        faq .5 200 👎            ← 14:30 UTC, still the 10th in Japan
11-11 00:30 c4 line       clarify .16 400 · smalltalk 1.0 10   ← 15:30 UTC on the 10th
11-11 10:00 c5 web        faq .25 120
11-13 10:00 c6 web        faq .9 100              ← outside 11-10..11-12
"""

import re
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mnp_chatbot.chat.models import Message
from tests.admin.factories import Turn, add_conversation, jst
from tests.admin.support import Console, audit_rows, json_of

RANGE = "from=2026-11-10&to=2026-11-12"
PHONE = "090-1234-5678"
UNKNOWN = "6f1c2a4e-0000-4000-8000-000000000000"


@pytest.fixture
async def story(db: async_sessionmaker[AsyncSession]) -> dict[str, uuid.UUID]:
    source: dict[str, object] = {
        "faq_id": "x",
        "question": "予約番号の有効期限は？",
        "url": None,
        "as_of": None,
        "verified": True,
    }
    return {
        "c1": await add_conversation(
            db,
            jst(10, 9),
            [
                Turn("予約番号の有効期限は？", rating=1, sources=(source,)),
                Turn(f"手数料はいくら？ {PHONE}", confidence=0.7, latency_ms=300),
            ],
        ),
        "c2": await add_conversation(
            db,
            jst(10, 12),
            [Turn("ｅＳＩＭの再発行は？", mode="no_answer", confidence=0.05, latency_ms=50, handoff=True)],
            status="queued",
            handoff_reason="no_answer",
        ),
        "c3": await add_conversation(
            db,
            jst(10, 23, 30),
            [Turn("予約番号の有効期限は", confidence=0.5, latency_ms=200, rating=-1, comment=PHONE)],
        ),
        "c4": await add_conversation(
            db,
            jst(11, 0, 30),
            [
                Turn("esimの再発行は？", mode="clarify", confidence=0.16, latency_ms=400),
                Turn("こんにちは", mode="smalltalk", confidence=1.0, latency_ms=10),
            ],
            channel="line",
        ),
        "c5": await add_conversation(
            db, jst(11, 10), [Turn("予約番号の 有効期限は？", confidence=0.25, latency_ms=120)]
        ),
        "c6": await add_conversation(db, jst(13, 10), [Turn("予約番号の有効期限は？", confidence=0.9)]),
    }


async def get(client: httpx.AsyncClient, console: Console, path: str, role: str = "operator") -> Any:
    return json_of(await client.get(path, headers=await console.headers(role)))


class TestAccess:
    @pytest.mark.parametrize(
        "path",
        [
            "/api/admin/conversations",
            f"/api/admin/conversations/{UNKNOWN}",
            "/api/admin/gaps",
            "/api/admin/analytics",
        ],
    )
    async def test_a_token_is_needed(self, client: httpx.AsyncClient, path: str) -> None:
        assert (await client.get(path)).status_code == 401

    @pytest.mark.parametrize(
        ("path", "status"),
        [
            ("/api/admin/conversations", 403),
            (f"/api/admin/conversations/{UNKNOWN}", 403),
            ("/api/admin/gaps", 200),
            ("/api/admin/analytics", 200),
        ],
    )
    async def test_a_viewer_sees_figures_but_not_conversations(
        self, client: httpx.AsyncClient, console: Console, path: str, status: int
    ) -> None:
        response = await client.get(path, headers=await console.headers("viewer"))
        assert response.status_code == status


class TestConversations:
    async def test_the_list_is_most_recent_first_with_per_conversation_figures(
        self, client: httpx.AsyncClient, console: Console, story: dict[str, uuid.UUID]
    ) -> None:
        page = await get(client, console, "/api/admin/conversations")
        assert page["total"] == 6
        assert [item["id"] for item in page["items"]] == [
            str(story[c]) for c in ("c6", "c5", "c4", "c3", "c2", "c1")
        ]
        c1 = page["items"][-1]
        assert (c1["turns"], c1["minConfidence"], c1["thumbsUp"], c1["thumbsDown"], c1["handoff"]) == (
            2,
            0.6,
            1,
            0,
            False,
        )
        c4 = page["items"][2]
        assert (c4["channel"], c4["minConfidence"]) == ("line", 0.16)  # small talk's 1.0 is not retrieval's
        assert c1["firstQuestion"] == "予約番号の有効期限は？"  # the first, not the latest

    async def test_the_first_question_is_masked(
        self, client: httpx.AsyncClient, console: Console, db: async_sessionmaker[AsyncSession]
    ) -> None:
        await add_conversation(db, jst(11, 9), [Turn(f"{'あ' * 70}電話は{PHONE}です", confidence=0.9)])
        page = await get(client, console, "/api/admin/conversations")
        (item,) = page["items"]
        assert "5678" not in item["firstQuestion"]
        assert item["firstQuestion"].startswith("あ" * 70)

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("handoff=true", ["c2"]),
            ("handoff=false&channel=line", ["c4"]),
            ("feedback=down", ["c3"]),
            ("feedback=up", ["c1"]),
            ("status=queued", ["c2"]),
            ("confidenceBelow=0.2", ["c4", "c2"]),
            ("from=2026-11-11&to=2026-11-11", ["c5", "c4"]),
            ("from=2026-11-13", ["c6"]),
        ],
    )
    async def test_filters(
        self,
        client: httpx.AsyncClient,
        console: Console,
        story: dict[str, uuid.UUID],
        query: str,
        expected: list[str],
    ) -> None:
        page = await get(client, console, f"/api/admin/conversations?{query}")
        assert [item["id"] for item in page["items"]] == [str(story[c]) for c in expected]
        assert page["total"] == len(expected)

    async def test_pages(
        self, client: httpx.AsyncClient, console: Console, story: dict[str, uuid.UUID]
    ) -> None:
        page = await get(client, console, "/api/admin/conversations?limit=2&offset=2")
        assert [item["id"] for item in page["items"]] == [str(story["c4"]), str(story["c3"])]
        assert page["total"] == 6

    @pytest.mark.parametrize(
        "query", ["status=lost", "feedback=meh", "from=2026-11-12&to=2026-11-10", "limit=0"]
    )
    async def test_bad_filters_are_refused(
        self, client: httpx.AsyncClient, console: Console, query: str
    ) -> None:
        response = await client.get(
            f"/api/admin/conversations?{query}", headers=await console.headers("operator")
        )
        assert response.status_code == 422


class TestTranscript:
    async def test_the_transcript_is_masked_ordered_and_audited(
        self,
        client: httpx.AsyncClient,
        console: Console,
        story: dict[str, uuid.UUID],
        db: async_sessionmaker[AsyncSession],
    ) -> None:
        transcript = await get(client, console, f"/api/admin/conversations/{story['c1']}")
        messages = transcript["messages"]
        assert [m["role"] for m in messages] == ["user", "assistant", "user", "assistant"]
        assert PHONE not in str(transcript)
        assert "[電話番号]" in messages[2]["text"]
        assert messages[1]["feedback"] == {"rating": "up", "comment": None}
        assert messages[1]["sources"][0]["question"] == "予約番号の有効期限は？"
        assert (messages[1]["mode"], messages[1]["confidence"], messages[1]["latencyMs"]) == ("faq", 0.6, 100)
        assert messages[3]["feedback"] is None
        async with db() as session:
            stored = await session.scalars(select(Message.text).where(Message.session_id == story["c1"]))
            assert any(PHONE in text for text in stored)  # reading does not rewrite what is stored
        (audit,) = await audit_rows(db, "transcript.")
        assert (audit.actor_id, audit.target_id, audit.details) == (
            console.ids["operator"],
            str(story["c1"]),
            {"messages": 4},
        )

    async def test_feedback_comments_and_handoffs_are_shown(
        self, client: httpx.AsyncClient, console: Console, story: dict[str, uuid.UUID]
    ) -> None:
        disliked = await get(client, console, f"/api/admin/conversations/{story['c3']}")
        assert disliked["messages"][1]["feedback"] == {"rating": "down", "comment": "[電話番号]"}
        handed = await get(client, console, f"/api/admin/conversations/{story['c2']}")
        assert handed["conversation"]["handoff"] is True
        assert [(h["reason"], h["status"]) for h in handed["handoffs"]] == [("no_answer", "waiting")]

    async def test_an_unknown_conversation_is_not_found(
        self, client: httpx.AsyncClient, console: Console
    ) -> None:
        response = await client.get(
            f"/api/admin/conversations/{UNKNOWN}", headers=await console.headers("admin")
        )
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "conversation_not_found"


class TestGaps:
    async def test_gaps_are_grouped_by_question_with_reasons_and_a_candidate(
        self, client: httpx.AsyncClient, console: Console, story: dict[str, uuid.UUID]
    ) -> None:
        listed = await get(client, console, f"/api/admin/gaps?{RANGE}", role="viewer")
        groups = {group["key"]: group for group in listed["items"]}
        assert set(groups) == {"予約番号の有効期限は", "esimの再発行は"}
        expiry, esim = groups["予約番号の有効期限は"], groups["esimの再発行は"]
        assert (expiry["count"], expiry["conversations"], expiry["reasons"]) == (
            2,
            2,
            {"low_confidence": 1, "thumbs_down": 1},
        )
        assert expiry["question"] == "予約番号の 有効期限は？"  # the latest wording
        assert (esim["count"], esim["reasons"]) == (2, {"clarify": 1, "no_answer": 1})
        assert set(esim["variants"]) == {"ｅＳＩＭの再発行は？", "esimの再発行は？"}
        assert "esim" in esim["candidate"]["slug"] or "eSIM" in esim["candidate"]["question"]
        assert (listed["from"], listed["to"]) == ("2026-11-10", "2026-11-12")

    @pytest.mark.parametrize(
        ("query", "keys"),
        [
            ("lowConfidence=0.2", {"予約番号の有効期限は", "esimの再発行は"}),  # c3's 👎 still counts
            ("lowConfidence=0.55", {"予約番号の有効期限は", "esimの再発行は"}),
            ("minCount=3", set()),
            ("from=2026-11-11&to=2026-11-11", {"予約番号の有効期限は", "esimの再発行は"}),
            ("from=2026-11-12&to=2026-11-12", set()),
        ],
    )
    async def test_thresholds_and_windows(
        self,
        client: httpx.AsyncClient,
        console: Console,
        story: dict[str, uuid.UUID],
        query: str,
        keys: set[str],
    ) -> None:
        dates = "" if "from=" in query else f"{RANGE}&"
        listed = await get(client, console, f"/api/admin/gaps?{dates}{query}")
        assert {group["key"] for group in listed["items"]} == keys

    async def test_low_confidence_counts_by_threshold(
        self, client: httpx.AsyncClient, console: Console, story: dict[str, uuid.UUID]
    ) -> None:
        strict = await get(client, console, f"/api/admin/gaps?{RANGE}&lowConfidence=0.2")
        loose = await get(client, console, f"/api/admin/gaps?{RANGE}&lowConfidence=0.55")
        counts = [
            {g["key"]: g["count"] for g in listed["items"]}["予約番号の有効期限は"]
            for listed in (strict, loose)
        ]
        assert counts == [1, 2]  # 0.2: only c3's 👎; 0.55: c5 (.25) too (c3 is counted once)

    async def test_a_draft_prefills_a_faq_that_saves_once_completed(
        self, client: httpx.AsyncClient, console: Console, story: dict[str, uuid.UUID]
    ) -> None:
        headers = await console.headers("operator")
        body = {"key": "esimの再発行は", "from": "2026-11-10", "to": "2026-11-12"}
        drafted = json_of(await client.post("/api/admin/gaps/faq-draft", json=body, headers=headers))
        draft = drafted["draft"]
        assert draft["question"] in {"esimの再発行は？", "ｅＳＩＭの再発行は？"}
        # Every customer wording, the latest included, is an alternate: the entry is found by them.
        assert draft["alternates"] == drafted["gap"]["variants"]
        assert set(draft["alternates"]) == {"ｅＳＩＭの再発行は？", "esimの再発行は？"}
        assert (draft["isPublished"], draft["verification"], draft["answer"]) == (False, "unverified", "")
        assert re.fullmatch(r"esim-[a-z-]+-[0-9a-f]{4}", draft["slug"]), draft["slug"]
        assert drafted["missing"] == ["answer", "officialUrl", "sources"]
        draft |= {
            "answer": "eSIMの再発行は、各社の会員ページから申し込めます。",
            "alternates": [*draft["alternates"], "eSIMをもう一度発行したい"],
            "officialUrl": "https://example.jp/esim",
            "sources": [{"title": "テスト用の出典"}],
        }
        saved = json_of(await client.post("/api/admin/faqs", json=draft, headers=headers), 201)
        assert saved["isPublished"] is False

    async def test_item12_gap_views_mask_customer_wording_like_transcripts(
        self, client: httpx.AsyncClient, console: Console, db: async_sessionmaker[AsyncSession]
    ) -> None:
        asked = f"{PHONE}の番号のままahamoに移れますか"
        await add_conversation(db, jst(11, 9), [Turn(asked, mode="no_answer", confidence=0.05)])
        await add_conversation(db, jst(11, 11), [Turn(asked, confidence=0.1, rating=-1)])
        listed = await get(client, console, f"/api/admin/gaps?{RANGE}", role="viewer")
        (group,) = [g for g in listed["items"] if "ahamo" in g["question"]]
        assert "[電話番号]" in group["question"]
        assert "5678" not in str(listed)
        body = {"key": group["key"], "from": "2026-11-10", "to": "2026-11-12"}
        headers = await console.headers("operator")
        drafted = json_of(await client.post("/api/admin/gaps/faq-draft", json=body, headers=headers))
        assert "[電話番号]" in drafted["draft"]["question"]
        assert "5678" not in str(drafted)

    async def test_an_unknown_group_has_no_draft(
        self, client: httpx.AsyncClient, console: Console, story: dict[str, uuid.UUID]
    ) -> None:
        body = {"key": "そんな質問はない", "from": "2026-11-10", "to": "2026-11-12"}
        response = await client.post(
            "/api/admin/gaps/faq-draft", json=body, headers=await console.headers("operator")
        )
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "gap_not_found"


class TestAnalytics:
    async def test_daily_figures_in_japan_time(
        self, client: httpx.AsyncClient, console: Console, story: dict[str, uuid.UUID]
    ) -> None:
        report = await get(client, console, f"/api/admin/analytics?{RANGE}", role="viewer")
        assert (report["from"], report["to"], report["timezone"]) == (
            "2026-11-10",
            "2026-11-12",
            "Asia/Tokyo",
        )
        tenth, eleventh, twelfth = report["days"]
        assert tenth == {
            "date": "2026-11-10",
            "conversations": 3,
            "turns": 4,
            "resolved": 1,
            "resolutionRate": 0.3333,
            "handoffs": 1,
            "handoffRate": 0.3333,
            "thumbsUp": 1,
            "thumbsDown": 1,
            "feedbackRatio": 0.5,
            "latencyP50Ms": 150.0,
            "latencyP95Ms": 285.0,
        }
        # c4 only got a clarifying question and small talk, c5 an answer at 0.25: neither was answered
        assert (eleventh["conversations"], eleventh["turns"], eleventh["resolutionRate"]) == (2, 3, 0.0)
        assert (eleventh["handoffRate"], eleventh["feedbackRatio"]) == (0.0, None)
        assert (eleventh["latencyP50Ms"], eleventh["latencyP95Ms"]) == (120.0, 372.0)
        assert twelfth == {
            "date": "2026-11-12",
            "conversations": 0,
            "turns": 0,
            "resolved": 0,
            "resolutionRate": None,
            "handoffs": 0,
            "handoffRate": None,
            "thumbsUp": 0,
            "thumbsDown": 0,
            "feedbackRatio": None,
            "latencyP50Ms": None,
            "latencyP95Ms": None,
        }

    async def test_totals_modes_and_top_questions(
        self, client: httpx.AsyncClient, console: Console, story: dict[str, uuid.UUID]
    ) -> None:
        report = await get(client, console, f"/api/admin/analytics?{RANGE}&top=2")
        totals = report["totals"]
        assert (totals["conversations"], totals["turns"], totals["resolved"], totals["handoffs"]) == (
            5,
            7,
            1,  # only c1: c2 handed off, c3 got a 👎, c4 no answer, c5 an answer below 0.3
            1,
        )
        assert (totals["resolutionRate"], totals["handoffRate"], totals["feedbackRatio"]) == (0.2, 0.2, 0.5)
        assert (totals["latencyP50Ms"], totals["latencyP95Ms"]) == (120.0, 370.0)
        assert report["modes"] == {"faq": 4, "no_answer": 1, "clarify": 1, "smalltalk": 1}
        assert report["topQuestions"][0]["count"] == 3
        assert report["topQuestions"][0]["question"].startswith("予約番号の")
        assert report["topQuestions"][1]["count"] == 2
        assert "こんにちは" not in str(report["topQuestions"])

    async def test_button_presses_are_not_top_questions(
        self, client: httpx.AsyncClient, console: Console, db: async_sessionmaker[AsyncSession]
    ) -> None:
        for hour in (9, 10):
            await add_conversation(
                db,
                jst(11, hour),
                [
                    Turn("オペレーターと話す", mode="handoff", confidence=0.0, handoff=True),
                    Turn("オンライン", mode="navigator", confidence=1.0),
                    Turn("予約番号の有効期限は？", confidence=0.8),
                ],
            )
        report = await get(client, console, f"/api/admin/analytics?{RANGE}&top=5")
        assert report["topQuestions"] == [{"question": "予約番号の有効期限は？", "count": 2}]
        assert report["totals"]["resolved"] == 0  # both were handed off

    async def test_the_default_range_is_the_last_30_days(
        self, client: httpx.AsyncClient, console: Console
    ) -> None:
        report = await get(client, console, "/api/admin/analytics")
        assert len(report["days"]) == 30
        assert report["days"][-1]["date"] == report["to"]

    @pytest.mark.parametrize(
        "query", ["from=2026-11-12&to=2026-11-10", "from=2025-01-01&to=2026-11-10", "top=0"]
    )
    async def test_bad_ranges_are_refused(
        self, client: httpx.AsyncClient, console: Console, query: str
    ) -> None:
        response = await client.get(f"/api/admin/analytics?{query}", headers=await console.headers("viewer"))
        assert response.status_code == 422
