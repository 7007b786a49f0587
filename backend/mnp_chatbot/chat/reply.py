"""The reply the engine gives for one turn, whatever composed it."""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class Mode(StrEnum):
    FAQ = "faq"
    LLM = "llm"
    CLARIFY = "clarify"
    HANDOFF = "handoff"
    NO_ANSWER = "no_answer"
    SMALLTALK = "smalltalk"
    OUT_OF_SCOPE = "out_of_scope"
    NAVIGATOR = "navigator"


# Replies that answer something: the customer can rate them. The navigator's questions, clarifying
# questions, small talk and hand-off notices are not rated.
RATEABLE_MODES = frozenset({Mode.FAQ.value, Mode.LLM.value})


def is_rateable(mode: str | None) -> bool:
    return mode in RATEABLE_MODES


@dataclass(frozen=True, slots=True)
class SourceRef:
    faq_id: str
    question: str
    url: str | None = None
    as_of: str | None = None
    verified: bool = True


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    mode: Mode
    confidence: float = 0.0
    sources: tuple[SourceRef, ...] = ()
    quick_replies: tuple[str, ...] = ()
    handoff: bool = False
    handoff_reason: str | None = None
    topic: str | None = None  # the (masked) question this reply answered, for follow-ups
    extra: dict[str, object] = field(default_factory=dict)


def source_dicts(sources: Sequence[SourceRef]) -> list[dict[str, object]]:
    """Sources as the API and the database hold them."""
    return [
        {"faq_id": s.faq_id, "question": s.question, "url": s.url, "as_of": s.as_of, "verified": s.verified}
        for s in sources
    ]


# An answer says each thing once (issue 18): its official link is its source (every channel shows it), and
# it gets no second date or "check the official site" line when its text already has one.
STATED_DATE = re.compile(r"\d{4}年\d{1,2}月(?:\d{1,2}日)?(?:〜|から)?時点|時点の情報")
STATED_CHECK = re.compile(r"公式(?:サイト)?で(?:も)?(?:ご)?確認")


def states_date(text: str) -> bool:
    return STATED_DATE.search(text) is not None


def states_check(text: str) -> bool:
    return STATED_CHECK.search(text) is not None


# Customers read dates the Japanese way (2026年4月1日) on every channel; the knowledge base and the carrier
# table may write them as ISO dates (2026-04-01, 2023-05), as the fact sheet does. A web address is left as
# it is.
_ISO_DATE = re.compile(
    r"(https?://\S+)|(?<![\d./-])((?:19|20)\d{2})-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?(?![\d-])"
)


def japanese_dates(text: str) -> str:
    """`text` with its ISO dates (and year-months) written in Japanese.

    >>> japanese_dates("4,950円（税込、2025-09-05〜）、2023-05時点、https://example.jp/2024-01-02/")
    '4,950円（税込、2025年9月5日〜）、2023年5月時点、https://example.jp/2024-01-02/'
    """
    return _ISO_DATE.sub(_japanese_date, text)


def _japanese_date(found: re.Match[str]) -> str:
    url, year, month, day = found.groups()
    if url is not None:
        return url
    return f"{year}年{int(month)}月" + (f"{int(day)}日" if day else "")
