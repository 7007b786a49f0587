from dataclasses import replace

import pytest

from mnp_chatbot.faq.retrieval import (
    Hit,
    IndexedEntry,
    Retriever,
    RetrieverConfig,
    char_view,
    is_code,
    rrf_fuse,
    select_context,
    without_codes,
)
from tests.faq.conftest import ENTRIES


def top_id(retriever: Retriever, query: str) -> str | None:
    hits = retriever.search(query, limit=1)
    return hits[0].entry_id if hits else None


class TestRrfFuse:
    def test_items_ranked_high_everywhere_win(self) -> None:
        fused = rrf_fuse(["a", "b", "c"], ["b", "a", "d"], k=60)
        assert [item for item, _ in fused][:2] in (["a", "b"], ["b", "a"])
        assert dict(fused)["a"] == pytest.approx(1 / 61 + 1 / 62)

    def test_item_in_one_ranking_only_scores_less(self) -> None:
        fused = dict(rrf_fuse(["a", "b"], ["a", "c"]))
        assert fused["a"] > fused["b"] == fused["c"]

    def test_smaller_k_favours_top_ranks_more(self) -> None:
        sharp, flat = dict(rrf_fuse(["a", "b"], k=1)), dict(rrf_fuse(["a", "b"], k=100))
        assert sharp["a"] / sharp["b"] > flat["a"] / flat["b"]

    def test_no_rankings_give_nothing(self) -> None:
        assert rrf_fuse() == []


class TestSelectContext:
    def test_keeps_the_best_hits_that_fit_the_budget(self, retriever: Retriever) -> None:
        hits = retriever.search("予約番号", limit=4)
        texts = {hit.entry_id: "あ" * size for hit, size in zip(hits, (50, 80, 30, 10), strict=True)}
        chosen = select_context(hits, 100, texts=texts)
        assert [hit.entry_id for hit in chosen] == [hits[0].entry_id, hits[2].entry_id, hits[3].entry_id]

    def test_nothing_fits_a_zero_budget(self, retriever: Retriever) -> None:
        hits = retriever.search("予約番号", limit=2)
        assert select_context(hits, 0, texts={hit.entry_id: "答え" for hit in hits}) == []


class TestCharView:
    def test_folds_kana_and_drops_punctuation(self) -> None:
        assert char_view("のりかえ、できる？") == "ノリカエ デキル"


class TestSearch:
    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("MNPとは", "what-is-mnp"),
            ("予約番号の有効期限は？", "reservation-validity"),
            ("予約番号って何桁？", "reservation-digits"),
            ("前の会社は自分で解約する？", "old-contract"),
            ("未成年ですが乗り換えできますか", "minors"),
            ("乗り換え先で払う事務手数料", "activation-fee"),
        ],
    )
    def test_finds_the_entry_that_answers(self, retriever: Retriever, query: str, expected: str) -> None:
        assert top_id(retriever, query) == expected

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("ＭＮＰ予約番号　有効期限", "reservation-validity"),  # full width
            ("予約番合の有効期眼", "reservation-validity"),  # two typos
            ("よやくばんごうの期限", "reservation-validity"),  # all in hiragana
            ("ｲｰｼﾑ すぐ使える？", "esim-same-day"),  # half-width kana
        ],
    )
    def test_survives_typos_and_width_variants(self, retriever: Retriever, query: str, expected: str) -> None:
        assert top_id(retriever, query) == expected

    @pytest.mark.parametrize("limit", [1, 2, 5])
    def test_limit_caps_the_results(self, retriever: Retriever, limit: int) -> None:
        assert len(retriever.search("予約番号", limit=limit)) == limit

    def test_few_candidates_are_reranked_when_asked(self, config: RetrieverConfig) -> None:
        narrow = Retriever.build(ENTRIES, replace(config, candidates=2))
        assert len(narrow.search("予約番号", limit=10)) == 2

    def test_hits_are_ordered_by_score(self, retriever: Retriever) -> None:
        scores = [hit.score for hit in retriever.search("予約番号の発行", limit=10)]
        assert scores == sorted(scores, reverse=True)

    @pytest.mark.parametrize("query", ["", "  ", "。？！", "qwxzj"])
    def test_queries_without_known_terms_find_nothing(self, retriever: Retriever, query: str) -> None:
        assert retriever.search(query) == []

    def test_matched_terms_explain_the_hit(self, retriever: Retriever) -> None:
        hit = retriever.search("予約番号の有効期限", limit=1)[0]
        assert {"予約", "番号", "期限", "syn:予約番号"} <= set(hit.matched_terms)

    def test_equal_entries_tie_in_index_order(self) -> None:
        twins = [
            IndexedEntry(id=f"twin-{i}", question="予約番号の期限", answer="15日間です。") for i in range(3)
        ]
        hits = Retriever.build(twins).search("予約番号の期限")
        assert [hit.entry_id for hit in hits] == ["twin-0", "twin-1", "twin-2"]

    def test_a_concept_no_entry_mentions_adds_nothing(self, retriever: Retriever) -> None:
        assert top_id(retriever, "移転元の予約番号") == top_id(retriever, "予約番号")

    def test_reports_its_index_size(self, retriever: Retriever) -> None:
        assert retriever.index_bytes > 0

    def test_an_empty_base_finds_nothing(self) -> None:
        assert Retriever.build([]).search("予約番号") == []


