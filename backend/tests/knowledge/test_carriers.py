"""The carrier and brand table: shape, cross-references, and that every number comes from the fact sheet."""

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest
import yaml

from mnp_chatbot.knowledge import loader
from mnp_chatbot.knowledge.schemas import (
    CarrierDocument,
    CarrierKind,
    Channel,
    Fee,
    GroupMove,
    OneStop,
    PortOutChannel,
    ReservationRequirement,
    Verification,
)
from tests.fixtures.shared import FACT_SHEET

Fact = OneStop | PortOutChannel | Fee | ReservationRequirement | GroupMove

CARRIERS_YAML = loader.DATA_DIR / "carriers.yaml"

WANTED_IDS = {
    "docomo",
    "ahamo",
    "au",
    "uq_mobile",
    "povo",
    "softbank",
    "ymobile",
    "linemo",
    "rakuten",
    "iijmio",
    "mineo",
    "nihon_tsushin",
    "aeon_mobile",
    "nuro_mobile",
    "b_mobile",
    "his_mobile",
    "jcom_mobile",
}
# F2-3: the operators taking part when the one-stop method started on 2023-05-24.
ONE_STOP_LAUNCH = {
    *("docomo", "ahamo", "au", "uq_mobile", "povo", "softbank", "ymobile", "linemo", "rakuten"),
    "nihon_tsushin",
}
ONE_STOP_START = dt.date(2023, 5, 24)

_HIRAGANA_TO_KATAKANA = str.maketrans({chr(code): chr(code + 0x60) for code in range(0x3041, 0x3097)})
_DIGIT_RUN = re.compile(r"\d(?:[\d-]*\d)?")
_YEN = re.compile(r"(\d[\d,]*)\s*円")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CLOCK = re.compile(r"\d{1,2}:\d{2}")


