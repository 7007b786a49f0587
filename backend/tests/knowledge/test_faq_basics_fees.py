"""Checks of the FAQ entries written from fact sheet §1–§3 (files 10_, 20_, 30_), the bot's own entries (90_)
and their eval set `eval/kb_basics_fees.jsonl`."""

import datetime as dt
import json
import re
import unicodedata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from mnp_chatbot.knowledge import loader
from mnp_chatbot.knowledge.schemas import Category, FaqDocument
from tests.fixtures.shared import DEV_SET, FACT_SHEET

FAQ_DIR = loader.DATA_DIR / "faqs"
FILES = {
    "10_basics.yaml": Category.BASICS,
    "20_one_stop.yaml": Category.ONE_STOP,
    "30_fees.yaml": Category.FEES,
    "90_about_bot.yaml": Category.SMALLTALK,
}
SECTIONS = (1, 2, 3)
BACKEND = Path(__file__).resolve().parents[2]
EVAL_SET = BACKEND / "eval" / "kb_basics_fees.jsonl"
SHEET_COMPILED = dt.date(2026, 11, 29)

BRAND_IDS = frozenset(
    {
        "docomo", "ahamo", "au", "uq_mobile", "povo", "softbank", "ymobile", "linemo", "rakuten", "iijmio",
        "mineo", "nihon_tsushin", "aeon_mobile", "nuro_mobile", "b_mobile", "his_mobile", "jcom_mobile",
    }
)  # fmt: skip
HEDGES = ("とされ", "情報があります", "確認できてい", "報じられ")
BOT_NOTICE = "最新情報は各社の公式サイトでご確認ください。"
MAX_ANSWER_CHARS = 400
MAX_SENTENCES = 6

YEN = re.compile(r"[¥￥](\d[\d,]*)|(\d[\d,]*)円")
DATE = re.compile(r"(\d{4})(?:年|-)(\d{1,2})(?:月|-)?(?:(\d{1,2})日?)?")
PHONE = re.compile(r"\*\d{3,5}|(?<![\d-])0\d{1,4}-\d{2,6}(?:-\d{3,4})?(?![\d-])")
CLOCK = re.compile(r"(?<![\d:])\d{1,2}:\d{2}(?![\d:])")
COUNT = re.compile(r"\d+(?:日以上|日以内|日間|桁|回線|年以内)")


ENTRIES = {name: loader.load_faq_file(FAQ_DIR / name) for name in FILES}
MINE = [entry for entries in ENTRIES.values() for entry in entries]
FACTS = [entry for entry in MINE if entry.category is not Category.SMALLTALK]


def normalise(text: str) -> str:
    """The eval set's matching rule: NFKC, lower case, no spaces, no separators next to digits."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).lower())
    text = re.sub(r"(?<=\d),(?=\d)", "", text)
    return re.sub(r"(?<=\d)[-‐−–—]|[-‐−–—](?=\d)", "", text)


def yen_amounts(text: str) -> set[int]:
    return {int((a or b).replace(",", "")) for a, b in YEN.findall(unicodedata.normalize("NFKC", text))}


def dates(text: str) -> set[tuple[int, ...]]:
    """(year, month) and (year, month, day) of dates written as 2023年5月24日, 2023-05-24 or 2023年5月."""
    found: set[tuple[int, ...]] = set()
    for year, month, day in DATE.findall(unicodedata.normalize("NFKC", text)):
        if 1 <= int(month) <= 12:
            found.add((int(year), int(month)) + ((int(day),) if day else ()))
    return found


def answer_numbers(text: str) -> set[str]:
    """Phone numbers, clock times and day/digit/line counts, normalised."""
    text = unicodedata.normalize("NFKC", text)
    return {normalise(match) for pattern in (PHONE, CLOCK, COUNT) for match in pattern.findall(text)}


@pytest.fixture(scope="module")
def sheet() -> str:
    if not FACT_SHEET.exists():
        pytest.skip("the MNP fact sheet is not available on this machine")
    return FACT_SHEET.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def carrier_sites() -> dict[str, str]:
    """Host of each brand's official site in the carrier table."""
    return {carrier.id: urlsplit(str(carrier.official_url)).netloc for carrier in loader.load_carriers()}


