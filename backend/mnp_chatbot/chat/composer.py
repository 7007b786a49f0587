"""Composes the curated (retrieval-only) reply from the ranked FAQ hits and the carrier table (pure)."""

from collections.abc import Sequence
from dataclasses import dataclass

from mnp_chatbot.chat import carrier_facts
from mnp_chatbot.chat.reply import Mode, Reply, SourceRef
from mnp_chatbot.faq.index import FaqView
from mnp_chatbot.faq.retrieval import Hit
from mnp_chatbot.knowledge.schemas import CarrierDocument

HEDGE = "最新情報は各社の公式サイトでご確認ください。"
NAVIGATOR_LABEL = "乗り換えナビ"
HUMAN_LABEL = "オペレーターと話す"
MAX_QUICK_REPLIES = 4
# Fees, opening hours and the list of one-stop carriers change often: the fact sheet asks every answer
# about them to point to the official pages too.
VOLATILE_CATEGORIES = frozenset({"fees", "reservation", "one_stop"})


@dataclass(frozen=True, slots=True)
class Thresholds:
    # Chosen on the project's question sets plus ten out-of-domain questions, with the retriever's
    # calibration of 2026-11-29: at 0.2 the top entry was right for 109 of 120 answered questions, one
    # out-of-domain question was answered, and every out-of-domain question scored below 0.14.
    answer: float = 0.2  # at or above: answer with the best entry
    clarify: float = 0.14  # between clarify and answer: ask which of the candidates is meant
    related: float = 0.12  # candidates offered as related questions or clarification options


DEFAULT_THRESHOLDS = Thresholds()


def source_of(entry: FaqView) -> SourceRef:
    url = entry.official_url or _first_url(entry)
    return SourceRef(entry.id, entry.question, url, entry.as_of.isoformat(), entry.verified)


def _first_url(entry: FaqView) -> str | None:
    for source in entry.sources:
        if source.get("url"):
            return str(source["url"])
    return None


def hedge_line(entry: FaqView) -> str:
    link = f"（公式: {entry.official_url}）" if entry.official_url else ""
    return f"{HEDGE}{link}"


def as_of_line(entry: FaqView) -> str:
    day = entry.as_of
    return f"（{day.year}年{day.month}月{day.day}日時点の情報です）"


def answer_text(entry: FaqView, brands: Sequence[CarrierDocument]) -> str:
    parts = [entry.answer.strip()]
    if entry.category != "smalltalk":
        named = [] if set(entry.brands) & {b.id for b in brands} else list(brands)
        facts = carrier_facts.lines(entry.category, named)
        parts.extend(facts)
        parts.append(as_of_line(entry))
        unverified_facts = bool(facts) and not all(
            carrier_facts.is_verified_for(entry.category, b) for b in named
        )
        if not entry.verified or unverified_facts or entry.category in VOLATILE_CATEGORIES:
            parts.append(hedge_line(entry))
    return "\n".join(parts)


def related_questions(
    hits: Sequence[Hit], entries: dict[str, FaqView], *, skip: str, minimum: float, count: int
) -> list[str]:
    questions: list[str] = []
    for hit in hits:
        entry = entries[hit.entry_id]
        if hit.entry_id != skip and hit.confidence >= minimum and entry.question not in questions:
            questions.append(entry.question)
        if len(questions) == count:
            break
    return questions


def answer(
    hits: Sequence[Hit],
    entries: dict[str, FaqView],
    brands: Sequence[CarrierDocument],
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> Reply:
    """The best entry's answer, with the named brands' facts and a hedge when a fact is unverified."""
    best = hits[0]
    entry = entries[best.entry_id]
    related = related_questions(hits, entries, skip=best.entry_id, minimum=thresholds.related, count=2)
    return Reply(
        text=answer_text(entry, brands),
        mode=Mode.FAQ,
        confidence=best.confidence,
        sources=(source_of(entry),),
        quick_replies=tuple([*related, NAVIGATOR_LABEL, HUMAN_LABEL][:MAX_QUICK_REPLIES]),
    )


def clarify(
    hits: Sequence[Hit], entries: dict[str, FaqView], thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> Reply:
    options = related_questions(hits, entries, skip="", minimum=thresholds.related, count=3)
    return Reply(
        text="ご質問の内容を確認させてください。次のうち、お知りになりたいものはどれですか？",
        mode=Mode.CLARIFY,
        confidence=hits[0].confidence if hits else 0.0,
        quick_replies=(*options, HUMAN_LABEL),
    )


def is_confident(hits: Sequence[Hit], thresholds: Thresholds = DEFAULT_THRESHOLDS) -> bool:
    return bool(hits) and hits[0].confidence >= thresholds.answer


def can_clarify(hits: Sequence[Hit], thresholds: Thresholds = DEFAULT_THRESHOLDS) -> bool:
    return bool(hits) and hits[0].confidence >= thresholds.clarify
