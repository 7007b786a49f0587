"""Finding brands of the carrier table in what a customer types (ids, display names and aliases)."""

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from mnp_chatbot.knowledge import schemas as knowledge
from mnp_chatbot.navigator.exceptions import UnknownBrand

_SPACES = re.compile(r"\s+")
_HIRAGANA_TO_KATAKANA = str.maketrans({chr(code): chr(code + 0x60) for code in range(0x3041, 0x3097)})
_ASCII_WORD = re.compile(r"[a-z0-9]")
OTHER_PREFIX = "other:"  # a brand the customer named that the carrier table does not hold: "other:QTモバイル"
COMPANY_WORDS = (
    "モバイル",
    "mobile",
    "sim",
    "シム",
    "通信",
    "テレコム",
    "telecom",
    "ケータイ",
    "携帯",
    "ワイヤレス",
)
GENERIC_WORDS = frozenset(
    {
        "格安sim",
        "格安スマホ",
        "格安モバイル",
        "sim",
        "esim",
        "simカード",
        "simフリー",
        "mvno",
        "モバイル",
        "携帯",
    }
)
NOT_A_NAME = re.compile(r"[?？。、]|って|とは|何|なに|どう|ですか|ません")


def squash(text: str) -> str:
    """NFKC, casefold, hiragana as katakana, no spaces: 「ＵＱ　ﾓﾊﾞｲﾙ」 equals 「uqもばいる」."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_HIRAGANA_TO_KATAKANA)
    return _SPACES.sub("", text)


@lru_cache(maxsize=4096)
def _squashed_name(name: str) -> str:
    """A brand name squashed once: names are few and looked for in every message."""
    return squash(name)


def names_of(carrier: knowledge.CarrierDocument) -> set[str]:
    return {_squashed_name(name) for name in (carrier.id, carrier.name, *carrier.aliases)} - {""}


def unknown_brand_named(text: str) -> str | None:
    """The slot value for a company the table does not hold (「QTモバイル」 → "other:QTモバイル"), when the
    text reads as a company name rather than a question or a sentence."""
    name = unicodedata.normalize("NFKC", text).strip()
    if not 2 <= len(name) <= 20 or NOT_A_NAME.search(name) or "\n" in name:
        return None
    squashed = squash(name)
    if squashed in GENERIC_WORDS or not any(word in squashed for word in COMPANY_WORDS):
        return None
    return OTHER_PREFIX + name


def is_unknown(carrier: knowledge.CarrierDocument) -> bool:
    return carrier.id.startswith(OTHER_PREFIX)


def unknown_carrier(value: str) -> knowledge.CarrierDocument:
    """A stand-in for a brand without data: no one-stop, no fees, no shop information, nothing verified."""
    name = value.removeprefix(OTHER_PREFIX)
    one_stop = knowledge.OneStop(participates=None, verification=knowledge.Verification.UNVERIFIED)
    fields: dict[str, Any] = {  # unvalidated on purpose: it has no site, no date, no sources
        "id": value,
        "name": name,
        "group": value,
        "kind": knowledge.CarrierKind.MVNO,
        "aliases": [name],
        "official_url": None,
        "mnp_page_url": None,
        "port_out": [],
        "accepts_shop_signup": None,
        "one_stop": one_stop,
        "fees": [],
        "reservation_requirements": [],
        "group_moves": [],
        "after_switch": [],
        "carrier_mail": None,
        "billing_note": None,
        "as_of": None,
        "sources": [],
    }
    return knowledge.CarrierDocument.model_construct(**fields)


def resolve_brand(
    text: str, carriers: Iterable[knowledge.CarrierDocument], *, field: str = "brand"
) -> knowledge.CarrierDocument:
    """The brand whose id, name or alias equals `text` once squashed, a stand-in for an "other:" brand,
    else `UnknownBrand(field, text)`."""
    if text.startswith(OTHER_PREFIX) and len(text) > len(OTHER_PREFIX):
        return unknown_carrier(text)
    wanted = squash(text)
    for carrier in carriers:
        if wanted in names_of(carrier):
            return carrier
    raise UnknownBrand(field, text)


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
