"""The one normaliser: each form compares what a customer may type with what the knowledge says."""

import pytest

from mnp_chatbot.japanese.text import fold, nfkc, normalize, squash


@pytest.mark.parametrize(
    ("text", "folded"),
    [("ＭＮＰ　ﾖﾔｸ", "mnp ヨヤク"), ("ｅＳＩＭ", "esim"), ("０９０", "090"), ("Ｙ！mobile", "y!mobile")],
)
def test_fold_unifies_widths_and_case(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_nfkc_keeps_case_for_text_shown_back() -> None:
    assert nfkc("ＱＴモバイル") == "QTモバイル"


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("ｹｰﾀｲ　ＭＮＰ  ケ-タイ", "ケータイ mnp ケータイ"),
        ("ケ〜〜タイ", "ケータイ"),
        ("090‐1234－5678", "090-1234-5678"),
        ("  予約番号\n は？ ", "予約番号 は?"),
    ],
)
def test_normalize_unifies_dashes_and_long_vowels_and_keeps_words_apart(text: str, normalized: str) -> None:
    assert normalize(text) == normalized


@pytest.mark.parametrize(
    ("text", "squashed"),
    [
        ("ＵＱ　ﾓﾊﾞｲﾙ", "uqモバイル"),
        ("uqもばいる", "uqモバイル"),
        ("いーしむ", "イーシム"),
        ("au -> povo", "au->povo"),  # an arrow stays an arrow
    ],
)
def test_squash_folds_kana_and_drops_spaces(text: str, squashed: str) -> None:
    assert squash(text) == squashed
