"""What operators see of the customers' side: conversations, transcripts, knowledge gaps and analytics.

Customer text leaves here masked (transcripts, knowledge gaps and their FAQ drafts, top questions), whatever
MASK_PERSONAL_DATA was when it was stored; opening a transcript is audited.
"""

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace

from sqlalchemy.ext.asyncio import AsyncSession

from mnp_chatbot.audit.service import AuditAction, AuditEvent, AuditTrail
from mnp_chatbot.core.clock import JST, today_jst
from mnp_chatbot.editorial import service as editor
from mnp_chatbot.editorial.schemas import FaqEntryWrite
from mnp_chatbot.faq.index import KnowledgeIndex
from mnp_chatbot.faq.snapshot import KnowledgeSnapshot
from mnp_chatbot.handoff.models import Handoff
from mnp_chatbot.insights import analytics, gaps
from mnp_chatbot.insights.exceptions import ConversationNotFound, DateRangeInvalid, GapNotFound
from mnp_chatbot.insights.repository import (
    ConversationFilters,
    ConversationSummary,
    InsightsRepository,
    TranscriptLine,
    Window,
)
from mnp_chatbot.knowledge.exceptions import KnowledgeInvalid
from mnp_chatbot.masking import masker

DEFAULT_DAYS = 30
MAX_DAYS = 366
GAP_ROWS = 5000  # most recent gap replies considered
DRAFT_ALTERNATES = 5
FIRST_QUESTION_CHARS = 80  # the conversation list shows the start of the first question
PLACEHOLDERS: dict[str, tuple[str, object]] = {  # API name -> (field, a value the rules accept)
    "question": ("question", "…"),
    "answer": ("answer", "…"),
    "alternates": ("alternates", ["…", "……"]),
    "sources": ("sources", [{"title": "…"}]),
    "officialUrl": ("official_url", "https://example.invalid/"),
}


def window_of(first: dt.date, last: dt.date) -> Window:
    """From the start of `first` to the end of `last`, Japan time."""
    start = dt.datetime.combine(first, dt.time(), tzinfo=JST)
    return start, dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=JST)


@dataclass(frozen=True, slots=True)
class DateRange:
    first: dt.date
    last: dt.date

    @property
    def window(self) -> Window:
        return window_of(self.first, self.last)


@dataclass(frozen=True, slots=True)
class Transcript:
    conversation: ConversationSummary
    messages: list[TranscriptLine]
    handoffs: list[Handoff]


@dataclass(frozen=True, slots=True)
class FaqDraft:
    draft: FaqEntryWrite
    gap: gaps.GapGroup
    missing: list[str]  # fields to fill in before the draft is a valid entry


@dataclass(frozen=True, slots=True)
class TopQuestion:
    question: str
    count: int


@dataclass(frozen=True, slots=True)
class Analytics:
    from_: dt.date
    to: dt.date
    days: list[analytics.DayStats]
    totals: analytics.DayStats
    modes: dict[str, int]
    top_questions: list[TopQuestion]
    timezone: str = "Asia/Tokyo"


