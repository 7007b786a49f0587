"""Morphological tokenisation and character n-grams for retrieval, on `japanese.text.normalize`d text.

Every function is pure; the SudachiPy tokenizer is built once per process (`shared_tokenizer()`), because
loading its dictionary takes a noticeable fraction of a second.
"""

import threading
from collections.abc import Iterator
from enum import StrEnum
from functools import cache, lru_cache

from sudachipy import Dictionary, Morpheme, SplitMode
from sudachipy import Tokenizer as SudachiTokenizer

from mnp_chatbot.japanese.text import normalize

# Sudachi input is limited to about 49 KB of UTF-8 per call; longer texts are split at this many characters.
_MAX_CHUNK = 8000


def char_ngrams(text: str, n: int) -> list[str]:
    """Overlapping character n-grams of each white-space separated chunk; a shorter chunk is kept whole.

    >>> char_ngrams("予約番号 sim", 2)
    ['予約', '約番', '番号', 'si', 'im']
    """
    grams: list[str] = []
    for chunk in text.split():
        if len(chunk) <= n:
            grams.append(chunk)
        else:
            grams.extend(chunk[i : i + n] for i in range(len(chunk) - n + 1))
    return grams


class Granularity(StrEnum):
    """Which Sudachi units become tokens."""

    SHORT = "A"  # short units only: 事務 / 手数 / 料
    LONG = "C"  # named-entity length units only: 事務手数料
    BOTH = "AC"  # long units plus their short parts, so compounds match their pieces


# Parts of speech that carry no topic: particles, auxiliaries, punctuation, blanks, interjections.
_DROPPED_POS = frozenset({"助詞", "助動詞", "補助記号", "空白", "感動詞", "接続詞"})
# Particles that still say what is asked: 「MNPとは」 asks for a definition.
_KEPT_PARTICLES = frozenset({"とは"})
# Light verbs, formal nouns and pronouns (Sudachi normalised forms) that occur in almost every question.
_STOP_WORDS = frozenset(
    {
        "為る",
        "有る",
        "居る",
        "成る",
        "出来る",
        "言う",
        "思う",
        "下さる",
        "頂く",
        "貰う",
        "御座る",
        "事",
        "御",
        "物",
        "所",
        "為",
        "此れ",
        "其れ",
        "彼れ",
        "何",
        "様",
        "方",
        "の",
        "ん",
        "よう",
        "ゆう",
        "てる",
        "ちゃう",
        "欲しい",
        "良い",
        "教える",
        "知る",
        "就く",
        "つく",
        "-",
        "~",
    }
)


class Tokenizer:
    """Content-word tokens (Sudachi normalised forms, normalised again) of Japanese text.

    A Sudachi tokenizer refuses concurrent use ("Tokenizer is already in use"), and one instance of this
    class is shared by the event loop and the threads that rebuild the knowledge index (a chat turn during
    an FAQ edit was a 500): each thread gets a Sudachi tokenizer of its own, over the one dictionary."""

    def __init__(self, granularity: Granularity = Granularity.SHORT) -> None:
        self.granularity = granularity
        self._mode = SplitMode.A if granularity is Granularity.SHORT else SplitMode.C
        self._dictionary = Dictionary(dict="core")
        self._local = threading.local()

    @property
    def _sudachi(self) -> SudachiTokenizer:
        tokenizer: SudachiTokenizer | None = getattr(self._local, "sudachi", None)
        if tokenizer is None:
            tokenizer = self._local.sudachi = self._dictionary.tokenizer(mode=self._mode)
        return tokenizer

    def tokens(self, text: str) -> list[str]:
        """Content-word tokens of `text` (which is normalised first), in text order."""
        return list(self._content_tokens(normalize(text)))

    def _content_tokens(self, text: str) -> Iterator[str]:
        for start in range(0, len(text), _MAX_CHUNK):
            previous = ""  # the particle just dropped, since short units split とは into と + は
            for morpheme in self._sudachi.tokenize(text[start : start + _MAX_CHUNK]):
                if morpheme.part_of_speech()[0] not in _DROPPED_POS:
                    previous = ""
                    yield from self._forms(morpheme)
                    continue
                surface = morpheme.surface()
                kept = next((p for p in (previous + surface, surface) if p in _KEPT_PARTICLES), None)
                if kept:
                    yield kept
                previous = surface

    def _forms(self, morpheme: Morpheme) -> Iterator[str]:
        form = _token_form(morpheme)
        if form:
            yield form
        if self.granularity is Granularity.BOTH:
            parts = morpheme.split(SplitMode.A)
            if len(parts) > 1:
                yield from (part for part in map(_token_form, parts) if part and part != form)


def _token_form(morpheme: Morpheme) -> str:
    return _clean_form(morpheme.normalized_form())


@lru_cache(maxsize=65536)
def _clean_form(form: str) -> str:
    """A normalised token, or "" for a stop word; cached because the same forms recur in every text."""
    form = normalize(form)
    return "" if form in _STOP_WORDS or form.isspace() else form


@cache
def shared_tokenizer(granularity: Granularity = Granularity.SHORT) -> Tokenizer:
    """One tokenizer per granularity for the whole process, built on first use."""
    return Tokenizer(granularity)
