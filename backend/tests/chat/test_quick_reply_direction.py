"""Issue 18: quick replies follow the customer's direction. A customer who asks about leaving a carrier is
offered questions about leaving it (its 予約番号, its 解約金 …), one who asks about joining a brand questions
about joining it (its 事務手数料 …), never the other way round."""

import datetime as dt
from typing import Any

import httpx
import pytest

from mnp_chatbot.chat import composer, direction
from mnp_chatbot.chat.direction import Direction
from mnp_chatbot.faq.index import KnowledgeSnapshot
from scripts.evaluation import replay

TODAY = dt.date(2026, 12, 3)
FIXED = {composer.NAVIGATOR_LABEL, composer.HUMAN_LABEL}


async def suggestions(client: httpx.AsyncClient, message: str) -> list[str]:
    response = await client.post("/api/chat", json={"message": message})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return [label for label in body["reply"]["quickReplies"] if label not in FIXED]


class TestThroughTheApi:
    @pytest.mark.parametrize(
        ("message", "offered"),
        [
            ("ドコモから転出するには？", "ドコモのMNP予約番号はどうやって取得しますか？"),
            ("ドコモの解約金は？", "ドコモのMNP予約番号はどうやって取得しますか？"),
            ("auから他社に乗り換えたい", "auのMNP予約番号はどうやって取得しますか？"),
        ],
    )
    async def test_a_question_about_leaving_a_carrier_is_followed_by_questions_about_leaving_it(
        self, client: httpx.AsyncClient, message: str, offered: str
    ) -> None:
        replies = await suggestions(client, message)
        assert offered in replies
        assert not [r for r in replies if "乗り換えるとき" in r or "事務手数料" in r], replies

    @pytest.mark.parametrize(
        ("message", "offered", "brand"),
        [
            ("ドコモに乗り換えるには？", "ドコモに乗り換えるときの契約事務手数料はいくらですか？", "ドコモ"),
            (
                "楽天モバイルに乗り換えるには？",
                "楽天モバイルに乗り換えるときの契約事務手数料はいくらですか？",
                "楽天モバイル",
            ),
            ("ahamoに乗り換えたい", "ahamoに乗り換えるときの契約事務手数料はいくらですか？", "ahamo"),
        ],
    )
    async def test_a_question_about_joining_a_brand_is_followed_by_questions_about_joining_it(
        self, client: httpx.AsyncClient, message: str, offered: str, brand: str
    ) -> None:
        replies = await suggestions(client, message)
        assert offered in replies
        leaving = (
            "予約番号はどう",
            "予約番号はどこで",
            "から乗り換える",
            "から転出",
            "解約",
            "乗り換え後",
            "ポイント",
        )
        about_leaving = [r for r in replies if r.startswith(brand) and any(w in r for w in leaving)]
        assert not about_leaving, replies


class TestEntryDirections:
    @pytest.fixture(scope="class")
    def snapshot(self) -> KnowledgeSnapshot:
        return replay.shipped_snapshot(TODAY)

    @pytest.mark.parametrize(
        ("question", "expected"),
        [
            ("ドコモから転出するときMNP手数料はかかりますか？", {"docomo": Direction.FROM}),
            ("auやUQモバイルから転出するときMNP手数料はかかりますか？", {"au": "from", "uq_mobile": "from"}),
            ("ahamoに乗り換えるときの契約事務手数料はいくらですか？", {"ahamo": Direction.TO}),
            ("ドコモからahamoに変えるとき、MNP予約番号は必要ですか？", {"docomo": "from", "ahamo": "to"}),
            ("LINEMOの予約番号はどこで発行できますか？", {"linemo": Direction.FROM}),
            ("楽天モバイルショップで乗り換える場合、予約番号は必要ですか？", {"rakuten": Direction.TO}),
            ("auのメールアドレスは乗り換え後も使えますか？", {"au": Direction.FROM}),
            ("auとUQモバイルの間で乗り換えるとき、MNP予約番号は必要ですか？", {}),
            ("mineoはワンストップ方式に対応していますか？", {}),
        ],
    )
    def test_each_entry_knows_which_way_it_looks_at_its_brands(
        self, snapshot: KnowledgeSnapshot, question: str, expected: dict[str, str]
    ) -> None:
        (entry,) = [e for e in snapshot.entries.values() if e.question == question]
        assert entry.directions == expected
        assert direction.of_text(question, snapshot.carrier_list) == expected

    def test_no_entry_with_a_direction_is_followed_by_one_the_other_way(
        self, snapshot: KnowledgeSnapshot
    ) -> None:
        """Asked as written, no branded entry's quick replies look at its brands the other way."""
        by_question = {e.question: e for e in snapshot.entries.values()}
        asked = 0
        for entry in snapshot.entries.values():
            if not entry.directions:
                continue
            reply = replay.Session(snapshot, TODAY).say(entry.question)
            for label in reply.quick_replies:
                offered = by_question.get(label)
                if offered is not None:
                    fit = direction.fits(offered.directions, entry.directions)
                    assert fit is not False, (entry.question, label)
            asked += 1
        assert asked > 60
