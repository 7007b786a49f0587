import pytest

from mnp_chatbot.faq.lexicon import TermMatcher, brand_matcher, synonym_matcher
from tests.faq.conftest import BRANDS, SYNONYMS


class TestTermMatcher:
    @pytest.fixture(scope="class")
    def matcher(self) -> TermMatcher:
        return TermMatcher(
            {"fee": ["手数料"], "port-out-fee": ["転出手数料"], "phone": ["携帯"], "carrier": ["携帯会社"]}
        )

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("転出手数料はかかる？", ["port-out-fee"]),  # the longest term wins
            ("手数料はかかる？", ["fee"]),
            ("携帯会社を変えたい", ["carrier"]),
            ("携帯を買い替えた", ["phone"]),
            ("手数料と転出手数料", ["fee", "port-out-fee"]),  # every occurrence, in order
            ("天気", []),
        ],
    )
    def test_finds_concepts_leftmost_longest(
        self, matcher: TermMatcher, text: str, expected: list[str]
    ) -> None:
        assert matcher.find(text) == expected

    def test_find_unique_keeps_first_occurrences(self, matcher: TermMatcher) -> None:
        assert matcher.find_unique("手数料、携帯、手数料") == ["fee", "phone"]

    def test_empty_matcher_finds_nothing(self) -> None:
        assert TermMatcher({}).find("手数料") == []


class TestSynonymMatcher:
    @pytest.mark.parametrize(
        ("text", "concept"),
        [
            ("予約コードの期限", "syn:予約番号"),
            ("ＭＮＰ予約番号", "syn:予約番号"),  # width variants normalised
            ("違約金はいくら", "syn:解約金"),
            ("契約解除料", "syn:解約金"),
            ("ノリカエたい", "syn:mnp"),  # katakana spelling of のりかえ
            ("番号ポータビリティ", "syn:mnp"),
        ],
    )
    def test_maps_terms_to_their_group(self, text: str, concept: str) -> None:
        assert synonym_matcher(SYNONYMS).find_unique(text) == [concept]

    def test_port_out_and_port_in_stay_apart(self) -> None:
        matcher = synonym_matcher(SYNONYMS)
        assert matcher.find("転出") != matcher.find("転入")


class TestBrandMatcher:
    @pytest.mark.parametrize(
        ("text", "brands"),
        [
            ("ワイモバから乗り換えたい", ["brand:ymobile"]),
            ("ｄｏｃｏｍｏの予約番号", ["brand:docomo"]),
            ("ソフバンの解約金", ["brand:softbank"]),
            ("ＳＢからａｕへ", ["brand:softbank", "brand:au"]),
            ("NTTドコモ", ["brand:docomo"]),
            ("ドコモからアハモ", ["brand:docomo", "brand:ahamo"]),
        ],
    )
    def test_detects_brands_by_alias(self, text: str, brands: list[str]) -> None:
        assert brand_matcher(BRANDS).find_unique(text) == brands

    @pytest.mark.parametrize("text", ["audioの設定", "sbiの口座", "beautyサロン"])
    def test_latin_aliases_need_word_boundaries(self, text: str) -> None:
        assert brand_matcher(BRANDS).find(text) == []


def test_terms_that_normalise_to_nothing_are_ignored() -> None:
    assert TermMatcher({"blank": ["　", "手数料"]}).find("手数料") == ["blank"]
