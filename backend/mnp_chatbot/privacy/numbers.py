"""Digit-run PII: phone numbers, MNP reservation numbers, My Numbers, card numbers and postal codes.

A "chunk" is a run of digit groups joined by spaces, hyphens or parentheses, optionally led by +81. It is
cut, longest piece first, into pieces that each read as one kind; a piece is judged by its digits, how
they are grouped, and the nearest cue before it (see `context`).
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass

from mnp_chatbot.privacy.checksums import luhn_valid, my_number_valid
from mnp_chatbot.privacy.context import NUMBER_CUES, Context, Cue
from mnp_chatbot.privacy.kinds import Found, PiiKind

_CHUNK = re.compile(
    r"(?:(?<![0-9A-Za-z_+\-])(?<![0-9][,.])|(?<=(?i:tel))|(?<=(?i:fax))|(?<=(?i:tel.)))"
    r"(?P<intl>\+ ?81[ \-]*(?:\(0\)[ \-]*)?)?"
    r"\(?[0-9]+(?:[ ()\-]{1,3}[0-9]+)*"
)
_GROUP = re.compile(r"[0-9]+")
_UNIT_AFTER = re.compile(
    r" ?(?:円|%|桁|歳|才|年|件|回|個|台|倍|ポイント|(?i:GB|MB|KB|GHz|mAh|mm|cm|kg|pt)(?![a-z]))"
)
_ADDRESS_AFTER = re.compile(
    r" *(?:北海道|東京都|京都府|大阪府|[\u4e00-\u9fff]{2,3}県|[\u4e00-\u9fff]{1,6}[市区町村郡])"
)
_MIN_DIGITS = 7
_MAX_DIGITS = 19
_PII_LENGTHS = frozenset({7, *range(10, _MAX_DIGITS + 1)})
_CARD_BRANDS = re.compile(
    r"4|5[1-5]|2(?:2[2-9]|[3-6]\d|7[01]|720)|35(?:2[89]|[3-8])|3[47]|3(?:0[0-5]|[689])|6(?:011|5|4[4-9]|2)"
)


@dataclass(frozen=True, slots=True)
class Piece:
    digits: str
    sizes: tuple[int, ...]
    whole: bool
    international: bool
    cue: Cue | None


def find_numbers(digits_view: str, context: Context) -> Iterator[Found]:
    for chunk in _CHUNK.finditer(digits_view):
        if chunk.end() - chunk.start() >= _MIN_DIGITS:
            yield from _split(chunk, digits_view, context)


def _split(chunk: re.Match[str], view: str, context: Context) -> Iterator[Found]:
    groups = [
        (m.start() + chunk.start(), m.end() + chunk.start(), m.group())
        for m in _GROUP.finditer(chunk.group())
    ]
    if chunk.group("intl"):
        groups = groups[1:]  # the "81" of +81
    first = 0
    while first < len(groups):
        found = _longest_piece(groups, first, chunk, view, context)
        if found is None:
            first += 1
            continue
        last, kind = found
        start = chunk.start() if first == 0 else groups[first][0]
        yield start, groups[last][1], kind
        first = last + 1


def _longest_piece(
    groups: list[tuple[int, int, str]], first: int, chunk: re.Match[str], view: str, context: Context
) -> tuple[int, PiiKind] | None:
    candidates = {len(groups) - 1} if first == 0 else set()
    total = 0
    for last in range(first, len(groups)):
        total += len(groups[last][2])
        if total > _MAX_DIGITS:
            break
        if total in _PII_LENGTHS:
            candidates.add(last)
    cue = context.nearest(groups[first][0], NUMBER_CUES) if candidates else None
    for last in sorted(candidates, reverse=True):
        end = groups[last][1]
        if _UNIT_AFTER.match(view, end):
            continue
        piece = Piece(
            digits="".join(group[2] for group in groups[first : last + 1]),
            sizes=tuple(len(group[2]) for group in groups[first : last + 1]),
            whole=first == 0 and last == len(groups) - 1,
            international=first == 0 and bool(chunk.group("intl")),
            cue=cue,
        )
        kind = classify(piece, address_follows=bool(_ADDRESS_AFTER.match(view, end)))
        if kind is not None:
            return last, kind
    return None


def classify(piece: Piece, *, address_follows: bool = False) -> PiiKind | None:
    """What kind of PII a piece of a digit chunk is, or None."""
    digits, sizes = piece.digits, piece.sizes
    spaced_out = piece.whole and len(sizes) == len(digits) and len(digits) >= 7
    if (
        len(digits) == 12
        and (len(sizes) == 1 or sizes == (4, 4, 4) or spaced_out)
        and my_number_valid(digits)
    ):
        return PiiKind.MY_NUMBER
    if piece.cue is Cue.OTHER_ID:
        return None
    if piece.international:
        return PiiKind.PHONE if _is_phone("0" + digits.removeprefix("0"), sizes) else None
    if len(sizes) > 1 and min(sizes) == 1 and not spaced_out:
        return None
    return _by_length(piece, spaced_out, address_follows)


def _by_length(piece: Piece, spaced_out: bool, address_follows: bool) -> PiiKind | None:
    digits, sizes, cue = piece.digits, piece.sizes, piece.cue
    if len(digits) == 7:
        postal_shape = sizes in ((3, 4), (7,)) or spaced_out
        return PiiKind.POSTAL_CODE if postal_shape and (cue is Cue.POSTAL or address_follows) else None
    if len(digits) == 10 and (cue is Cue.MNP or sizes == (2, 3, 5) or not digits.startswith("0")):
        return PiiKind.MNP_RESERVATION if len(sizes) <= 4 or spaced_out else None
    if _is_phone(digits, sizes) or (spaced_out and _is_phone(digits, (len(digits),))):
        return PiiKind.PHONE
    if len(digits) == 12 and cue is Cue.MY_NUMBER and (len(sizes) <= 3 or spaced_out):
        return PiiKind.MY_NUMBER
    if 13 <= len(digits) <= _MAX_DIGITS and (len(sizes) == 1 or min(sizes) >= 4 or spaced_out):
        return PiiKind.CARD if _is_card(digits, cue) else None
    return None


def _is_phone(digits: str, sizes: tuple[int, ...]) -> bool:
    return len(digits) in (10, 11) and digits[0] == "0" and digits[1] != "0" and len(sizes) <= 4


def _is_card(digits: str, cue: Cue | None) -> bool:
    if cue is Cue.CARD:
        return True
    return luhn_valid(digits) and bool(_CARD_BRANDS.match(digits))
