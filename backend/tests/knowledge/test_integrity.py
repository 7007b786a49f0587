"""Integrity rules over the whole knowledge base and over every answer computed from the carrier table.

- Every flag of the carrier table says where it comes from and how sure it is; unknown is not false.
- An entry's "as of" is the date of its newest dated source, never later.
- No two places disagree on a brand's one-stop status, and unverified statuses are spoken as unverified.
- No fee, phone number or clock time in a computed answer is missing from the fact sheet.
- The knowledge files name the fact sheet by a relative path.
"""

import datetime as dt
import itertools
import re
import unicodedata

import pytest

from mnp_chatbot.chat import structured
from mnp_chatbot.chat.intent import Attribute
from mnp_chatbot.japanese.vocabulary import ApplyChannel
from mnp_chatbot.knowledge import loader
from mnp_chatbot.knowledge.schemas import CarrierDocument, Verification
from mnp_chatbot.navigator import planner
from mnp_chatbot.navigator.schemas import Situation
from tests.fixtures.shared import FACT_SHEET

CARRIERS = loader.load_carriers()
FAQS = loader.load_faqs()
YEN = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)円")
PHONE = re.compile(r"\*\d{3,5}|(?<![\d-])0\d{1,4}-\d{2,6}(?:-\d{3,4})?(?![\d-])")
CLOCK = re.compile(r"(?<!\d)\d{1,2}:\d{2}(?!\d)")
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def newest_source_date(dates: list[str | None]) -> dt.date | None:
    found = [dt.date(*map(int, m.groups())) for d in dates if d and (m := ISO_DATE.match(d.strip()))]
    return max(found) if found else None


def every_computed_answer() -> list[tuple[str, str]]:
    """Each brand × attribute × channel answer, each pair answer and each list answer, with a label."""
    answers = []
    for carrier, attribute, channel in itertools.product(
        CARRIERS, list(Attribute), [None, "shop", "online", "phone"]
    ):
        answers.append(
            (f"{carrier.id}/{attribute}/{channel}", structured.brand_answer(carrier, attribute, channel).text)
        )
    for source, target in itertools.permutations(CARRIERS, 2):
        for channel in (None, "shop", "online"):
            text = structured.pair_answer(source, target, channel=channel, acknowledge=True).text
            answers.append((f"{source.id}->{target.id}/{channel}", text))
    for attribute in (Attribute.ONE_STOP, Attribute.SHOP_SIGNUP):
        composed = structured.list_answer(attribute, CARRIERS)
        assert composed is not None
        answers.append((f"list/{attribute}", composed.text))
    return answers


ANSWERS = every_computed_answer()


class TestFlags:
    def test_every_shop_signup_flag_has_a_source_and_a_level(self) -> None:
        for carrier in CARRIERS:
            if carrier.accepts_shop_signup is not None:
                assert carrier.shop_signup_sources, carrier.id
                assert carrier.shop_signup_verification is not None, carrier.id

    def test_a_brand_is_online_only_only_where_a_source_says_so(self) -> None:
        online_only = {c.id for c in CARRIERS if c.accepts_shop_signup is False}
        assert online_only == {
            "ahamo",
            "povo",
            "linemo",
        }  # the sheet: 店頭での申込なし / オンライン専用 / オンライン完結

    def test_every_one_stop_status_has_a_source_and_a_level(self) -> None:
        for carrier in CARRIERS:
            if carrier.one_stop.participates is not None:
                assert carrier.one_stop.sources, carrier.id

    def test_a_low_reliability_one_stop_claim_is_unknown_not_true(self) -> None:
        for carrier in CARRIERS:
            if carrier.one_stop.verification is Verification.UNVERIFIED:
                assert carrier.one_stop.participates is not True, carrier.id

    def test_every_remaining_days_rule_and_group_move_has_a_source(self) -> None:
        for carrier in CARRIERS:
            for requirement in carrier.reservation_requirements:
                if requirement.min_days_left is not None:
                    assert requirement.sources, carrier.id
            for move in carrier.group_moves:
                assert move.sources or not move.verification.is_verified, (carrier.id, move.to)


class TestDates:
    @pytest.mark.parametrize("entry", FAQS, ids=lambda e: e.slug)
    def test_as_of_is_the_newest_dated_source(self, entry: object) -> None:
        from mnp_chatbot.knowledge.schemas import FaqDocument

        assert isinstance(entry, FaqDocument)
        newest = newest_source_date([source.date for source in entry.sources])
        if newest is not None:
            assert entry.as_of == newest, entry.slug


class TestConsistency:
    def test_no_entry_calls_a_brand_unconfirmed_while_another_says_it_takes_part(self) -> None:
        names = {c.id: c.name for c in CARRIERS}
        for carrier in CARRIERS:
            if not carrier.one_stop.participates:
                continue
            for entry in FAQS:
                for sentence in re.split(r"[。\n]", entry.answer):
                    if (
                        names[carrier.id] in sentence
                        and "対応しているか" in sentence
                        and "確認できてい" in sentence
                    ):
                        assert "とする" in sentence or "情報" in sentence, (entry.slug, carrier.id)

    @pytest.mark.parametrize("carrier", CARRIERS, ids=lambda c: c.id)
    def test_an_unverified_one_stop_status_is_spoken_as_unverified(self, carrier: CarrierDocument) -> None:
        if carrier.one_stop.participates and not carrier.one_stop.verification.is_verified:
            text = structured.brand_answer(carrier, Attribute.ONE_STOP, None).text
            assert "未確認" in text or "確認できてい" in text
            docomo = next(c for c in CARRIERS if c.id == "docomo")
            situation = Situation(from_brand=carrier.id, to_brand="docomo", channel=ApplyChannel.ONLINE)
            plan = planner.make_plan(situation, [carrier, docomo], today=dt.date(2026, 12, 3))
            assert "未確認" in plan.summary or "確認" in plan.summary


class TestNoUnknownValues:
    def sheet(self) -> str:
        if not FACT_SHEET.exists():
            pytest.skip(f"{FACT_SHEET} is not beside the checkout")
        return unicodedata.normalize("NFKC", FACT_SHEET.read_text(encoding="utf-8")).replace(",", "")

    def test_every_amount_phone_number_and_time_of_a_computed_answer_is_in_the_fact_sheet(self) -> None:
        sheet = self.sheet()
        for label, text in ANSWERS:
            text = unicodedata.normalize("NFKC", text)
            for amount in YEN.findall(text):
                assert amount.replace(",", "") + "円" in sheet or amount == "0", (label, amount)
            for number in PHONE.findall(text):
                assert number in sheet, (label, number)
            for clock in CLOCK.findall(text):
                assert clock in sheet, (label, clock)


def test_knowledge_files_name_the_fact_sheet_by_a_relative_path() -> None:
    for path in [*sorted((loader.DATA_DIR / "faqs").glob("*.yaml")), loader.DATA_DIR / "carriers.yaml"]:
        assert "/work/" not in path.read_text(encoding="utf-8"), path.name