def _section_ids(sheet: str) -> set[str]:
    pattern = "|".join(str(number) for number in SECTIONS)
    return set(re.findall(rf"^\| (F(?:{pattern})-\d+) \|", sheet, flags=re.MULTILINE))


def _eval_cases() -> list[dict[str, Any]]:
    with EVAL_SET.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


EVAL = _eval_cases()


def _reply(entry: FaqDocument) -> str:
    """What the bot shows for an entry: the answer, plus the confirmation notice when it has official_url."""
    return entry.answer + (BOT_NOTICE if entry.official_url else "")


def _passes(reply: str, case: dict[str, Any]) -> bool:
    text = normalise(reply)
    found = all(any(normalise(s) in text for s in group) for group in case["all"])
    avoided = not any(normalise(s) in text for s in case.get("none", []))
    hedged = not case.get("hedge") or any(marker in text for marker in ("公式", "確認", "問い合わせ"))
    return found and avoided and hedged


class TestNumberHelpers:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("店頭は4,950円（税込）です", {4950}),
            ("３，８５０円と990円", {3850, 990}),
            ("¥1,000以下", {1000}),
            ("無料です", set()),
        ],
    )
    def test_yen_amounts(self, text: str, expected: set[int]) -> None:
        assert yen_amounts(text) == expected

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("2023年5月24日から", {(2023, 5, 24)}),
            ("2023-05-24 8:30", {(2023, 5, 24)}),
            ("2021年2月以降", {(2021, 2)}),
            ("２０２５年１０月時点", {(2025, 10)}),
        ],
    )
    def test_dates(self, text: str, expected: set[tuple[int, ...]]) -> None:
        assert dates(text) == expected

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("一般電話から0120-800-000、携帯から*5533", {"0120800000", "*5533"}),
            ("受付は9:00〜21:30です", {"9:00", "21:30"}),
            ("取得日を含めて15日間、10桁、7日以上", {"15日間", "10桁", "7日以上"}),
        ],
    )
    def test_answer_numbers(self, text: str, expected: set[str]) -> None:
        assert answer_numbers(text) == expected


class TestFiles:
    def test_every_file_holds_only_its_category(self) -> None:
        for name, category in FILES.items():
            assert ENTRIES[name], name
            assert {entry.category for entry in ENTRIES[name]} == {category}, name

    def test_whole_knowledge_base_loads_with_unique_slugs(self) -> None:
        slugs = [entry.slug for entry in loader.load_faqs()]
        assert len(slugs) == len(set(slugs))
        assert {entry.slug for entry in MINE} <= set(slugs)


class TestCoverage:
    def test_every_fact_of_sections_1_to_3_is_referenced(self, sheet: str) -> None:
        expected = _section_ids(sheet)
        assert len(expected) >= 25
        referenced = {fact_id for entry in FACTS for fact_id in entry.fact_ids}
        assert expected - referenced == set()

    def test_every_referenced_fact_id_exists_in_the_sheet(self, sheet: str) -> None:
        known = set(re.findall(r"^\| (F\d+-\d+a?) \|", sheet, flags=re.MULTILINE))
        unknown = {
            (entry.slug, fact_id) for entry in FACTS for fact_id in entry.fact_ids if fact_id not in known
        }
        assert unknown == set()

    def test_fact_entries_have_fact_ids_and_smalltalk_has_none(self) -> None:
        assert [entry.slug for entry in FACTS if not entry.fact_ids] == []
        smalltalk = ENTRIES["90_about_bot.yaml"]
        assert all(not entry.fact_ids and not entry.sources for entry in smalltalk)
        assert all(entry.verification == "official" and entry.as_of == SHEET_COMPILED for entry in smalltalk)