def squash(text: str) -> str:
    """NFKC, casefold, hiragana as katakana, no white space: how brand names are compared."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_HIRAGANA_TO_KATAKANA)
    return re.sub(r"\s+", "", text)


@cache
def carriers() -> list[CarrierDocument]:
    return loader.load_carriers()


@cache
def raw_table() -> Any:
    return yaml.safe_load(CARRIERS_YAML.read_text(encoding="utf-8"))


def by_id() -> dict[str, CarrierDocument]:
    return {carrier.id: carrier for carrier in carriers()}


def names_of(carrier: CarrierDocument) -> set[str]:
    return {squash(name) for name in (carrier.id, carrier.name, *carrier.aliases)}


def resolve(text: str) -> str | None:
    wanted = squash(text)
    return next((carrier.id for carrier in carriers() if wanted in names_of(carrier)), None)


def strings_in(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dt.date):
        yield node.isoformat()
    elif isinstance(node, dict):
        for value in node.values():
            yield from strings_in(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings_in(item)


def urls_in(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("url", "mnp_page_url") and isinstance(value, str):
                yield value
            else:
                yield from urls_in(value)
    elif isinstance(node, list):
        for item in node:
            yield from urls_in(item)


def facts_of(carrier: CarrierDocument) -> list[Fact]:
    return [
        carrier.one_stop,
        *carrier.port_out,
        *carrier.fees,
        *carrier.reservation_requirements,
        *carrier.group_moves,
    ]


def hedgeable_texts(carrier: CarrierDocument) -> Iterator[tuple[Verification, str | None]]:
    yield carrier.one_stop.verification, carrier.one_stop.note
    yield from ((channel.verification, channel.note) for channel in carrier.port_out)
    yield from ((fee.verification, fee.text) for fee in carrier.fees)
    yield from ((req.verification, req.text) for req in carrier.reservation_requirements)
    yield from ((move.verification, move.note) for move in carrier.group_moves)


@cache
def sheet_text() -> str:
    if not FACT_SHEET.is_file():
        pytest.skip(f"fact sheet not found at {FACT_SHEET}")
    return unicodedata.normalize("NFKC", FACT_SHEET.read_text(encoding="utf-8")).replace("\\", "")


def digits(token: str) -> str:
    return token.replace("-", "").replace(",", "")


@cache
def sheet_numbers() -> frozenset[str]:
    return frozenset(digits(token) for token in _DIGIT_RUN.findall(sheet_text()))


@cache
def sheet_yen() -> frozenset[int]:
    return frozenset(int(digits(amount)) for amount in _YEN.findall(sheet_text()))


class TestBrands:
    def test_table_has_every_wanted_brand_once(self) -> None:
        ids = [carrier.id for carrier in carriers()]
        assert len(ids) == len(set(ids))
        assert len(ids) >= 15
        assert set(ids) == WANTED_IDS

    @pytest.mark.parametrize(
        ("group", "members"),
        [
            ("docomo", {"docomo", "ahamo"}),
            ("kddi", {"au", "uq_mobile", "povo"}),
            ("softbank", {"softbank", "ymobile", "linemo"}),
            ("rakuten", {"rakuten"}),
        ],
    )
    def test_groups_of_the_big_carriers(self, group: str, members: set[str]) -> None:
        assert {carrier.id for carrier in carriers() if carrier.group == group} == members

    def test_every_mvno_is_alone_in_its_group(self) -> None:
        groups = [carrier.group for carrier in carriers()]
        for carrier in carriers():
            if carrier.kind is CarrierKind.MVNO:
                assert groups.count(carrier.group) == 1, carrier.id

    @pytest.mark.parametrize("brand", ["ahamo", "povo", "linemo"])
    def test_online_brands_take_no_shop_signups(self, brand: str) -> None:
        assert by_id()[brand].accepts_shop_signup is False

    def test_brands_without_shops_charge_no_shop_activation_fee(self) -> None:
        for carrier in carriers():
            if not carrier.accepts_shop_signup:
                shop_fees = [fee for fee in carrier.fees if fee.channel is Channel.SHOP]
                assert [fee.name for fee in shop_fees if fee.name == "契約事務手数料"] == [], carrier.id

    def test_brand_as_of_is_not_older_than_its_fees(self) -> None:
        for carrier in carriers():
            assert all(fee.as_of <= carrier.as_of for fee in carrier.fees), carrier.id


class TestAliases:
    def test_names_are_unique_across_brands(self) -> None:
        owner: dict[str, str] = {}
        for carrier in carriers():
            for name in names_of(carrier):
                assert owner.setdefault(name, carrier.id) == carrier.id, f"{name!r} is used twice"

    def test_aliases_are_not_redundant_or_too_short(self) -> None:
        for carrier in carriers():
            squashed = [squash(alias) for alias in carrier.aliases]
            assert len(squashed) == len(set(squashed)), carrier.id
            assert all(len(alias) >= 2 for alias in squashed), carrier.id

    @pytest.mark.parametrize(
        ("written", "brand"),
        [
            ("ドコモ", "docomo"),
            ("ＤＯＣＯＭＯ", "docomo"),
            ("NTTドコモ", "docomo"),
            ("アハモ", "ahamo"),
            ("ａｕ", "au"),
            ("エーユー", "au"),
            ("ユーキュー", "uq_mobile"),
            ("ＵＱモバイル", "uq_mobile"),
            ("uqmobile", "uq_mobile"),
            ("ぽぼ", "povo"),
            ("povo2.0", "povo"),
            ("ソフバン", "softbank"),
            ("ＳＢ", "softbank"),
            ("ﾜｲﾓﾊﾞ", "ymobile"),
            ("Y!mobile", "ymobile"),
            ("らいんも", "linemo"),
            ("ラクテン", "rakuten"),
            ("楽天", "rakuten"),
            ("みおふぉん", "iijmio"),
            ("IIJ", "iijmio"),
            ("マイネオ", "mineo"),
            ("日本通信", "nihon_tsushin"),
            ("ｲｵﾝﾓﾊﾞｲﾙ", "aeon_mobile"),
            ("ニューロ", "nuro_mobile"),
            ("ビーモバイル", "b_mobile"),
            ("HISモバイル", "his_mobile"),
            ("ジェイコム", "jcom_mobile"),
        ],
    )
    def test_customers_spellings_resolve_to_the_brand(self, written: str, brand: str) -> None:
        assert resolve(written) == brand

    @pytest.mark.parametrize("word", ["his", "line", "モバイル", "携帯", "sim"])
    def test_ordinary_words_are_not_brand_names(self, word: str) -> None:
        assert resolve(word) is None


class TestGroupMoves:
    def test_moves_stay_inside_the_group(self) -> None:
        table = by_id()
        for carrier in carriers():
            targets = [move.to for move in carrier.group_moves]
            assert len(targets) == len(set(targets)), carrier.id
            for target in targets:
                assert target in table, f"{carrier.id} -> {target}"
                assert target != carrier.id
                assert table[target].group == carrier.group, f"{carrier.id} -> {target}"

    @pytest.mark.parametrize(
        ("source", "target", "kind"),
        [
            ("docomo", "ahamo", "plan_change"),
            ("au", "uq_mobile", "number_transfer"),
            ("uq_mobile", "au", "number_transfer"),
            ("ymobile", "linemo", "brand_switch"),
            ("softbank", "ymobile", "brand_switch"),
            ("linemo", "softbank", "brand_switch"),
        ],
    )
    def test_in_group_moves_of_the_fact_sheet(self, source: str, target: str, kind: str) -> None:
        kinds = {move.to: move.kind for move in by_id()[source].group_moves}
        assert kinds.get(target) == kind

    @pytest.mark.parametrize(("source", "target"), [("povo", "au"), ("au", "povo"), ("uq_mobile", "povo")])
    def test_povo_moves_are_ordinary_mnp(self, source: str, target: str) -> None:
        assert target not in {move.to for move in by_id()[source].group_moves}


class TestOneStop:
    def test_launch_members_are_exactly_those_of_f2_3(self) -> None:
        launched = {
            carrier.id
            for carrier in carriers()
            if carrier.one_stop.participates and carrier.one_stop.since == ONE_STOP_START
        }
        assert launched == ONE_STOP_LAUNCH

    def test_no_other_start_date_is_claimed(self) -> None:
        for carrier in carriers():
            assert carrier.one_stop.since in (None, ONE_STOP_START), carrier.id
            if carrier.one_stop.since is not None:
                assert carrier.one_stop.participates, carrier.id

    def test_launch_members_are_verified(self) -> None:
        for brand in ONE_STOP_LAUNCH:
            assert by_id()[brand].one_stop.verification.is_verified, brand


class TestProvenance:
    def test_verified_facts_name_their_sources(self) -> None:
        for carrier in carriers():
            for fact in facts_of(carrier):
                if fact.verification.is_verified:
                    assert fact.sources, f"{carrier.id}: {fact!r}"

    def test_unverified_facts_point_to_the_official_page(self) -> None:
        for carrier in carriers():
            for verification, text in hedgeable_texts(carrier):
                if verification is Verification.UNVERIFIED:
                    assert text is not None, carrier.id
                    assert "公式" in text, f"{carrier.id}: {text}"

    def test_fee_amount_matches_its_text(self) -> None:
        for carrier in carriers():
            for fee in carrier.fees:
                if fee.amount_yen:
                    assert f"{fee.amount_yen:,}円" in fee.text, f"{carrier.id}: {fee.text}"
                elif fee.amount_yen == 0:
                    assert re.search("無料|廃止|撤廃", fee.text), f"{carrier.id}: {fee.text}"


class TestNumbersComeFromTheFactSheet:
    def test_phone_numbers(self) -> None:
        for carrier in carriers():
            for channel in carrier.port_out:
                for entry in channel.phone_numbers:
                    number = _DIGIT_RUN.search(unicodedata.normalize("NFKC", entry))
                    assert number is not None, entry
                    assert digits(number.group()) in sheet_numbers(), f"{carrier.id}: {entry}"

    def test_yen_amounts(self) -> None:
        amounts = {fee.amount_yen for carrier in carriers() for fee in carrier.fees if fee.amount_yen}
        for text in strings_in(raw_table()):
            amounts |= {int(digits(amount)) for amount in _YEN.findall(unicodedata.normalize("NFKC", text))}
        assert amounts
        assert amounts <= sheet_yen()

    def test_dates(self) -> None:
        dates = {date for text in strings_in(raw_table()) for date in _ISO_DATE.findall(text)}
        assert dates
        assert {date for date in dates if date not in sheet_text()} == set()

    def test_clock_times(self) -> None:
        times = {time for text in strings_in(raw_table()) for time in _CLOCK.findall(text)}
        assert times
        assert {time for time in times if time not in sheet_text()} == set()

    def test_source_urls(self) -> None:
        urls = set(urls_in(raw_table()))
        assert urls
        assert {url for url in urls if url not in sheet_text()} == set()
