"""Issue 18: customers read dates the Japanese way (2026年4月1日) in every reply, on the web and on LINE
(both send the engine's reply text), though the knowledge base and the carrier table hold ISO dates.

Every FAQ entry's own question and every carrier's attributes are asked on the shipped knowledge base, and
each reply is scanned for an ISO date.
"""

import datetime as dt
import re

import pytest

from mnp_chatbot.chat.reply import japanese_dates
from mnp_chatbot.faq.snapshot import KnowledgeSnapshot
from mnp_chatbot.knowledge import loader
from scripts.evaluation import replay

TODAY = dt.date(2026, 12, 3)
URL = re.compile(r"https?://\S+")
ISO_DATE = re.compile(r"(?<!\d)(?:19|20)\d{2}-\d{2}(?!\d)")
ATTRIBUTE_QUESTIONS = (
    "{}の事務手数料は？",
    "{}の解約金は？",
    "{}から転出するときMNP転出手数料はかかる？",
    "{}の予約番号の取り方は？",
    "{}の予約番号は何時まで？",
    "{}の予約番号の電話番号は？",
    "{}は店頭で申し込める？",
    "{}はワンストップ方式に対応してる？",
    "{}に乗り換えるとき予約番号は何日残っていればいい？",
    "{}に乗り換えたい",
    "{}から乗り換えたい",
)


@pytest.fixture(scope="module")
def snapshot() -> KnowledgeSnapshot:
    return replay.shipped_snapshot(TODAY)


def iso_dates(text: str) -> list[str]:
    return ISO_DATE.findall(URL.sub(" ", text))


def ask(snapshot: KnowledgeSnapshot, question: str) -> str:
    return replay.Session(snapshot, TODAY).say(question).text


class TestJapaneseDates:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("解約金は2021-10-01に廃止", "解約金は2021年10月1日に廃止"),
            ("4,950円（税込、2025-09-05〜）", "4,950円（税込、2025年9月5日〜）"),
            ("3,300円（税込、2023-05時点）", "3,300円（税込、2023年5月時点）"),
            ("2024-02〜2024-05", "2024年2月〜2024年5月"),
        ],
    )
    def test_iso_dates_become_japanese(self, text: str, expected: str) -> None:
        assert japanese_dates(text) == expected

    @pytest.mark.parametrize(
        "text",
        ["0120-800-000", "151 または 0077-7-111", "https://example.jp/2024-01-02/a", "2026年4月1日", "12-34"],
    )
    def test_other_numbers_and_addresses_stay(self, text: str) -> None:
        assert japanese_dates(text) == text


def test_no_faq_entry_reply_has_an_iso_date(snapshot: KnowledgeSnapshot) -> None:
    found = {}
    for document in loader.load_faqs():
        text = ask(snapshot, document.question)
        if iso_dates(text):
            found[document.slug] = iso_dates(text)
    assert not found


def test_no_carrier_reply_has_an_iso_date(snapshot: KnowledgeSnapshot) -> None:
    carriers = snapshot.carrier_list
    assert len(carriers) >= 10
    found = {}
    for carrier in carriers:
        for template in ATTRIBUTE_QUESTIONS:
            question = template.format(carrier.name)
            if iso_dates(text := ask(snapshot, question)):
                found[question] = iso_dates(text)
    first, second = carriers[0].name, carriers[1].name
    for question in (f"{first}から{second}に乗り換えたい", f"{second}から{first}に乗り換えたい"):
        if iso_dates(text := ask(snapshot, question)):
            found[question] = iso_dates(text)
    assert not found


def test_the_data_does_hold_iso_dates(snapshot: KnowledgeSnapshot) -> None:
    """What the two tests above guard against: without the rendering, customers would see these."""
    docomo = snapshot.carriers["docomo"]
    assert iso_dates(docomo.model_dump_json())
    assert "2021年10月1日" in ask(snapshot, "ドコモの解約金は？")
