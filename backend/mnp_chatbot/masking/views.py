"""Character-for-character normalised views of a message: a span found in a view is a span of the original.

`text` folds full-width ASCII and half-width katakana; `digits` additionally turns kanji numerals into
digits, dash-like characters into "-" (the long-vowel mark only between digits) and zero-width
characters into spaces. Both views have exactly the length of the original.
"""

import re
import unicodedata
from dataclasses import dataclass

from mnp_chatbot.masking.kinds import PLACEHOLDERS

BLANK = "\x00"

_TEXT_TABLE: dict[int, str] = {cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)}
_TEXT_TABLE |= {0x3000: " ", 0x00A0: " "}
_TEXT_TABLE |= {
    cp: folded for cp in range(0xFF61, 0xFFA0) if len(folded := unicodedata.normalize("NFKC", chr(cp))) == 1
}
_DIGITS_TABLE = dict(_TEXT_TABLE)
_DIGITS_TABLE |= {ord(k): str(v) for v, k in enumerate("〇一二三四五六七八九")}
_DIGITS_TABLE |= {ord(c): "-" for c in "‐‑‒–—―−﹣－"}
# The long-vowel mark is a hyphen only between digits: 「090ー1234」, but 「マイナンバー1234…」.
_VOWEL_DASH = re.compile(r"(?<=[0-9])[ーｰ](?=[0-9])")
_DIGITS_TABLE |= {ord(c): " " for c in "\u200b\u200c\u200d\u2060\ufeff\t"}

# A regex search is far cheaper than a translation when nothing folds; and str.translate is twice as fast
# over a list indexed by code point (astral characters fall outside it and stay as they are) as over a dict.
_TEXT_FOLDS = re.compile("[" + "".join(re.escape(chr(cp)) for cp in _TEXT_TABLE) + "]")
_DIGIT_FOLDS = re.compile("[" + "".join(re.escape(chr(cp)) for cp in _DIGITS_TABLE) + "]")
_IDENTITY: list[int | str] = list(range(0x10000))


def _lookup(table: dict[int, str]) -> list[int | str]:
    lookup = _IDENTITY.copy()
    for code_point, folded in table.items():
        lookup[code_point] = folded
    return lookup


_TEXT_LOOKUP = _lookup(_TEXT_TABLE)
_DIGITS_LOOKUP = _lookup(_DIGITS_TABLE)
_PLACEHOLDER = re.compile("|".join(re.escape(token) for token in PLACEHOLDERS.values()))


def blanked(view: str, spans: list[tuple[int, int]]) -> str:
    """`view` with every span replaced by BLANK characters, which no pattern matches."""
    if not spans:
        return view
    parts: list[str] = []
    cursor = 0
    for start, end in sorted(spans):
        parts += [view[cursor:start], BLANK * (end - start)]
        cursor = end
    parts.append(view[cursor:])
    return "".join(parts)


@dataclass(frozen=True, slots=True)
class Views:
    text: str
    digits: str

    @classmethod
    def of(cls, original: str) -> "Views":
        """Both views, with placeholders left by an earlier masking pass blanked out."""
        tokens = [match.span() for match in _PLACEHOLDER.finditer(original)]
        text = original.translate(_TEXT_LOOKUP) if _TEXT_FOLDS.search(original) else original
        digits = original.translate(_DIGITS_LOOKUP) if _DIGIT_FOLDS.search(original) else text
        return cls(text=blanked(text, tokens), digits=blanked(_VOWEL_DASH.sub("-", digits), tokens))

    def without(self, spans: list[tuple[int, int]]) -> "Views":
        return Views(text=blanked(self.text, spans), digits=blanked(self.digits, spans))
