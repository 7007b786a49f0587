import pytest

from mnp_chatbot.faq.text import Granularity, Tokenizer, char_ngrams, shared_tokenizer
from mnp_chatbot.japanese.text import fold_kana, normalize


class TestNormalize:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("ＭＮＰ予約番号", "mnp予約番号"),  # full-width Latin
            ("ｄｏｃｏｍｏ", "docomo"),
            ("１０桁", "10桁"),  # full-width digits
            ("ｹｰﾀｲ", "ケータイ"),  # half-width kana and long vowel
            ("ｶﾞﾗｹｰ", "ガラケー"),  # half-width voiced kana combine
            ("ケ-タイ", "ケータイ"),  # hyphen after kana is a long vowel
            ("ケ－タイ", "ケータイ"),  # full-width hyphen
            ("ケ〜タイ", "ケータイ"),  # wave dash after kana
            ("スマホーーー", "スマホー"),  # repeated long vowels collapse
            ("0120－800－000", "0120-800-000"),  # dashes elsewhere are hyphens
            ("090‐1234−5678", "090-1234-5678"),
            ("  予約番号\u3000の   期限 ", "予約番号 の 期限"),  # ideographic space, runs of spaces
            ("Y!mobile", "y!mobile"),
            ("ＳｏｆｔＢａｎｋ", "softbank"),
        ],
    )
    def test_normalises(self, raw: str, expected: str) -> None:
        assert normalize(raw) == expected

    def test_is_idempotent(self) -> None:
        text = "ｹｰﾀｲのＭＮＰ　予約番号－１０桁"
        assert normalize(normalize(text)) == normalize(text)


class TestFoldKana:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [("のりかえ", "ノリカエ"), ("ノリカエ", "ノリカエ"), ("乗り換え", "乗リ換エ"), ("mnp", "mnp")],
    )
    def test_folds_hiragana_to_katakana(self, raw: str, expected: str) -> None:
        assert fold_kana(raw) == expected


class TestCharNgrams:
    @pytest.mark.parametrize(
        ("text", "n", "expected"),
        [
            ("予約番号", 2, ["予約", "約番", "番号"]),
            ("予約番号", 3, ["予約番", "約番号"]),
            ("予約 番号", 2, ["予約", "番号"]),  # no gram spans a space
            ("a", 2, ["a"]),  # a short chunk is kept whole
            ("", 2, []),
        ],
    )
    def test_splits_each_chunk(self, text: str, n: int, expected: list[str]) -> None:
        assert char_ngrams(text, n) == expected


class TestTokenizer:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("ｹｰﾀｲ", ["携帯"]),  # half-width colloquial spelling to the normalised form
            ("ケータイ", ["携帯"]),
            ("ｄｏｃｏｍｏ", ["ドコモ"]),
            ("ＭＮＰ", ["mnp"]),
        ],
    )
    def test_uses_normalised_forms(self, tokenizer: Tokenizer, text: str, expected: list[str]) -> None:
        assert tokenizer.tokens(text) == expected

    def test_kana_and_kanji_spellings_share_normalised_tokens(self, tokenizer: Tokenizer) -> None:
        assert "乗る" in set(tokenizer.tokens("のりかえ")) & set(tokenizer.tokens("乗り換えたい"))

    def test_drops_particles_auxiliaries_and_punctuation(self, tokenizer: Tokenizer) -> None:
        tokens = tokenizer.tokens("予約番号の期限っていつまでですか？")
        assert tokens == ["予約", "番号", "期限", "いつ"]

    def test_keeps_the_definition_particle(self, tokenizer: Tokenizer) -> None:
        assert tokenizer.tokens("MNPとは") == ["mnp", "とは"]

    def test_drops_light_verbs(self, tokenizer: Tokenizer) -> None:
        assert tokenizer.tokens("取得したいです") == ["取得"]

    def test_short_units_split_compounds(self, tokenizer: Tokenizer) -> None:
        assert tokenizer.tokens("契約事務手数料") == ["契約", "事務", "手数", "料"]

    def test_both_granularities_drop_stop_words_among_the_parts(self) -> None:
        assert Tokenizer(Granularity.BOTH).tokens("する") == []

    def test_both_granularities_keep_the_compound_and_its_parts(self) -> None:
        tokens = Tokenizer(Granularity.BOTH).tokens("事務手数料")
        assert tokens[0] == "事務手数料"
        assert set(tokens[1:]) == {"事務", "手数", "料"}

    def test_long_texts_are_tokenised_in_chunks(self, tokenizer: Tokenizer) -> None:
        text = "予約番号。" * 20000  # far beyond Sudachi's input limit
        assert tokenizer.tokens(text).count("番号") == 20000

    def test_shared_tokenizer_is_built_once(self) -> None:
        assert shared_tokenizer() is shared_tokenizer()
