"""The one finder of carrier brands in what a customer types: by id, display name or alias, on `squash()`ed
text, the longest name first (楽天モバイル, not 楽天), an ASCII name never inside a longer ASCII word (au is
not in audio or aupay)."""

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from mnp_chatbot.japanese.text import squash
from mnp_chatbot.knowledge import schemas as knowledge

_ASCII_WORD = re.compile(r"[a-z0-9]")


@lru_cache(maxsize=4096)
def _squashed_name(name: str) -> str:
    """A brand name squashed once: names are few and looked for in every message."""
    return squash(name)


def names_of(carrier: knowledge.CarrierDocument) -> set[str]:
    """Every name of a brand, squashed."""
    return {_squashed_name(name) for name in (carrier.id, carrier.name, *carrier.aliases)} - {""}


@dataclass(frozen=True, slots=True)
class Mention:
    carrier: knowledge.CarrierDocument
    start: int
    end: int  # positions in the squashed text


def find_brands(text: str, carriers: Sequence[knowledge.CarrierDocument]) -> list[Mention]:
    """Non-overlapping brand mentions in reading order; the longest name wins (楽天モバイル, not 楽天)."""
    squashed = squash(text)
    candidates = [
        Mention(carrier, start, start + len(name))
        for carrier in carriers
        for name in names_of(carrier)
        for start in _occurrences(name, squashed)
        if _stands_alone(squashed, start, start + len(name))
    ]
    candidates.sort(key=lambda mention: (-(mention.end - mention.start), mention.start))
    chosen: list[Mention] = []
    for mention in candidates:
        if all(mention.end <= other.start or mention.start >= other.end for other in chosen):
            chosen.append(mention)
    return sorted(chosen, key=lambda mention: mention.start)


def _occurrences(name: str, text: str) -> Iterator[int]:
    """Where `name` starts in `text`, left to right, without overlaps (as `re.finditer`)."""
    start = text.find(name)
    while start >= 0:
        yield start
        start = text.find(name, start + len(name))


def _stands_alone(text: str, start: int, end: int) -> bool:
    """An ASCII name such as `au` must not be part of a longer ASCII word (`audio`, `aupay`)."""
    joined_before = start > 0 and _is_ascii_word(text[start]) and _is_ascii_word(text[start - 1])
    joined_after = end < len(text) and _is_ascii_word(text[end - 1]) and _is_ascii_word(text[end])
    return not (joined_before or joined_after)


def _is_ascii_word(char: str) -> bool:
    return _ASCII_WORD.fullmatch(char) is not None
