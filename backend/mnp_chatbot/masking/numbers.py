"""Digit-run PII: phone numbers, MNP reservation numbers, My Numbers, card numbers and postal codes.

A "chunk" is a run of digit groups joined by spaces, hyphens, dots or parentheses, optionally led by +81.
It is cut, longest piece first, into pieces that each read as one kind; a piece is judged by its digits,
how they are grouped, and the nearest cue before it (see `context`).
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TypeAlias

from mnp_chatbot.masking.checksums import luhn_valid, my_number_valid
from mnp_chatbot.masking.context import NUMBER_CUES, Context, Cue
from mnp_chatbot.masking.kinds import Found, PiiKind

_CHUNK = re.compile(
    r"(?=[0-9+(])(?:(?<![0-9A-Za-z_+\-])(?<![0-9][,.])|(?<=(?i:tel))|(?<=(?i:fax))|(?<=(?i:tel.)))"
    r"(?P<intl>\+ ?81[ \-]*(?:\(0\)[ \-]*)?)?"
    r"(?:\((?=[0-9]{2,5}\)))?[0-9]+(?:[ ().\-]{1,3}[0-9]+)*"
)
_GROUP = re.compile(r"[0-9]+")
_UNIT_AFTER = re.compile(
    r" ?(?:円|%|桁|歳|才|年|件|回|個|台|倍|ポイント|:[0-9]|(?i:GB|MB|KB|GHz|mAh|mm|cm|kg|pt)(?![a-z]))"
)
_ADDRESS_AFTER = re.compile(
    r" *(?:北海道|東京都|京都府|大阪府|[\u4e00-\u9fff]{2,3}県|[\u4e00-\u9fff]{1,6}[市区町村郡])"
)
_MIN_DIGITS = 7
_MAX_DIGITS = 19
_PII_LENGTHS = frozenset({7, *range(10, _MAX_DIGITS + 1)})
_CARD_BRANDS = re.compile(
    r"4|5[1-5]|2(?:2[2-9]|[3-6][0-9]|7[01]|720)|35(?:2[89]|[3-8])|3[47]|3(?:0[0-5]|[689])|6(?:011|5|4[4-9]|2)"
)

Group: TypeAlias = tuple[int, int, str]


@dataclass(frozen=True, slots=True)
class Piece:
    digits: str
    sizes: tuple[int, ...]
    spaced_out: bool  # the whole chunk written digit by digit: 「0 9 0 1 2 …」
    international: bool
    cue: Cue | None
    address_follows: bool = False


def find_numbers(digits_view: str, context: Context, *, lookahead: str) -> Iterator[Found]:
    """Digit-run PII in `digits_view`; `lookahead` is the unblanked text view, to see an address ahead."""
    for chunk in _CHUNK.finditer(digits_view):
        if chunk.end() - chunk.start() >= _MIN_DIGITS:
            yield from _split(chunk, digits_view, context, lookahead)


def _split(chunk: re.Match[str], view: str, context: Context, lookahead: str) -> Iterator[Found]:
    national = chunk.end("intl") if chunk.group("intl") else chunk.start()
    groups = [(m.start(), m.end(), m.group()) for m in _GROUP.finditer(view, national, chunk.end())]
    first = 0
    while first < len(groups):
        found = _longest_piece(groups, first, chunk, view, context, lookahead)
        if found is None:
            first += 1
            continue
        last, kind = found
        yield (chunk.start() if first == 0 else groups[first][0]), groups[last][1], kind
        first = last + 1


def _longest_piece(
    groups: list[Group], first: int, chunk: re.Match[str], view: str, context: Context, lookahead: str
) -> tuple[int, PiiKind] | None:
    international = first == 0 and bool(chunk.group("intl"))
    ends = _candidate_ends(groups, first, single_digit_groups=international)
    cue = context.nearest(groups[first][0], NUMBER_CUES, sentences=2) if ends else None
    for last in ends:
        end = groups[last][1]
        if _UNIT_AFTER.match(view, end):
            continue
        piece_groups = groups[first : last + 1]
        piece = Piece(
            digits="".join(group[2] for group in piece_groups),
            sizes=tuple(len(group[2]) for group in piece_groups),
            spaced_out=first == 0 and last == len(groups) - 1 and all(len(g[2]) == 1 for g in groups),
            international=international,
            cue=cue,
            address_follows=bool(_ADDRESS_AFTER.match(lookahead, end)),
        )
        kind = classify(piece)
        if kind is not None:
            return last, kind
    return None


def _candidate_ends(groups: list[Group], first: int, *, single_digit_groups: bool) -> list[int]:
    """Ends (last-group indexes) of the pieces from `first` with a digit count of some kind, longest first.

    Only the whole chunk (spaced out digit by digit) or a +81 number may hold one-digit groups."""
    ends = {len(groups) - 1} if first == 0 else set()
    total = 0
    for last in range(first, len(groups)):
        total += len(groups[last][2])
        if total > _MAX_DIGITS or (len(groups[last][2]) == 1 and not single_digit_groups):
            break
        if total in _PII_LENGTHS:
            ends.add(last)
    return sorted(ends, reverse=True)


def classify(piece: Piece) -> PiiKind | None:
    """What kind of PII a piece of a digit chunk is, or None."""
    if _my_number_shape(piece) and my_number_valid(piece.digits):
        return PiiKind.MY_NUMBER  # even after 注文番号: a My Number must never be kept
    if piece.cue is Cue.OTHER_ID:
        return None
    if piece.international:
        return PiiKind.PHONE if _is_phone("0" + piece.digits.removeprefix("0")) else None
    if len(piece.sizes) > 1 and min(piece.sizes) == 1 and not piece.spaced_out:
        return None
    return _by_length(piece)


def _by_length(piece: Piece) -> PiiKind | None:
    digits, sizes, cue = piece.digits, piece.sizes, piece.cue
    compact = piece.spaced_out or len(sizes) == 1
    if len(digits) == 7:
        postal_shape = compact or sizes == (3, 4)
        return PiiKind.POSTAL_CODE if postal_shape and (cue is Cue.POSTAL or piece.address_follows) else None
    few_groups = compact or (len(sizes) <= 3 and min(sizes) >= 2)
    if len(digits) == 10 and (cue is Cue.MNP or sizes == (2, 3, 5) or not digits.startswith("0")):
        return PiiKind.MNP_RESERVATION if few_groups else None
    if few_groups and _is_phone(digits):
        return PiiKind.PHONE
    if len(digits) == 12 and cue is Cue.MY_NUMBER and (compact or (len(sizes) <= 3 and min(sizes) >= 3)):
        return PiiKind.MY_NUMBER
    card_shape = compact or (min(sizes) >= 3 and sizes[0] >= 4 and len(sizes) <= 5)
    if 13 <= len(digits) <= _MAX_DIGITS and card_shape and _is_card(digits, cue):
        return PiiKind.CARD
    return None


def _my_number_shape(piece: Piece) -> bool:
    return len(piece.digits) == 12 and (len(piece.sizes) == 1 or piece.sizes == (4, 4, 4) or piece.spaced_out)


def _is_phone(digits: str) -> bool:
    return len(digits) in (10, 11) and digits[0] == "0" and digits[1] != "0"


def _is_card(digits: str, cue: Cue | None) -> bool:
    """A mistyped number after カード番号 is still masked; without a cue, Luhn and a brand prefix decide."""
    if cue is Cue.CARD:
        return True
    return len(digits) >= 14 and luhn_valid(digits) and bool(_CARD_BRANDS.match(digits))