class TestSynonyms:
    @pytest.mark.parametrize(
        ("query", "expected"),
        [("予約コードはいつまで有効？", "reservation-validity"), ("違約金", "au-cancellation-fee")],
    )
    def test_expand_the_query_to_the_canonical_term(
        self, retriever: Retriever, query: str, expected: str
    ) -> None:
        hit = retriever.search(query, limit=1)[0]
        assert hit.entry_id == expected
        assert any(term.startswith("syn:") for term in hit.matched_terms)

    def test_can_be_turned_off(self, config: RetrieverConfig) -> None:
        plain = Retriever.build(ENTRIES, replace(config, use_synonyms=False))
        with_synonyms = Retriever.build(ENTRIES, config)
        query = "予約コード"  # only the synonym links it to 予約番号
        assert not any(term.startswith("syn:") for hit in plain.search(query) for term in hit.matched_terms)
        assert with_synonyms.search(query, limit=1)[0].confidence > plain.search(query, limit=1)[0].confidence


class TestBrands:
    @pytest.mark.parametrize(
        ("query", "brands"),
        [
            ("ワイモバから乗り換えたい", ["ymobile"]),
            ("ｄｏｃｏｍｏの予約番号", ["docomo"]),
            ("ソフバンの解約金", ["softbank"]),
            ("ドコモからアハモに変えたい", ["docomo", "ahamo"]),
            ("予約番号の期限", []),
        ],
    )
    def test_detects_brands(self, retriever: Retriever, query: str, brands: list[str]) -> None:
        assert retriever.detect_brands(query) == brands

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("ワイモバの予約番号の取り方", "ymobile-reservation"),
            ("ｄｏｃｏｍｏ 予約番号 発行", "docomo-reservation"),
            ("ソフバンで予約番号を発行したい", "softbank-reservation"),
        ],
    )
    def test_prefer_entries_of_the_named_brand(self, retriever: Retriever, query: str, expected: str) -> None:
        hits = retriever.search(query, limit=3)
        assert hits[0].entry_id == expected
        assert hits[0].brand_factor > 1.0
        assert all(
            hit.brand_factor < 1.0
            for hit in hits
            if hit.entry_id.endswith("-reservation") and hit is not hits[0]
        )

    def test_without_brand_preference_other_brands_are_not_demoted(self, config: RetrieverConfig) -> None:
        neutral = replace(config, brand_boost=0.0, other_brand_penalty=0.0, unbranded_query_penalty=0.0)
        hits = Retriever.build(ENTRIES, neutral).search("ワイモバの予約番号の取り方")
        assert {hit.brand_factor for hit in hits} == {1.0}


class TestDenseFusion:
    def test_dense_ranking_can_reorder_close_lexical_hits(self, retriever: Retriever) -> None:
        query = "予約番号の取り方"
        lexical = [hit.entry_id for hit in retriever.search(query, limit=3)]
        favourite = lexical[-1]
        dense = [(favourite, 0.9), (lexical[0], 0.2), (lexical[1], 0.1)]
        assert retriever.search(query, limit=3, dense=dense)[0].entry_id == favourite

    def test_dense_only_entries_become_candidates(self, retriever: Retriever) -> None:
        hits = retriever.search("今日の天気は？", dense=[("esim-same-day", 0.8), ("minors", 0.3)])
        assert [hit.entry_id for hit in hits][:1] == ["esim-same-day"]
        assert hits[0].dense == pytest.approx(0.8)

    def test_unknown_dense_ids_are_ignored(self, retriever: Retriever) -> None:
        with_unknown = retriever.search("予約番号の期限", dense=[("no-such-entry", 0.99)])
        assert [hit.entry_id for hit in with_unknown] == [
            hit.entry_id for hit in retriever.search("予約番号の期限")
        ]


