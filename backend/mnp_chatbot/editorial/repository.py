"""SQL of the publish reviews: one pending review per entry, read with the entry and the people involved."""

import uuid
from collections.abc import Sequence
from typing import TypeAlias

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from mnp_chatbot.auth.models import User
from mnp_chatbot.editorial.models import FaqReview, ReviewStatus
from mnp_chatbot.faq.models import FaqEntry

Requester = aliased(User)
Decider = aliased(User)
ReviewRow: TypeAlias = tuple[FaqReview, FaqEntry, str | None, str | None]


def _with_names() -> Select[FaqReview, FaqEntry, str, str]:
    return (
        select(FaqReview, FaqEntry, Requester.display_name, Decider.display_name)
        .join(FaqEntry, FaqEntry.id == FaqReview.faq_id)
        .outerjoin(Requester, Requester.id == FaqReview.requested_by)
        .outerjoin(Decider, Decider.id == FaqReview.decided_by)
    )


class FaqReviewRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, review: FaqReview) -> FaqReview:
        self.session.add(review)
        await self.session.flush()
        await self.session.refresh(review)
        return review

    async def supersede_pending(self, faq_id: uuid.UUID) -> None:
        stmt = (
            update(FaqReview)
            .where(FaqReview.faq_id == faq_id, FaqReview.status == ReviewStatus.PENDING.value)
            .values(status=ReviewStatus.SUPERSEDED.value)
        )
        await self.session.execute(stmt)

    async def get_for_update(self, review_id: uuid.UUID) -> tuple[FaqReview, FaqEntry] | None:
        """The review and its entry, both locked until the end of the transaction."""
        stmt = (
            select(FaqReview, FaqEntry)
            .join(FaqEntry, FaqEntry.id == FaqReview.faq_id)
            .where(FaqReview.id == review_id)
            .with_for_update()
        )
        row = (await self.session.execute(stmt)).first()
        return (row[0], row[1]) if row else None

    async def get_with_names(self, review_id: uuid.UUID) -> ReviewRow | None:
        row = (await self.session.execute(_with_names().where(FaqReview.id == review_id))).first()
        return (row[0], row[1], row[2], row[3]) if row else None

    async def list_with_names(self, status: ReviewStatus, *, limit: int) -> Sequence[ReviewRow]:
        stmt = (
            _with_names()
            .where(FaqReview.status == status.value)
            .order_by(FaqReview.requested_at.desc(), FaqReview.id)
            .limit(limit)
        )
        return [(r[0], r[1], r[2], r[3]) for r in await self.session.execute(stmt)]