class InsightsService:
    def __init__(
        self,
        session: AsyncSession,
        audit: AuditTrail,
        index: KnowledgeIndex,
        *,
        today: Callable[[], dt.date] = today_jst,
    ) -> None:
        self.insights = InsightsRepository(session)
        self.session = session
        self.audit = audit
        self.index = index
        self.today = today

    def date_range(self, first: dt.date | None, last: dt.date | None) -> DateRange:
        """The days asked for; by default the DEFAULT_DAYS up to today (Japan time)."""
        last = last or self.today()
        first = first or last - dt.timedelta(days=DEFAULT_DAYS - 1)
        if first > last or (last - first).days >= MAX_DAYS:
            raise DateRangeInvalid()
        return DateRange(first, last)

    def window(self, first: dt.date | None, last: dt.date | None) -> Window | None:
        """The days asked for, or None (no limit) when neither end is given."""
        return self.date_range(first, last).window if first or last else None

    async def list_conversations(
        self, filters: ConversationFilters, *, limit: int, offset: int
    ) -> tuple[list[ConversationSummary], int]:
        items, total = await self.insights.list_conversations(filters, limit=limit, offset=offset)
        return [_masked_summary(item) for item in items], total

    async def open_transcript(self, actor: uuid.UUID, conversation_id: uuid.UUID) -> Transcript:
        """The conversation with every message masked; the viewing is audited."""
        summary = await self.insights.get_conversation(conversation_id)
        if summary is None:
            raise ConversationNotFound()
        lines = [_masked(line) for line in await self.insights.list_transcript(conversation_id)]
        handoffs = list(await self.insights.list_handoffs(conversation_id))
        event = AuditEvent(
            AuditAction.TRANSCRIPT_VIEWED,
            actor,
            "conversation",
            str(conversation_id),
            {"messages": len(lines)},
        )
        await self.audit.record(self.session, event)
        return Transcript(summary, lines, handoffs)

    async def find_gaps(
        self, dates: DateRange, *, low_confidence: float, limit: int, min_count: int = 1
    ) -> list[gaps.GapGroup]:
        """Gap groups, most frequent first, each with the entry the retriever now ranks first for it."""
        groups = await self._groups(dates, low_confidence)
        frequent = [group for group in groups if group.count >= min_count][:limit]
        snapshot = self.index.snapshot
        return [replace(group, candidate=_candidate(snapshot, group.question)) for group in frequent]

    async def draft_faq(self, key: str, dates: DateRange, *, low_confidence: float) -> FaqDraft:
        """A FAQ entry prefilled from a gap group, to finish in the editor (nothing is stored)."""
        found = [group for group in await self._groups(dates, low_confidence) if group.key == key]
        if not found:
            raise GapNotFound()
        snapshot = self.index.snapshot
        gap = replace(found[0], candidate=_candidate(snapshot, found[0].question))
        draft = _draft(gap, snapshot, today=self.today())
        return FaqDraft(draft, gap, _missing(draft))

    async def _groups(self, dates: DateRange, low_confidence: float) -> list[gaps.GapGroup]:
        rows = await self.insights.list_gap_rows(dates.window, low_confidence=low_confidence, limit=GAP_ROWS)
        masked = [replace(row, question=masker.mask_pii(row.question).text) for row in rows]
        return gaps.group(masked, low_confidence=low_confidence)

    async def report(self, dates: DateRange, *, top: int) -> Analytics:
        window = dates.window
        conversations = await self.insights.list_conversation_days(window)
        replies = await self.insights.list_reply_days(window)
        days = analytics.daily(dates.first, dates.last, conversations, replies)
        p50, p95 = await self.insights.reply_latency(window)
        totals = analytics.totals(days, latency_p50_ms=p50, latency_p95_ms=p95)
        modes = await self.insights.count_modes(window)
        questions = await self.insights.list_top_questions(window, limit=top)
        top_questions = [TopQuestion(masker.mask_pii(text).text, count) for text, count in questions]
        return Analytics(dates.first, dates.last, days, totals, modes, top_questions)


def _masked_summary(summary: ConversationSummary) -> ConversationSummary:
    if summary.first_question is None:
        return summary
    first = masker.mask_pii(summary.first_question).text[:FIRST_QUESTION_CHARS]  # masked whole, then cut
    return replace(summary, first_question=first)


def _masked(line: TranscriptLine) -> TranscriptLine:
    comment = masker.mask_pii(line.comment).text if line.comment else None
    return replace(line, text=masker.mask_pii(line.text).text, comment=comment)


def _candidate(snapshot: KnowledgeSnapshot, question: str) -> gaps.Candidate | None:
    hits = snapshot.search(question)
    if not hits:
        return None
    entry = snapshot.entries[hits[0].entry_id]
    return gaps.Candidate(entry.id, entry.slug, entry.question, entry.category, round(hits[0].confidence, 4))


def _draft(group: gaps.GapGroup, snapshot: KnowledgeSnapshot, *, today: dt.date) -> FaqEntryWrite:
    candidate = group.candidate
    brands = list(snapshot.brands_in(group.question))
    official = str(brands[0].official_url) if brands else None
    question = group.question if group.question.endswith(("？", "?")) else f"{group.question}？"
    # The customers' own wordings (the latest one too) are what the entry must be found by.
    alternates = list(group.variants)[:DRAFT_ALTERNATES]
    category = candidate.category if candidate else "basics"
    brand_ids = [brand.id for brand in brands]
    return FaqEntryWrite(
        slug=gaps.draft_slug(group.question, brand_ids, category, group.key),
        category=category,
        question=question,
        answer="",
        alternates=alternates,
        brands=brand_ids,
        as_of=today,
        verification="unverified",
        official_url=official,
        is_published=False,
    )


def _missing(draft: FaqEntryWrite) -> list[str]:
    """Every field the knowledge rules still reject. The rules stop at the first failure (field rules
    before cross-field ones), so each pass stands in placeholders for what the previous pass named."""
    missing: set[str] = set()
    probe = draft
    while found := _rejected(probe) - missing:
        missing |= found
        fill = dict(PLACEHOLDERS[name] for name in found if name in PLACEHOLDERS)
        if not fill:
            break
        probe = probe.model_copy(update=fill)
    return sorted(missing)


def _rejected(draft: FaqEntryWrite) -> set[str]:
    try:
        editor.validated_faq(draft)
    except KnowledgeInvalid as invalid:
        return {(problem.field or "").split(".")[0] for problem in invalid.problems} - {""}
    return set()
