"""The one normaliser of Japanese text. Every form starts from `fold` (NFKC, then casefold), so full-width
letters and digits and half-width kana compare equal to their ordinary forms.

    fold("ＭＮＰ　ﾖﾔｸ")        'mnp ヨヤク'
    normalize("ｹｰﾀｲ  ケ-タイ")  'ケータイ ケータイ'   (retrieval and answer text: words stay apart)
    squash("ＵＱ　ﾓﾊﾞｲﾙ")       'uqモバイル'         (matching words and names: 「uqもばいる」 too)
"""

import re
import unicodedata

_DASHES = "-‐‑‒–—―−－﹣"
_LONG_VOWELS = "ー～〜"
_KANA_BEFORE_DASH = re.compile(rf"(?<=[ぁ-ゖァ-ヺー])[{_DASHES}{_LONG_VOWELS}]+")
_OTHER_DASHES = re.compile(f"[{_DASHES}]")
_REPEATED_LONG_VOWEL = re.compile("ー{2,}")
_SPACES = re.compile(r"\s+")
_HIRAGANA_TO_KATAKANA = str.maketrans({chr(code): chr(code + 0x60) for code in range(0x3041, 0x3097)})


def nfkc(text: str) -> str:
    """Compatibility forms unified, case kept (for text shown back, such as a brand name typed)."""
    return unicodedata.normalize("NFKC", text)


def fold(text: str) -> str:
    """NFKC, then casefold."""
    return nfkc(text).casefold()


def normalize(text: str) -> str:
    """`fold`, long-vowel marks after kana and dashes elsewhere unified, white space collapsed.

    >>> normalize("ｹｰﾀｲ　ＭＮＰ  ケ-タイ")
    'ケータイ mnp ケータイ'
    """
    text = _KANA_BEFORE_DASH.sub("ー", fold(text))
    text = _OTHER_DASHES.sub("-", text)
    text = _REPEATED_LONG_VOWEL.sub("ー", text)
    return _SPACES.sub(" ", text).strip()


def fold_kana(text: str) -> str:
    """Hiragana to katakana, so that のりかえ and ノリカエ compare equal (use on folded text)."""
    return text.translate(_HIRAGANA_TO_KATAKANA)


def without_spaces(text: str) -> str:
    return _SPACES.sub("", text)


def squash(text: str) -> str:
    """`fold`, hiragana as katakana, no spaces: 「ＵＱ　ﾓﾊﾞｲﾙ」 equals 「uqもばいる」. Dashes are kept as they
    are (「au->povo」 keeps its arrow)."""
    return without_spaces(fold_kana(fold(text)))
