"""Checks of the FAQ entries written from fact sheet §4–§9 (files 40_…80_) and of their eval set."""

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from mnp_chatbot.knowledge import loader
from mnp_chatbot.knowledge.schemas import Category, FaqDocument
from tests.fixtures.shared import DEV_SET, FACT_SHEET

FAQ_DIR = loader.DATA_DIR / "faqs"
FILES = {
    "40_reservation.yaml": Category.RESERVATION,
    "50_requirements.yaml": Category.REQUIREMENTS,
    "60_side_effects.yaml": Category.SIDE_EFFECTS,
    "70_timeline.yaml": Category.TIMELINE,
    "80_trouble.yaml": Category.TROUBLE,
}
BACKEND = Path(__file__).resolve().parents[2]
EVAL_SET = BACKEND / "eval" / "kb_procedures.jsonl"

BRAND_IDS = {
    "docomo", "ahamo", "au", "uq_mobile", "povo", "softbank", "ymobile", "linemo", "rakuten", "iijmio",
    "mineo", "nihon_tsushin", "aeon_mobile", "nuro_mobile", "b_mobile", "his_mobile", "jcom_mobile",
}  # fmt: skip
# Row names of the §4 and F6-7 tables → brand ids.
TABLE_BRANDS = {
    "ドコモ": "docomo", "ahamo": "ahamo", "au": "au", "UQ mobile": "uq_mobile", "povo2.0": "povo",
    "SoftBank": "softbank", "Y!mobile": "ymobile", "LINEMO": "linemo", "楽天モバイル": "rakuten",
    "IIJmio": "iijmio", "mineo": "mineo",
}  # fmt: skip
# 楽天モバイル's MNP guide lists the carriers that take part in one-stop MNP (F2-5).
GENERAL_HOSTS = {"www.soumu.go.jp", "network.mobile.rakuten.co.jp"}
BRAND_HOSTS = {
    "docomo": {"www.docomo.ne.jp", "www.nttdocomo.co.jp"},
    "ahamo": {"ahamo.com"},
    "au": {"www.au.com"},
    "uq_mobile": {"www.uqwimax.jp"},
    "povo": {"povo.jp"},
    "softbank": {"www.softbank.jp"},
    "ymobile": {"www.ymobile.jp"},
    "linemo": {"www.linemo.jp"},
    "rakuten": {"network.mobile.rakuten.co.jp"},
    "iijmio": {"www.iijmio.jp"},
    "mineo": {"mineo.jp"},
    "aeon_mobile": {"aeonmobile.jp"},
}
HEDGES = (
    "とされ",
    "情報があります",
    "情報もあります",
    "記事",
    "紹介されて",
    "挙げられて",
    "確認できてい",
    "推測",
)
MAX_ANSWER_CHARS = 400
SHEET_COMPILED = dt.date(2026, 11, 29)

YEN = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)円")
JA_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
PHONE = re.compile(r"\*\d{3,5}|(?<![\d-])0\d{1,4}-\d{2,6}(?:-\d{3,4})?(?![\d-])")
CLOCK = re.compile(r"(?<!\d)\d{1,2}:\d{2}(?!\d)")


ENTRIES = {name: loader.load_faq_file(FAQ_DIR / name) for name in FILES}
MINE = [entry for entries in ENTRIES.values() for entry in entries]
HEDGED = [entry for entry in MINE if not entry.verified]


@pytest.fixture(scope="module")
def sheet() -> str:
    if not FACT_SHEET.exists():
        pytest.skip(f"the MNP fact sheet is not at {FACT_SHEET}")
    return FACT_SHEET.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def dev_questions() -> set[str]:
    if not DEV_SET.exists():
        pytest.skip("the shared dev set is not available on this machine")
    with DEV_SET.open(encoding="utf-8") as handle:
        return {_bare(json.loads(line)["q"]) for line in handle if line.strip()}


def _bare(text: str) -> str:
    """Normalised text without punctuation, to spot a dev question copied with another ending."""
    return re.sub(r"[?？!！。、,，]", "", normalise(text))


def _section(sheet: str, number: int) -> str:
    start = sheet.index(f"\n## {number}.")
    end = sheet.find("\n## ", start + 1)
    return sheet[start:end]


