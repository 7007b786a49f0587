"""Publish reviews of FAQ text: an admin approves (the text goes live) or rejects (with a reason).

A decision is taken against the entry as it was when the review was requested: if anyone changed the entry
since (an admin's edit, an operator's unpublishing), approving is refused as stale rather than overwrite it.
Every request, approval and rejection is in the audit trail.
"""

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mnp_chatbot.audit.service import AuditAction, AuditEvent, AuditTrail, DetailValue
from mnp_chatbot.editorial.diff import DiffPart, text_diff
from mnp_chatbot.editorial.exceptions import FaqReviewDecided, FaqReviewNotFound, FaqReviewStale, FaqSlugTaken
from mnp_chatbot.editorial.models import FaqReview, ReviewStatus
from mnp_chatbot.editorial.repository import FaqReviewRepository, ReviewRow
from mnp_chatbot.editorial.service import Announcer, apply_document, changed_fields, faq_document, live_hash
from mnp_chatbot.faq.models import FaqEntry
from mnp_chatbot.faq.repository import FaqRepository
from mnp_chatbot.knowledge.schemas import FaqDocument


@dataclass(frozen=True, slots=True)
class ReviewView:
    """A review as the console shows it: what would change, against what is live now."""

    id: uuid.UUID
    faq_id: uuid.UUID
    slug: str
    question: str
    status: str
    was_published: bool
    current_answer: str
    proposed_answer: str
    diff: list[DiffPart]
    fields: list[str]
    stale: bool
    requested_by: str | None
    requested_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    reason: str | None


def review_view(row: ReviewRow) -> ReviewView:
    review, entry, requester, decider = row
    proposed = FaqDocument.model_validate(review.proposed)
    fields = changed_fields(faq_document(entry), proposed)
    return ReviewView(
        id=review.id,
        faq_id=entry.id,
        slug=proposed.slug,
        question=proposed.question,
        status=review.status,
        was_published=review.was_published,
        current_answer=review.base_answer,
        proposed_answer=proposed.answer,
        diff=text_diff(review.base_answer, proposed.answer),
        fields=[name for name in fields.split(",") if name],
        stale=review.status == ReviewStatus.PENDING and live_hash(entry) != review.base_hash,
        requested_by=requester,
        requested_at=review.requested_at,
        decided_by=decider,
        decided_at=review.decided_at,
        reason=review.reason,
    )


class FaqReviewService:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        audit: AuditTrail,
        announcer: Announcer | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.audit = audit
        self.announcer = announcer

    async def list_reviews(self, status: ReviewStatus, *, limit: int) -> list[ReviewView]:
        async with self.sessionmaker() as session:
            rows = await FaqReviewRepository(session).list_with_names(status, limit=limit)
            return [review_view(row) for row in rows]

    async def get_review(self, review_id: uuid.UUID) -> ReviewView:
        async with self.sessionmaker() as session:
            row = await FaqReviewRepository(session).get_with_names(review_id)
        if row is None:
            raise FaqReviewNotFound()
        return review_view(row)

    async def approve(self, actor: uuid.UUID, review_id: uuid.UUID) -> ReviewView:
        """Publish the reviewed text, unless the entry changed since the review was requested (409)."""
        async with self.sessionmaker.begin() as session:
            review, entry = await self._pending(session, review_id)
            if live_hash(entry) != review.base_hash:
                raise FaqReviewStale()
            document = FaqDocument.model_validate(review.proposed)
            taken = await FaqRepository(session).get_by_slug(document.slug)
            if taken is not None and taken.id != entry.id:
                raise FaqSlugTaken()
            fields = changed_fields(faq_document(entry), document)
            apply_document(entry, document, review.publish)
            await FaqRepository(session).save(entry)
            self._decide(review, actor, ReviewStatus.APPROVED, None)
            details: dict[str, DetailValue] = {"slug": entry.slug, "fields": fields, "review": str(review.id)}
            await self._record(session, AuditAction.FAQ_REVIEW_APPROVED, actor, entry, details)
        if self.announcer is not None:
            await self.announcer.announce_change()
        return await self.get_review(review_id)

    async def reject(self, actor: uuid.UUID, review_id: uuid.UUID, reason: str) -> ReviewView:
        async with self.sessionmaker.begin() as session:
            review, entry = await self._pending(session, review_id)
            self._decide(review, actor, ReviewStatus.REJECTED, reason)
            details: dict[str, DetailValue] = {"slug": entry.slug, "review": str(review.id), "reason": reason}
            await self._record(session, AuditAction.FAQ_REVIEW_REJECTED, actor, entry, details)
        return await self.get_review(review_id)

    async def _pending(self, session: AsyncSession, review_id: uuid.UUID) -> tuple[FaqReview, FaqEntry]:
        found = await FaqReviewRepository(session).get_for_update(review_id)
        if found is None:
            raise FaqReviewNotFound()
        if found[0].status != ReviewStatus.PENDING:
            raise FaqReviewDecided()
        return found

    @staticmethod
    def _decide(review: FaqReview, actor: uuid.UUID, status: ReviewStatus, reason: str | None) -> None:
        review.status = status.value
        review.decided_by = actor
        review.decided_at = dt.datetime.now(dt.UTC)
        review.reason = reason

    async def _record(
        self,
        session: AsyncSession,
        action: AuditAction,
        actor: uuid.UUID,
        entry: FaqEntry,
        details: dict[str, DetailValue],
    ) -> None:
        await self.audit.record(session, AuditEvent(action, actor, "faq", str(entry.id), details))
