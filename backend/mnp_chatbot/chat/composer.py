"""Composes the curated (retrieval-only) reply from the ranked FAQ hits and the carrier table (pure)."""

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from mnp_chatbot.chat import carrier_facts, direction
from mnp_chatbot.chat import reply as reply_text
from mnp_chatbot.chat.direction import Direction
from mnp_chatbot.chat.intent import ATTRIBUTE_PATTERNS, Attribute
from mnp_chatbot.chat.reply import Mode, Reply, SourceRef
from mnp_chatbot.faq.retrieval import Hit
from mnp_chatbot.faq.snapshot import FaqView
from mnp_chatbot.japanese.text import squash
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
    """The pointer to the official sites; the entry's own link is its source, shown once by the channel."""
    return HEDGE


UNDATED_LINE = "（出典に日付がないため、いつ時点の情報かは確認できていません）"
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")


def newest_source_date(entry: FaqView) -> dt.date | None:
    """The newest full date among the entry's sources; an answer claims no currency its sources lack."""
    found = []
    for source in entry.sources:
        match = _ISO_DATE.match(str(source.get("date") or ""))
        if match is not None:
            found.append(dt.date(*map(int, match.groups())))
    return max(found) if found else None


def as_of_line(entry: FaqView) -> str:
    newest = newest_source_date(entry)
    if newest is None:
        return UNDATED_LINE
    day = min(entry.as_of, newest)
    return f"（{day.year}年{day.month}月{day.day}日時点の情報です）"


def answer_text(entry: FaqView, brands: Sequence[CarrierDocument]) -> str:
    parts = [entry.answer.strip()]
    if entry.category != "smalltalk":
        named = [] if set(entry.brands) & {b.id for b in brands} else list(brands)
        facts = carrier_facts.lines(entry.category, named)
        parts.extend(facts)
        said = "\n".join(parts)
        if not reply_text.states_date(said):
            parts.append(as_of_line(entry))
        unverified_facts = bool(facts) and not all(
            carrier_facts.is_verified_for(entry.category, b) for b in named
        )
        hedged = not entry.verified or unverified_facts or entry.category in VOLATILE_CATEGORIES
        if hedged and not reply_text.states_check(said):
            parts.append(hedge_line(entry))
    return "\n".join(parts)


def related_questions(
    hits: Sequence[Hit],
    entries: Mapping[str, FaqView],
    *,
    skip: str,
    minimum: float,
    count: int,
    focus: Mapping[str, Direction] | None = None,
) -> list[str]:
    """Questions of the ranked entries worth offering next. With a `focus` (the customer's brands and which
    way the customer looks at each), entries that look at one of them the other way are left out, and those
    that look at it the customer's way come first; then the knowledge base's other entries that do."""
    focus = focus or {}
    fitting: list[str] = []
    neutral: list[str] = []
    for hit in hits:
        entry = entries[hit.entry_id]
        if hit.entry_id == skip or hit.confidence < minimum:
            continue
        fit = direction.fits(entry.directions, focus)
        if fit is not False:
            (fitting if fit else neutral).append(entry.question)
    if focus:
        fitting.extend(directed_questions(entries, focus, skip=skip, count=count))
    return list(dict.fromkeys([*fitting, *neutral]))[:count]


# What a customer asks next about the carrier being left, and about the one being joined, most useful first.
FOLLOW_UP_CATEGORIES = {
    Direction.FROM: ("reservation", "fees", "side_effects", "basics", "requirements", "trouble", "timeline"),
    Direction.TO: ("fees", "requirements", "basics", "timeline", "side_effects", "trouble", "reservation"),
}


def directed_questions(
    entries: Mapping[str, FaqView],
    focus: Mapping[str, Direction],
    *,
    skip: str = "",
    count: int,
    answered: Attribute | None = None,
) -> list[str]:
    """Entries about one of the customer's brands, looking at it the customer's way (「ドコモから転出」 →
    ドコモ's 予約番号 and 解約金, not what joining ドコモ costs); none that asks about `answered`."""
    ranked: list[tuple[int, int, str, str]] = []
    for entry_id, entry in entries.items():
        if entry_id == skip or direction.fits(entry.directions, focus) is not True:
            continue
        wanted = {d for b, d in focus.items() if b in entry.directions}
        if any(d not in wanted for d in entry.directions.values()):
            continue  # 「ドコモからahamoに…」 is not about leaving ドコモ for anywhere
        if answered is not None and answered is attribute_of(entry.question):
            continue
        priority = FOLLOW_UP_CATEGORIES[min(wanted)]
        rank = priority.index(entry.category) if entry.category in priority else len(priority)
        # Within a topic the shortest question first: the plain one (「…予約番号はどうやって取得しますか？」)
        # before the special cases; the slug makes the order the same whatever order the entries came in.
        ranked.append((rank, len(entry.question), entry.slug, entry.question))
    ranked.sort()
    # One question per topic first (a 予約番号 and a 解約金, not two about the 予約番号), then the rest.
    firsts = [row[3] for i, row in enumerate(ranked) if i == 0 or ranked[i - 1][0] != row[0]]
    return list(dict.fromkeys([*firsts, *(row[3] for row in ranked)]))[:count]