class TestEntries:
    @pytest.mark.parametrize("entry", MINE, ids=lambda entry: entry.slug)
    def test_answer_is_short_and_complete(self, entry: FaqDocument) -> None:
        assert len(entry.answer) <= MAX_ANSWER_CHARS
        sentences = [part for part in entry.answer.split("。") if part.strip()]
        assert 1 <= len(sentences) <= MAX_SENTENCES
        assert entry.answer.endswith("。")

    @pytest.mark.parametrize("entry", MINE, ids=lambda entry: entry.slug)
    def test_brands_are_known_ids(self, entry: FaqDocument) -> None:
        assert set(entry.brands) <= BRAND_IDS
        assert len(entry.brands) == len(set(entry.brands))

    @pytest.mark.parametrize("entry", MINE, ids=lambda entry: entry.slug)
    def test_dates_are_plausible(self, entry: FaqDocument) -> None:
        assert entry.as_of <= SHEET_COMPILED
        if entry.valid_from and entry.valid_until:
            assert entry.valid_from < entry.valid_until

    @pytest.mark.parametrize("entry", [e for e in MINE if not e.verified], ids=lambda entry: entry.slug)
    def test_unverified_entries_are_hedged_and_point_to_an_official_page(self, entry: FaqDocument) -> None:
        assert entry.official_url is not None
        assert any(hedge in entry.answer for hedge in HEDGES), entry.answer

    @pytest.mark.parametrize("entry", FACTS, ids=lambda entry: entry.slug)
    def test_alternates_differ_from_the_question(self, entry: FaqDocument) -> None:
        variants = [normalise(text) for text in [entry.question, *entry.alternates]]
        assert len(variants) == len(set(variants))


class TestNumbersComeFromTheSheet:
    @pytest.mark.parametrize("entry", MINE, ids=lambda entry: entry.slug)
    def test_yen_amounts(self, entry: FaqDocument, sheet: str) -> None:
        assert yen_amounts(entry.answer) <= yen_amounts(sheet)

    @pytest.mark.parametrize("entry", MINE, ids=lambda entry: entry.slug)
    def test_dates(self, entry: FaqDocument, sheet: str) -> None:
        assert dates(entry.answer) <= dates(sheet)

    @pytest.mark.parametrize("entry", MINE, ids=lambda entry: entry.slug)
    def test_phone_numbers_clock_times_and_counts(self, entry: FaqDocument, sheet: str) -> None:
        plain_sheet = normalise(sheet)
        assert {number for number in answer_numbers(entry.answer) if number not in plain_sheet} == set()

    @pytest.mark.parametrize("entry", FACTS, ids=lambda entry: entry.slug)
    def test_source_urls_are_listed_in_the_sheet(self, entry: FaqDocument, sheet: str) -> None:
        urls = {str(source.url).rstrip("/") for source in entry.sources if source.url}
        assert {url for url in urls if url not in sheet} == set()

    @pytest.mark.parametrize("entry", [e for e in MINE if e.official_url], ids=lambda entry: entry.slug)
    def test_official_url_is_from_the_sheet_or_the_brands_site(
        self, entry: FaqDocument, sheet: str, carrier_sites: dict[str, str]
    ) -> None:
        brand_sites = {carrier_sites[brand] for brand in entry.brands if brand in carrier_sites}
        url = str(entry.official_url)
        assert url.rstrip("/") in sheet or urlsplit(url).netloc in brand_sites, url


class TestEvalSet:
    def test_format(self) -> None:
        assert len(EVAL) >= 30
        assert len({case["id"] for case in EVAL}) == len(EVAL)
        for case in EVAL:
            assert set(case) <= {"id", "q", "all", "none", "hedge"}, case["id"]
            assert case["q"].strip(), case["id"]
            assert case["all"], case["id"]
            assert all(group and all(isinstance(s, str) and s for s in group) for group in case["all"])

    def test_no_copies_of_the_dev_set(self) -> None:
        if not DEV_SET.exists():
            pytest.skip("the shared dev set is not available on this machine")
        with DEV_SET.open(encoding="utf-8") as handle:
            dev = {normalise(json.loads(line)["q"]) for line in handle if line.strip()}
        assert [case["id"] for case in EVAL if normalise(case["q"]) in dev] == []

    @pytest.mark.parametrize("case", EVAL, ids=lambda case: case["id"])
    def test_some_entry_of_these_files_answers_the_case(self, case: dict[str, Any]) -> None:
        assert [entry.slug for entry in MINE if _passes(_reply(entry), case)], case["q"]

    @pytest.mark.parametrize("case", EVAL, ids=lambda case: case["id"])
    def test_hedge_flag_matches_the_answering_entries(self, case: dict[str, Any]) -> None:
        unhedged = {**case, "hedge": False}
        answering = [entry for entry in MINE if _passes(entry.answer, unhedged)]
        if answering and all(not entry.verified for entry in answering):
            assert case.get("hedge") is True, case["id"]
