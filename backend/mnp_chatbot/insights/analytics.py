"""Daily figures for the console's charts (pure): rates, ratios and days without traffic filled in.

A conversation counts as resolved when it was never handed off, none of its replies got a 👎, and the bot
answered it (FAQ or LLM) without ever answering below the low-confidence line or failing to answer.
Days are calendar days in Japan; conversations count on the day they started, replies on the day sent.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace


@dataclass(frozen=True, slots=True)
class ConversationDay:
    day: dt.date
    conversations: int
    handed_off: int
    resolved: int


@dataclass(frozen=True, slots=True)
class ReplyDay:
    day: dt.date
    replies: int
    thumbs_up: int
    thumbs_down: int
    latency_p50_ms: float | None
    latency_p95_ms: float | None


@dataclass(frozen=True, slots=True)
class DayStats:
    day: dt.date | None  # None for the totals of the whole range
    conversations: int
    turns: int
    resolved: int
    resolution_rate: float | None
    handoffs: int
    handoff_rate: float | None
    thumbs_up: int
    thumbs_down: int
    feedback_ratio: float | None  # 👍 / (👍 + 👎)
    latency_p50_ms: float | None
    latency_p95_ms: float | None


def ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def milliseconds(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


def days_between(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=offset) for offset in range((last - first).days + 1)]


def stats(
    day: dt.date | None, conversations: Sequence[ConversationDay], replies: Sequence[ReplyDay]
) -> DayStats:
    """One row from the conversation and reply figures it covers (latency only from a single reply day)."""
    started = sum(c.conversations for c in conversations)
    resolved = sum(c.resolved for c in conversations)
    handoffs = sum(c.handed_off for c in conversations)
    up, down = sum(r.thumbs_up for r in replies), sum(r.thumbs_down for r in replies)
    single = replies[0] if len(replies) == 1 else None
    return DayStats(
        day=day,
        conversations=started,
        turns=sum(r.replies for r in replies),
        resolved=resolved,
        resolution_rate=ratio(resolved, started),
        handoffs=handoffs,
        handoff_rate=ratio(handoffs, started),
        thumbs_up=up,
        thumbs_down=down,
        feedback_ratio=ratio(up, up + down),
        latency_p50_ms=milliseconds(single.latency_p50_ms) if single else None,
        latency_p95_ms=milliseconds(single.latency_p95_ms) if single else None,
    )


def daily(
    first: dt.date, last: dt.date, conversations: Iterable[ConversationDay], replies: Iterable[ReplyDay]
) -> list[DayStats]:
    """One row per day from `first` to `last`, zeros on days without traffic."""
    by_day_c = {c.day: c for c in conversations}
    by_day_r = {r.day: r for r in replies}
    return [
        stats(day, [by_day_c[day]] if day in by_day_c else [], [by_day_r[day]] if day in by_day_r else [])
        for day in days_between(first, last)
    ]


def totals(
    days: Sequence[DayStats], *, latency_p50_ms: float | None, latency_p95_ms: float | None
) -> DayStats:
    """The whole range; percentiles come from all replies, not from the daily percentiles."""
    conversations = [ConversationDay(dt.date.min, d.conversations, d.handoffs, d.resolved) for d in days]
    replies = [ReplyDay(dt.date.min, d.turns, d.thumbs_up, d.thumbs_down, None, None) for d in days]
    combined = stats(None, conversations, replies)
    return replace(
        combined, latency_p50_ms=milliseconds(latency_p50_ms), latency_p95_ms=milliseconds(latency_p95_ms)
    )
