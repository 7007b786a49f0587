"""Known domain terms found in text: synonym groups and carrier brand aliases.

Each group of terms is a *concept*. A concept found in a text becomes one extra token (`syn:予約番号`,
`brand:ymobile`) on both the index and the query side, so 予約コード in a question matches MNP予約番号 in
an FAQ without rewriting either text. Matching is on normalised, kana-folded text and respects word
boundaries of Latin terms (au does not match inside "audio").
"""

import re
from collections.abc import Mapping, Sequence

from mnp_chatbot.japanese.text import fold_kana, normalize

_LATIN = re.compile(r"[a-z0-9]")


def match_form(text: str) -> str:
    """The form in which terms and texts are compared."""
    return fold_kana(normalize(text))


def _pattern(term: str) -> str:
    escaped = re.escape(term)
    before = r"(?<![a-z0-9])" if _LATIN.match(term[0]) else ""
    after = r"(?![a-z0-9])" if _LATIN.match(term[-1]) else ""
    return before + escaped + after


class TermMatcher:
    """Finds the concepts whose terms occur in a text, leftmost-longest, one concept per occurrence."""

    def __init__(self, concepts: Mapping[str, Sequence[str]]) -> None:
        self._concept_of: dict[str, str] = {}
        for concept, terms in concepts.items():
            for term in map(match_form, terms):
                if term:
                    self._concept_of.setdefault(term, concept)
        alternatives = sorted(self._concept_of, key=len, reverse=True)
        self._regex = re.compile("|".join(map(_pattern, alternatives))) if alternatives else None

    def find(self, text: str) -> list[str]:
        """Concepts of every term occurrence in `text`, in text order (repeats kept)."""
        if self._regex is None:
            return []
        return [self._concept_of[found.group()] for found in self._regex.finditer(match_form(text))]

    def find_unique(self, text: str) -> list[str]:
        """Concepts found in `text`, each once, in order of first occurrence."""
        return list(dict.fromkeys(self.find(text)))


def synonym_matcher(groups: Sequence[Sequence[str]]) -> TermMatcher:
    """Concept `syn:<first term>` for each group; a term listed in two groups belongs to the first."""
    return TermMatcher({f"syn:{match_form(group[0])}": group for group in groups if group})


def brand_matcher(aliases: Mapping[str, Sequence[str]]) -> TermMatcher:
    """Concept `brand:<id>` for each brand, matched by its id and its aliases."""
    return TermMatcher({brand_token(brand): [brand, *names] for brand, names in aliases.items()})


def brand_token(brand_id: str) -> str:
    return f"brand:{brand_id}"


def brand_of(token: str) -> str:
    return token.removeprefix("brand:")
