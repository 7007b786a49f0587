"""Knowledge gaps (pure): replies that did not answer, answered barely, or got a 👎, grouped by question.

Questions are grouped on a key that ignores width, case, spaces and punctuation, so 「ｅＳＩＭの再発行は？」
and 「esimの再発行は」 are one group.
"""

import datetime as dt
import hashlib
import re
import unicodedata
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from mnp_chatbot.japanese.text import fold

UNANSWERED_MODES = ("no_answer", "out_of_scope", "clarify")
ANSWERED_MODES = ("faq", "llm")
MAX_VARIANTS = 10
DEFAULT_LOW_CONFIDENCE = 0.3  # answered, but within 0.1 of the answer threshold (0.2)


@dataclass(frozen=True, slots=True)
class GapRow:
    """One reply worth an editor's look, with the (masked) question it replied to."""

    message_id: uuid.UUID
    conversation_id: uuid.UUID
    question: str
    mode: str | None
    confidence: float | None
    rating: int | None
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Candidate:
    """The entry the retriever ranks first for a group's question today."""

    id: str
    slug: str
    question: str
    category: str
    confidence: float


@dataclass(frozen=True, slots=True)
class GapGroup:
    key: str
    question: str  # the most recent wording
    variants: tuple[str, ...]  # distinct wordings, most frequent first
    count: int
    conversations: int
    last_seen: dt.datetime
    reasons: dict[str, int]
    candidate: Candidate | None = None


def draft_slug(question: str, brand_ids: Sequence[str], category: str, key: str) -> str:
    """A slug an operator can read: the brands, the Latin words of the question (eSIM, MNP …) and the
    category, with four hex digits of the group's key so two drafts never collide."""
    words = re.findall(r"[a-z0-9]+", fold(question))
    parts = [*brand_ids[:2], *words[:3], category.replace("_", "-")]
    digest = hashlib.sha256(key.encode()).hexdigest()[:4]
    return "-".join(dict.fromkeys(part for part in parts if part))[:70] + f"-{digest}"


def question_key(text: str) -> str:
    """NFKC, casefold, and only letters and digits kept."""
    folded = fold(text)
    return "".join(char for char in folded if unicodedata.category(char)[0] in "LN")


def reasons_of(row: GapRow, *, low_confidence: float) -> list[str]:
    reasons = []
    if row.mode in UNANSWERED_MODES:
        reasons.append(row.mode)
    elif row.mode in ANSWERED_MODES and row.confidence is not None and row.confidence < low_confidence:
        reasons.append("low_confidence")
    if row.rating == -1:
        reasons.append("thumbs_down")
    return reasons


# Keys (see question_key) of what people type to try the chat, not questions a FAQ could answer.
NOISE_KEYS = frozenset(
    {
        "テスト",
        "てすと",
        "test",
        "testing",
        "あいうえお",
        "abc",
        "hello",
        "hi",
        "こんにちは",
        "こんばんは",
        "おはよう",
        "おはようございます",
        "ありがとう",
        "ありがとうございます",
        "はい",
        "いいえ",
        "ok",
    }
)
KANA_RUN = re.compile(r"^[ぁ-ゖァ-ヺー]+$")


def is_noise(key: str) -> bool:
    """A test message, a greeting, a single character or one character repeated (「ああああ」), or a run of
    the kana syllabary in order (「あいうえお」, 「かきくけこ」)."""
    if key in NOISE_KEYS or len(key) < 2 or len(set(key)) == 1:
        return True
    return bool(KANA_RUN.match(key)) and _in_syllabary_order(key)


def _in_syllabary_order(key: str) -> bool:
    rows = (
        "あいうえお",
        "かきくけこ",
        "さしすせそ",
        "たちつてと",
        "なにぬねの",
        "はひふへほ",
        "まみむめも",
        "やゆよ",
        "らりるれろ",
        "わをん",
    )
    return any(len(key) >= 3 and key in row * 2 for row in rows)


def group(rows: Iterable[GapRow], *, low_confidence: float = DEFAULT_LOW_CONFIDENCE) -> list[GapGroup]:
    """Groups of gap replies, the most frequent (then the most recent) first."""
    members: dict[str, list[tuple[GapRow, list[str]]]] = {}
    for row in rows:
        reasons = reasons_of(row, low_confidence=low_confidence)
        key = question_key(row.question)
        if reasons and key and not is_noise(key):
            members.setdefault(key, []).append((row, reasons))
    groups = [_group_of(key, found) for key, found in members.items()]
    return sorted(groups, key=lambda g: (-g.count, -g.last_seen.timestamp(), g.key))


def _group_of(key: str, found: list[tuple[GapRow, list[str]]]) -> GapGroup:
    latest = max((row for row, _ in found), key=lambda row: row.created_at)
    wordings = Counter(row.question.strip() for row, _ in found)
    reasons = Counter(reason for _, row_reasons in found for reason in row_reasons)
    return GapGroup(
        key=key,
        question=latest.question.strip(),
        variants=tuple(text for text, _ in wordings.most_common(MAX_VARIANTS)),
        count=len(found),
        conversations=len({row.conversation_id for row, _ in found}),
        last_seen=latest.created_at,
        reasons=dict(sorted(reasons.items())),
    )