class TestConfidence:
    IN_DOMAIN = ("予約番号の有効期限は？", "auの解約金はいくら", "ドコモからアハモに変えるには", "MNPとは")
    OUT_OF_DOMAIN = ("今日の天気は？", "おすすめのラーメン屋", "東京タワーの高さ", "株価の見通しを教えて")

    def test_is_a_probability(self, retriever: Retriever) -> None:
        for query in self.IN_DOMAIN + self.OUT_OF_DOMAIN:
            assert all(0.0 <= hit.confidence <= 1.0 for hit in retriever.search(query))

    @pytest.mark.parametrize("inside", IN_DOMAIN)
    @pytest.mark.parametrize("outside", OUT_OF_DOMAIN)
    def test_in_domain_beats_out_of_domain(self, retriever: Retriever, inside: str, outside: str) -> None:
        best_outside = max((hit.confidence for hit in retriever.search(outside)), default=0.0)
        assert retriever.search(inside, limit=1)[0].confidence > best_outside

    @pytest.mark.parametrize("query", IN_DOMAIN)
    def test_top_hit_is_confident_when_clearly_right(self, retriever: Retriever, query: str) -> None:
        assert retriever.search(query, limit=1)[0].confidence >= 0.5

    @pytest.mark.parametrize("query", OUT_OF_DOMAIN)
    def test_out_of_domain_questions_get_low_confidence(self, retriever: Retriever, query: str) -> None:
        assert all(hit.confidence < 0.3 for hit in retriever.search(query))

    def test_lower_ranks_are_less_confident_than_a_clear_winner(self, retriever: Retriever) -> None:
        hits = retriever.search("予約番号の有効期限は何日", limit=3)
        assert hits[0].confidence > max(hit.confidence for hit in hits[1:])


class TestQuestionLines:
    """`line_match` and `line_coverage`: how nearly the query is one of the entry's question lines."""

    MAIN = IndexedEntry(
        id="validity",
        question="MNP予約番号の有効期限は何日ですか？",
        alternates=("予約番号の有効期限はいつまで？", "予約番号って何日間使えるの？"),
        answer="MNP予約番号の有効期限は、取得した日を含めて15日間です。",
    )
    SIDE = IndexedEntry(
        id="extend",
        question="MNP予約番号の有効期限は延長できますか？",
        answer="予約番号の有効期限は延長できないとされています。",
    )

    def hits(self, config: RetrieverConfig, query: str) -> dict[str, Hit]:
        retriever = Retriever.build([self.MAIN, self.SIDE], config)
        return {hit.entry_id: hit for hit in retriever.search(query)}

    def test_a_question_asked_word_for_word_matches_its_line_fully(self, config: RetrieverConfig) -> None:
        hit = self.hits(config, "MNP予約番号の有効期限は延長できますか？")["extend"]
        assert hit.line_match == pytest.approx(1.0)
        assert hit.line_coverage == pytest.approx(1.0)

    def test_a_side_topic_the_query_does_not_name_lowers_the_match(self, config: RetrieverConfig) -> None:
        hits = self.hits(config, "予約番号の有効期限は？")
        assert hits["validity"].line_coverage == pytest.approx(1.0)
        assert hits["extend"].line_coverage == pytest.approx(1.0)
        assert hits["validity"].line_match > hits["extend"].line_match

    def test_a_query_word_no_line_has_lowers_the_coverage(self, config: RetrieverConfig) -> None:
        # 取得 is a word of the index (MAIN's answer) that no question line has
        hit = self.hits(config, "取得した日から予約番号の有効期限は延長できますか？")["extend"]
        assert hit.line_coverage < 0.9


class TestCodes:
    """Codes, numbers and masked personal data in a question are not what it asks about."""

    @pytest.mark.parametrize("run", ["qx12345678", "090-1234-5678", "1234567890", "ab1234567", "m004"])
    def test_codes(self, run: str) -> None:
        assert is_code(run)

    @pytest.mark.parametrize("run", ["iphone15", "5g", "2026", "4950", "sh-51c", "esim"])
    def test_words(self, run: str) -> None:
        assert not is_code(run)

    def test_placeholders_and_unknown_codes_leave_the_query(self) -> None:
        assert without_codes("予約番号[電話番号]の期限 QX12345678", frozenset()).split() == [
            "予約番号",
            "の期限",
        ]
        assert without_codes("0120-800-000って何", frozenset({"0120-800-000"})) == "0120-800-000って何"

    @pytest.mark.parametrize("noise", ["QX12345678", "090-1234-5678", "[電話番号]", "AB1234567"])
    def test_a_code_does_not_lower_the_confidence(self, retriever: Retriever, noise: str) -> None:
        plain = retriever.search("予約番号の有効期限は？", limit=1)[0]
        noisy = retriever.search(f"予約番号の有効期限は？{noise}", limit=1)[0]
        assert noisy.entry_id == plain.entry_id == "reservation-validity"
        assert noisy.confidence == pytest.approx(plain.confidence)

    def test_a_code_the_base_has_is_still_searched(self, config: RetrieverConfig) -> None:
        entries = [
            *ENTRIES,
            IndexedEntry(id="m004", question="エラーM004とは？", answer="残り日数不足です。"),
        ]
        assert top_id(Retriever.build(entries, config), "M004") == "m004"

    def test_a_question_of_codes_only_finds_nothing(self, retriever: Retriever) -> None:
        assert retriever.search("QX12345678 090-1234-5678") == []
