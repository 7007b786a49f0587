"""Masks personal data in customer text before it is stored, logged, cached or sent to an LLM.

Detectors run in a fixed order over normalised views of the text; each one sees the text with the spans
of earlier detectors blanked out, so e-mail local parts are never read as phone numbers and a birth date
is never read as a digit run:

    e-mail → birth date → address → name → digit runs (phone, 予約番号, My Number, card, postal code)

Every detector always runs; `kinds` only selects which findings are replaced, so the spans of one kind do
not depend on which other kinds were asked for.

Decisions: service numbers such as 0120-800-000 are phone numbers and are masked (the company's own numbers
live in FAQ and bot text, which is never masked). A 12-digit number with a valid My Number check digit is
masked as My Number even after 注文番号, since a My Number must never be kept. A bare 10-digit number that
is not a phone number is masked as a 予約番号.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from mnp_chatbot.masking.addresses import find_addresses
from mnp_chatbot.masking.context import Context
from mnp_chatbot.masking.dates import find_birth_dates
from mnp_chatbot.masking.emails import find_emails
from mnp_chatbot.masking.kinds import PLACEHOLDERS, Found, PiiKind
from mnp_chatbot.masking.names import find_names
from mnp_chatbot.masking.numbers import find_numbers
from mnp_chatbot.masking.views import Views

__all__ = ["PLACEHOLDERS", "Masked", "PiiKind", "PiiSpan", "mask_pii"]

ALL_KINDS = frozenset(PiiKind)


@dataclass(frozen=True, slots=True)
class PiiSpan:
    kind: PiiKind
    start: int
    end: int
    replacement: str


@dataclass(frozen=True, slots=True)
class Masked:
    text: str
    spans: tuple[PiiSpan, ...]

    @property
    def kinds(self) -> frozenset[PiiKind]:
        return frozenset(span.kind for span in self.spans)


_DIGIT = re.compile("[0-9]")


def mask_pii(text: str, *, kinds: frozenset[PiiKind] | None = None) -> Masked:
    """`text` with each piece of personal data of `kinds` (default: all) replaced by its placeholder."""
    wanted = ALL_KINDS if kinds is None else kinds
    spans = [PiiSpan(kind, start, end, PLACEHOLDERS[kind]) for start, end, kind in detect(text)]
    chosen = tuple(span for span in spans if span.kind in wanted)
    return Masked(text=_replace(text, chosen), spans=chosen)


def detect(text: str) -> list[Found]:
    """Every piece of personal data in `text`, in text order, without overlaps."""
    pristine = Views.of(text)
    found: list[Found] = []
    views = _add(found, find_emails(pristine.text), pristine)
    # Cues matter only to digits; most messages have none, and skip the cue scan.
    context = Context.of(views.text) if _DIGIT.search(views.digits) else None
    if context is not None:
        views = _add(found, find_birth_dates(views.digits, context), views)
    views = _add(found, find_addresses(views.text), views)
    views = _add(found, find_names(views.text), views)
    if context is not None:
        found += find_numbers(views.digits, context, lookahead=pristine.text)
    return sorted(found)


def _add(found: list[Found], batch: Iterable[Found], views: Views) -> Views:
    """Appends `batch` to `found`; returns `views` with the batch blanked for the detectors that follow."""
    spans = list(batch)
    found += spans
    return views.without([(start, end) for start, end, _ in spans]) if spans else views


def _replace(text: str, spans: tuple[PiiSpan, ...]) -> str:
    parts: list[str] = []
    cursor = 0
    for span in spans:
        parts += [text[cursor : span.start], span.replacement]
        cursor = span.end
    parts.append(text[cursor:])
    return "".join(parts)