def _table_rows(text: str, title: str) -> list[str]:
    """First cells (bold removed) of the markdown table that follows the line containing `title`."""
    lines = iter(text[text.index(title) :].splitlines())
    table: list[str] = []
    for line in lines:
        if line.startswith("|"):
            table.append(line)
        elif table:
            break
    return [row.split("|")[1].strip().strip("*") for row in table[2:]]


def _referenced_ids() -> set[str]:
    return {fact_id for entry in MINE for fact_id in entry.fact_ids}


def normalise(text: str) -> str:
    """The eval set's matching rule: NFKC, lower case, no spaces, no separators between digits."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).lower())
    text = re.sub(r"(?<=\d),(?=\d)", "", text)
    return re.sub(r"(?<=\d)[-‐−–—]|[-‐−–—](?=\d)", "", text)


def _eval_questions() -> Iterator[dict[str, Any]]:
    with EVAL_SET.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


EVAL = list(_eval_questions())


class TestFiles:
    def test_every_file_has_entries_of_its_category(self) -> None:
        for name, category in FILES.items():
            assert ENTRIES[name], name
            assert {entry.category for entry in ENTRIES[name]} == {category}, name

    def test_whole_knowledge_base_loads_with_unique_slugs(self) -> None:
        slugs = [entry.slug for entry in loader.load_faqs()]
        assert len(slugs) == len(set(slugs))
        assert {entry.slug for entry in MINE} <= set(slugs)

    def test_aims_at_about_ninety_entries(self) -> None:
        assert len(MINE) >= 80


class TestFactCoverage:
    @pytest.mark.parametrize("section", [5, 6, 7, 8])
    def test_every_fact_row_of_the_section_is_referenced(self, sheet: str, section: int) -> None:
        ids = set(re.findall(r"^\| (F\d-\d+[a-z]?) \|", _section(sheet, section), flags=re.MULTILINE))
        assert ids, f"no fact ids found in §{section}"
        assert ids <= _referenced_ids(), sorted(ids - _referenced_ids())

    def test_every_open_item_of_section_9_is_referenced(self, sheet: str) -> None:
        items = re.findall(r"^(\d+)\. ", _section(sheet, 9), flags=re.MULTILINE)
        assert len(items) >= 9
        assert {f"F9-{item}" for item in items} <= _referenced_ids()

    def test_every_brand_row_of_section_4_has_its_own_entry(self, sheet: str) -> None:
        rows = _table_rows(_section(sheet, 4), "| 転出元 |")
        assert len(rows) >= 11
        for row in rows:
            brand = TABLE_BRANDS[row]
            assert any(f"F4-{brand}" in e.fact_ids and e.brands == [brand] for e in MINE), row

    def test_every_billing_row_of_f6_7_has_its_own_entry(self, sheet: str) -> None:
        rows = _table_rows(_section(sheet, 6), "F6-7 表")
        assert len(rows) >= 8
        for row in rows:
            brand = TABLE_BRANDS[row]
            assert any("F6-7" in e.fact_ids and e.brands == [brand] for e in MINE), row

    def test_section_4_notes_are_referenced(self) -> None:
        assert {"F4-common", "F4-sameday"} <= _referenced_ids()

    @pytest.mark.parametrize("code", ["M004", "M010", "M011", "M012", "M013", "M014", "F140"])
    def test_every_aeon_error_code_has_an_entry(self, code: str) -> None:
        assert any(code in e.question and e.brands == ["aeon_mobile"] for e in MINE), code


class TestNumbersComeFromTheSheet:
    """A typo in a fee, date, phone number or opening hour is a severe bug: each must be in the sheet."""

    def test_yen_amounts(self, sheet: str) -> None:
        known = {int(amount.replace(",", "")) for amount in YEN.findall(sheet)}
        for entry in MINE:
            for amount in YEN.findall(entry.answer):
                assert int(amount.replace(",", "")) in known, (entry.slug, amount)

    def test_dates(self, sheet: str) -> None:
        known = {tuple(map(int, d)) for d in JA_DATE.findall(sheet) + ISO_DATE.findall(sheet)}
        for entry in MINE:
            for date in JA_DATE.findall(entry.answer) + ISO_DATE.findall(entry.answer):
                assert tuple(map(int, date)) in known, (entry.slug, date)

    def test_phone_numbers(self, sheet: str) -> None:
        known = {number.replace("-", "") for number in re.findall(r"\d+(?:-\d+)*", sheet)}
        for entry in MINE:
            for number in PHONE.findall(entry.answer):
                assert number.lstrip("*").replace("-", "") in known, (entry.slug, number)

    def test_opening_hours(self, sheet: str) -> None:
        known = set(CLOCK.findall(sheet))
        for entry in MINE:
            for clock in CLOCK.findall(entry.answer):
                assert clock in known, (entry.slug, clock)

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("一般電話から0120-800-000、携帯から*5533", ["0120-800-000", "*5533"]),
            ("0077-75470（無料）", ["0077-75470"]),
            ("2021年10月1日以降、4,950円", []),
        ],
    )
    def test_phone_pattern_finds_what_it_should(self, text: str, expected: list[str]) -> None:
        assert PHONE.findall(text) == expected


class TestWording:
    @pytest.mark.parametrize("entry", MINE, ids=lambda e: e.slug)
    def test_answer_is_short_and_polite(self, entry: FaqDocument) -> None:
        assert len(entry.answer) <= MAX_ANSWER_CHARS
        assert entry.answer.endswith("。")
        assert any(polite in entry.answer for polite in ("です", "ます", "ません", "ください"))

    @pytest.mark.parametrize("entry", HEDGED, ids=lambda e: e.slug)
    def test_unverified_answer_is_hedged_and_points_to_an_official_page(self, entry: FaqDocument) -> None:
        assert entry.official_url is not None
        assert any(hedge in entry.answer for hedge in HEDGES), entry.answer

    @pytest.mark.parametrize("entry", MINE, ids=lambda e: e.slug)
    def test_brands_and_official_page_match(self, entry: FaqDocument) -> None:
        assert set(entry.brands) <= BRAND_IDS
        if entry.official_url is None:
            return
        allowed = set(GENERAL_HOSTS)
        for brand in entry.brands:
            allowed |= BRAND_HOSTS[brand]
        assert urlsplit(str(entry.official_url)).hostname in allowed

    def test_questions_and_alternates_are_not_copies_of_the_dev_set(self, dev_questions: set[str]) -> None:
        phrasings = [(e.slug, text) for e in MINE for text in [e.question, *e.alternates]]
        assert not [(slug, text) for slug, text in phrasings if _bare(text) in dev_questions]

    def test_as_of_is_not_after_the_sheet(self) -> None:
        assert all(entry.as_of <= SHEET_COMPILED for entry in MINE)


class TestEvalSet:
    def test_format(self) -> None:
        ids = [question["id"] for question in EVAL]
        assert len(EVAL) >= 30
        assert len(ids) == len(set(ids))
        for question in EVAL:
            assert set(question) <= {"id", "q", "all", "none", "hedge"}, question["id"]
            assert question["q"].strip(), question["id"]
            assert question["all"], question["id"]
            assert all(group and all(isinstance(s, str) for s in group) for group in question["all"])

    def test_questions_are_not_copies_of_the_dev_set(self, dev_questions: set[str]) -> None:
        assert not [q["id"] for q in EVAL if _bare(q["q"]) in dev_questions]

    @pytest.mark.parametrize("question", EVAL, ids=lambda q: q["id"])
    def test_some_entry_answers_the_question(self, question: dict[str, Any]) -> None:
        def passes(entry: FaqDocument) -> bool:
            answer = normalise(entry.answer)
            has_all = all(any(normalise(s) in answer for s in group) for group in question["all"])
            has_none = any(normalise(s) in answer for s in question.get("none", []))
            hedged_ok = not question.get("hedge") or not entry.verified
            return has_all and not has_none and hedged_ok

        assert any(passes(entry) for entry in MINE), question["q"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＡＵ 0120-929-818", "au0120929818"),
        ("4,950円（税込）", "4950円(税込)"),
        ("My docomo", "mydocomo"),
    ],
)
def test_normalise_follows_the_eval_readme(raw: str, expected: str) -> None:
    assert normalise(raw) == expected