def attribute_of(question: str) -> Attribute | None:
    return next((a for a, pattern in ATTRIBUTE_PATTERNS if pattern.search(squash(question))), None)


def answer(
    hits: Sequence[Hit],
    entries: dict[str, FaqView],
    brands: Sequence[CarrierDocument],
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    focus: Mapping[str, Direction] | None = None,
) -> Reply:
    """The best entry's answer, with the named brands' facts and a hedge when a fact is unverified; the
    related questions follow the customer's direction (`focus`, else the answered entry's own for the
    brands the customer named)."""
    best = hits[0]
    entry = entries[best.entry_id]
    named = {brand.id for brand in brands}
    focus = focus or {b: d for b, d in entry.directions.items() if b in named}
    related = related_questions(
        hits, entries, skip=best.entry_id, minimum=thresholds.related, count=2, focus=focus
    )
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


# Candidates within this share of the best score are a tie: the ranking alone cannot tell them apart.
TIE_MARGIN = 0.1
# The main-topic rule (`plainest`) looks a little further than a tie: a candidate within this share of the
# best score whose closest question line matches the question at least SIDE_TOPIC_GAP better (idf-weighted
# Jaccard) and holds at least WHOLE_QUESTION of its terms is the entry the customer asked for.
SIDE_TOPIC_MARGIN = 0.2
SIDE_TOPIC_GAP = 0.2
WHOLE_QUESTION = 0.9
DEFINITION_ENTRY = re.compile(r"とは(?:何|なん|どんな)|とは[?？]?$")
# Words that say what kind of question it is but not what it is about: a match on them alone is noise.
_FUNCTION_TERMS = """
いつ 何 なに 何時 どう どこ 誰 だれ なぜ こと もの 来る 行く 持つ 為る する ある 居る いる 成る なる 出来る
できる 思う 言う 教える 分かる 知る 良い いい 今 遣る
"""
FUNCTION_TERMS = frozenset(_FUNCTION_TERMS.split())


def has_evidence(hit: Hit) -> bool:
    """Whether the entry matched the question on a word about the subject, not only on 「いつ」「何」…"""
    return any(
        not term.startswith("syn:") and term not in FUNCTION_TERMS for term in hit.matched_terms
    ) or any(term.startswith("syn:") for term in hit.matched_terms)


def break_ties(
    hits: Sequence[Hit], entries: dict[str, FaqView], *, definition: bool, brand_named: bool
) -> tuple[Hit, ...]:
    """Among near-tied candidates, prefer the definition entry for 「〜って何？」, the general entry over a
    brand's when the customer named no brand, and else the entry about the main topic over one about a side
    topic nobody asked (see `plainest`); the chosen one keeps the best confidence of the tie."""
    if not hits:
        return tuple(hits)
    best = hits[0]
    tied = [hit for hit in hits if hit.score >= best.score * (1 - TIE_MARGIN)]
    chosen: Hit | None = None
    if definition:
        chosen = next((h for h in tied if DEFINITION_ENTRY.search(entries[h.entry_id].question)), None)
    if chosen is None and not brand_named and entries[best.entry_id].brands:
        chosen = next((h for h in tied if not entries[h.entry_id].brands), None)
    if chosen is None:
        chosen = plainest([hit for hit in hits if hit.score >= best.score * (1 - SIDE_TOPIC_MARGIN)])
    if chosen is None or chosen is best:
        return tuple(hits)
    promoted = replace(chosen, confidence=max(chosen.confidence, best.confidence))
    return (promoted, *(hit for hit in hits if hit is not chosen))


def plainest(close: Sequence[Hit]) -> Hit | None:
    """The close candidate with a question line that holds the whole question and adds the least to it,
    when it is clearly nearer than the best-scored one: 「予約番号の有効期限は？」 is asked in full by both
    「有効期限はいつまで？」 and 「有効期限は延長できますか？」, and BM25 can rank the side topic (延長)
    first because its entry is shorter. `close[0]` is the best-scored candidate."""
    whole = [hit for hit in close if hit.line_coverage >= WHOLE_QUESTION]
    if not whole:
        return None
    nearest = max(whole, key=lambda hit: hit.line_match)
    return nearest if nearest.line_match - close[0].line_match >= SIDE_TOPIC_GAP else None


def is_confident(hits: Sequence[Hit], thresholds: Thresholds = DEFAULT_THRESHOLDS) -> bool:
    return bool(hits) and hits[0].confidence >= thresholds.answer


def can_clarify(hits: Sequence[Hit], thresholds: Thresholds = DEFAULT_THRESHOLDS) -> bool:
    return bool(hits) and hits[0].confidence >= thresholds.clarify
