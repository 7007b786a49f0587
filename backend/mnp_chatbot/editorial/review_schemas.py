"""Bodies of the console's publish-review API and of an FAQ write that may wait in a review."""

import datetime as dt
import uuid
from typing import Literal

from pydantic import Field, field_validator

from mnp_chatbot.core import validation
from mnp_chatbot.core.schemas import Schema
from mnp_chatbot.editorial.service import FaqWritten
from mnp_chatbot.faq.schemas import FaqEntryRead


class FaqEntryWritten(FaqEntryRead):
    """The live entry after a write; `pendingReviewId` names the review the write waits in (an operator's
    publication), and the entry itself is then unchanged until an admin approves."""

    pending_review_id: uuid.UUID | None = Field(default=None, serialization_alias="pendingReviewId")

    @classmethod
    def of(cls, written: FaqWritten) -> "FaqEntryWritten":
        read = FaqEntryRead.model_validate(written.entry)
        review_id = written.review.id if written.review else None
        return cls.model_validate({**read.model_dump(), "pending_review_id": review_id})


class DiffPartRead(Schema):
    op: Literal["equal", "delete", "insert"]
    text: str


class FaqReviewRead(Schema):
    id: uuid.UUID
    faq_id: uuid.UUID = Field(serialization_alias="faqId")
    slug: str
    question: str
    status: str = Field(description="pending | approved | rejected | superseded")
    was_published: bool = Field(serialization_alias="wasPublished")
    current_answer: str = Field(
        serialization_alias="currentAnswer",
        description="What customers saw when it was asked (empty: nothing, the entry was not published)",
    )
    proposed_answer: str = Field(serialization_alias="proposedAnswer")
    diff: list[DiffPartRead] = Field(description="currentAnswer → proposedAnswer, run by run")
    fields: list[str] = Field(description="Fields that differ from the live entry")
    stale: bool = Field(description="The entry changed since the request: approving is refused (409)")
    requested_by: str | None = Field(serialization_alias="requestedBy")
    requested_at: dt.datetime = Field(serialization_alias="requestedAt")
    decided_by: str | None = Field(serialization_alias="decidedBy")
    decided_at: dt.datetime | None = Field(serialization_alias="decidedAt")
    reason: str | None


class FaqReviewList(Schema):
    items: list[FaqReviewRead]


class FaqReviewReject(Schema):
    reason: str = Field(min_length=1, max_length=500, description="Why, for the operator who asked")

    @field_validator("reason")
    @classmethod
    def _clean(cls, value: str) -> str:
        cleaned = validation.storable(value).strip()
        if not cleaned:
            raise ValueError("理由を入力してください")
        return cleaned
