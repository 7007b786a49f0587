"""Scoring of replies and rankings against evaluation cases (`shared/eval/README.md`); pure functions only.

A case passes when, on normalised text, every `all` group has at least one string in the reply, no `none`
string is in it, and, for a `hedge` case, the reply points to official confirmation. For retrieval, an
entry is a hit for a case when its answer text passes the case.
"""

import math
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_WHITE_SPACE = re.compile(r"\s+")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d)")
_DASH_NEXT_TO_DIGIT = re.compile(r"(?<=\d)[-‐‑‒–—―−﹣]|[-‐‑‒–—―−﹣](?=\d)")
HEDGE_MARKERS = ("公式", "確認", "お問い合わせ", "問い合わせ")


def normalize_for_match(text: str) -> str:
    """NFKC, lower case, no white space, no thousands separators, no dashes next to digits.

    >>> normalize_for_match("３,８５０円 0120-800-000 My docomo")
    '3850円0120800000mydocomo'
    """
    text = _WHITE_SPACE.sub("", unicodedata.normalize("NFKC", text).lower())
    return _DASH_NEXT_TO_DIGIT.sub("", _THOUSANDS.sub("", text))


@dataclass(frozen=True, slots=True)
class EvalCase:
    id: str
    q: str
    all: tuple[tuple[str, ...], ...] = ()
    none: tuple[str, ...] = ()
    hedge: bool = False

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "EvalCase":
        """A case from one decoded line of a `.jsonl` set."""
        groups = tuple(tuple(str(s) for s in group) for group in data.get("all") or ())
        none = tuple(str(s) for s in data.get("none") or ())
        return cls(id=str(data["id"]), q=str(data["q"]), all=groups, none=none, hedge=bool(data.get("hedge")))


def passes(reply_text: str, case: EvalCase, *, check_hedge: bool = True) -> bool:
    """Whether a reply satisfies the case's `all`, `none` and (unless turned off) `hedge` checks."""
    reply = normalize_for_match(reply_text)
    found = all(any(normalize_for_match(s) in reply for s in group) for group in case.all)
    avoided = not any(normalize_for_match(s) in reply for s in case.none)
    hedged = not (check_hedge and case.hedge) or any(marker in reply for marker in HEDGE_MARKERS)
    return found and avoided and hedged


def first_relevant_rank(ranked: Sequence[str], is_relevant: Callable[[str], bool]) -> int | None:
    """1-based rank of the first relevant item, or None."""
    return next((rank for rank, item in enumerate(ranked, start=1) if is_relevant(item)), None)


def reciprocal_rank(ranked: Sequence[str], relevant: Mapping[str, int], *, k: int = 10) -> float:
    rank = first_relevant_rank(ranked[:k], relevant.__contains__)
    return 1.0 / rank if rank else 0.0


def success_at(ranked: Sequence[str], relevant: Mapping[str, int], *, k: int) -> float:
    """1.0 when a relevant item is within the first k, else 0.0 (hit@k)."""
    return 1.0 if any(item in relevant for item in ranked[:k]) else 0.0


def precision_at(ranked: Sequence[str], relevant: Mapping[str, int], *, k: int) -> float:
    return sum(item in relevant for item in ranked[:k]) / k


def recall_at(ranked: Sequence[str], relevant: Mapping[str, int], *, k: int) -> float:
    return sum(item in relevant for item in ranked[:k]) / len(relevant) if relevant else 0.0


def average_precision_found(ranked: Sequence[str], relevant: Mapping[str, int], *, k: int = 10) -> float:
    """Mean of (i / r_i) over the relevant items found at ranks r_1 < r_2 < ... within k (0 if none found).

    This is the localgovFAQ authors' MAP: normalised by what was found, not by all relevant items.
    """
    ranks = [rank for rank, item in enumerate(ranked[:k], start=1) if item in relevant]
    return sum(i / rank for i, rank in enumerate(ranks, start=1)) / len(ranks) if ranks else 0.0


def ndcg(
    ranked: Sequence[str], grades: Mapping[str, int], *, k: int | None = 10, ideal_cutoff: int | None = 10
) -> float:
    """nDCG with gain 2^grade - 1 and discount log2(rank + 1); the ideal list is cut at `ideal_cutoff`."""
    found = sum(
        (2 ** grades[item] - 1) / math.log2(rank + 1)
        for rank, item in enumerate(ranked[:k], 1)
        if item in grades
    )
    ideal_grades = sorted(grades.values(), reverse=True)[:ideal_cutoff]
    ideal = sum((2**grade - 1) / math.log2(rank + 1) for rank, grade in enumerate(ideal_grades, start=1))
    return found / ideal if ideal > 0 else 0.0


def _passing(case: EvalCase, *, check_hedge: bool) -> Callable[[str], bool]:
    return lambda text: passes(text, case, check_hedge=check_hedge)


@dataclass(frozen=True, slots=True)
class RetrievalScore:
    """Retrieval quality over a question set where a hit is an entry whose answer passes the case."""

    cases: int
    hit_at_1: float
    mrr: float
    recall_at_5: float


def score_retrieval(
    rankings: Sequence[tuple[EvalCase, Sequence[str]]], *, k: int = 10, check_hedge: bool = False
) -> RetrievalScore:
    """`rankings` pairs each case with the answer texts of its ranked entries, best first.

    The hedge check is off by default: pointing to official confirmation is the reply composer's job
    (it hedges unverified entries), not something an FAQ answer text must carry to count as retrieved.
    """
    ranks = [
        first_relevant_rank(answers[:k], _passing(case, check_hedge=check_hedge))
        for case, answers in rankings
    ]
    count = len(ranks)
    if not count:
        return RetrievalScore(cases=0, hit_at_1=0.0, mrr=0.0, recall_at_5=0.0)
    return RetrievalScore(
        cases=count,
        hit_at_1=sum(rank == 1 for rank in ranks) / count,
        mrr=sum(1.0 / rank for rank in ranks if rank) / count,
        recall_at_5=sum(rank is not None and rank <= 5 for rank in ranks) / count,
    )
