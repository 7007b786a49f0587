"""Turns the curated knowledge files into database rows, idempotently."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from mnp_chatbot.carriers.repository import CarrierRepository
from mnp_chatbot.faq.repository import FaqRepository
from mnp_chatbot.knowledge.schemas import CarrierDocument, FaqDocument


def faq_row(document: FaqDocument) -> dict[str, Any]:
    return {
        "slug": document.slug,
        "category": document.category.value,
        "question": document.question,
        "answer": document.answer,
        "alternates": list(document.alternates),
        "keywords": list(document.keywords),
        "brands": list(document.brands),
        "fact_ids": list(document.fact_ids),
        "sources": [source.model_dump(mode="json") for source in document.sources],
        "as_of": document.as_of,
        "verification": document.verification.value,
        "verified": document.verified,
        "official_url": str(document.official_url) if document.official_url else None,
        "valid_from": document.valid_from,
        "valid_until": document.valid_until,
    } | ({} if document.is_published is None else {"is_published": document.is_published})


def carrier_row(document: CarrierDocument) -> dict[str, Any]:
    return {
        "id": document.id,
        "name": document.name,
        "group_id": document.group,
        "kind": document.kind.value,
        "aliases": list(document.aliases),
        "document": document.model_dump(mode="json"),
        "as_of": document.as_of,
    }


async def seed(
    session: AsyncSession, faqs: Sequence[FaqDocument], carriers: Sequence[CarrierDocument]
) -> tuple[int, int]:
    faq_count = await FaqRepository(session).upsert_many([faq_row(doc) for doc in faqs])
    carrier_count = await CarrierRepository(session).upsert_many([carrier_row(doc) for doc in carriers])
    return faq_count, carrier_count
