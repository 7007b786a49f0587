"""Bodies of the console's knowledge API. Writes accept what reads return (GET, edit, PUT back)."""

import datetime as dt
import uuid
from typing import Any

from pydantic import ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel

from mnp_chatbot.chat import schemas as chat_schemas
from mnp_chatbot.core.schemas import Schema
from mnp_chatbot.faq.schemas import FaqEntryRead

IGNORED = "Ignored on write (read-only)"


class FaqEntryWrite(Schema):
    """A FAQ entry as the knowledge files hold it, plus whether it is published. Field names in the camelCase
    of FaqEntryRead (snake_case is accepted too); the rules of the knowledge files apply (FaqDocument)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    slug: str
    category: str
    question: str
    answer: str
    alternates: list[str] = Field(description="At least two other ways customers ask it")
    keywords: list[str] = Field(default_factory=list)
    brands: list[str] = Field(default_factory=list)
    fact_ids: list[str] = Field(default_factory=list)
    sources: list[dict[str, Any]] = Field(default_factory=list, description="[{title, url?, date?}]")
    as_of: dt.date = Field(alias="asOf")
    verification: str = Field(description="official | press | secondary | unverified")
    official_url: str | None = Field(default=None, alias="officialUrl")
    valid_from: dt.date | None = Field(default=None, alias="validFrom")
    valid_until: dt.date | None = Field(default=None, alias="validUntil")
    is_published: bool = Field(default=True, alias="isPublished")
    id: uuid.UUID | None = Field(default=None, description=IGNORED)
    verified: bool | None = Field(default=None, description=IGNORED)
    pending_review_id: uuid.UUID | None = Field(default=None, alias="pendingReviewId", description=IGNORED)

    def document_fields(self) -> dict[str, Any]:
        return self.model_dump(exclude={"is_published", "id", "verified", "pending_review_id"})

    @classmethod
    def api_name(cls, field: str | None) -> str | None:
        """`sources.0.official_url` → `sources.0.officialUrl`: problems name fields as the API spells them."""
        if field is None:
            return None
        return ".".join(to_camel(part) for part in field.split("."))


class FaqPage(Schema):
    items: list[FaqEntryRead]
    total: int
    limit: int
    offset: int


class ImportReportRead(Schema):
    total: int
    created: int
    updated: int
    unchanged: int
    dry_run: bool = Field(serialization_alias="dryRun")


class CarrierWritten(Schema):
    id: str
    created: bool


class TryRequest(Schema):
    question: str = Field(min_length=1, max_length=1000)
    limit: int = Field(default=5, ge=1, le=10)

    @field_validator("question")
    @classmethod
    def _clean(cls, value: str) -> str:
        return chat_schemas.clean_message(value)


class TrySource(Schema):
    faq_id: str = Field(serialization_alias="faqId")
    question: str
    url: str | None
    verified: bool


class TryReply(Schema):
    text: str
    mode: str
    confidence: float
    sources: list[TrySource]
    quick_replies: list[str] = Field(serialization_alias="quickReplies")
    handoff: bool
    handoff_reason: str | None = Field(serialization_alias="handoffReason")


class TryEntry(Schema):
    id: str
    slug: str
    question: str
    category: str


class TryHit(Schema):
    score: float
    confidence: float
    lexical: float
    brand_factor: float = Field(serialization_alias="brandFactor")
    matched_terms: list[str] = Field(serialization_alias="matchedTerms")


class TryRanked(Schema):
    rank: int
    entry: TryEntry
    hit: TryHit


class TryThresholds(Schema):
    answer: float
    clarify: float
    related: float


class TryResponse(Schema):
    question: str
    query: str
    reply: TryReply
    ranking: list[TryRanked]
    knowledge_version: str = Field(serialization_alias="knowledgeVersion")
    thresholds: TryThresholds
