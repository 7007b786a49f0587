import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import Field

from mnp_chatbot.core.schemas import Schema
from mnp_chatbot.knowledge.schemas import CarrierDocument


@dataclass(frozen=True, slots=True)
class FaqFilters:
    """The console's FAQ list query (None: any)."""

    query: str | None = None  # words to find in the slug, question, alternates, keywords or answer
    category: str | None = None
    brand: str | None = None  # a carrier id, name or alias, as a console user types it
    verified: bool | None = None
    published: bool | None = None


class FaqSearchResult(Schema):
    id: str
    slug: str
    question: str
    answer: str
    category: str
    score: float
    confidence: float


class FaqSearchResponse(Schema):
    results: list[FaqSearchResult]


class FaqEntryRead(Schema):
    id: uuid.UUID
    slug: str
    category: str
    question: str
    answer: str
    alternates: list[str]
    keywords: list[str]
    brands: list[str]
    fact_ids: list[str]
    sources: list[dict[str, Any]]
    as_of: dt.date = Field(serialization_alias="asOf")
    verification: str
    verified: bool
    official_url: str | None = Field(serialization_alias="officialUrl")
    valid_from: dt.date | None = Field(serialization_alias="validFrom")
    valid_until: dt.date | None = Field(serialization_alias="validUntil")
    is_published: bool = Field(serialization_alias="isPublished")


class FaqListResponse(Schema):
    items: list[FaqEntryRead]


class CarrierRead(Schema):
    id: str
    name: str
    group_id: str = Field(serialization_alias="group")
    kind: str
    aliases: list[str]
    as_of: dt.date = Field(serialization_alias="asOf")
    document: CarrierDocument


class CarrierListResponse(Schema):
    items: list[CarrierRead]
