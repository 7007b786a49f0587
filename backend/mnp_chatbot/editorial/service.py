"""Editing the live knowledge: FAQ entries and carriers, one at a time or by file.

Every write validates through the knowledge file schemas, is audited (names and counts, never content),
commits, and then makes the knowledge index rebuild here and on every other replica, so that the bot's
next answer reflects it. An operator's write that would put text in front of customers that no admin has
approved (publishing an entry, or changing a published one) does not touch the live entry: it becomes a
pending publish review (see reviews.py), and the bot keeps serving the last approved text.
"""

import asyncio
import hashlib
import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mnp_chatbot.audit.service import AuditAction, AuditEvent, AuditTrail, DetailValue
from mnp_chatbot.auth.models import UserRole
from mnp_chatbot.carriers.models import Carrier
from mnp_chatbot.carriers.repository import CarrierRepository
from mnp_chatbot.editorial.exceptions import FaqSlugTaken
from mnp_chatbot.editorial.models import FaqReview
from mnp_chatbot.editorial.repository import FaqReviewRepository
from mnp_chatbot.editorial.schemas import FaqEntryWrite
from mnp_chatbot.faq import exceptions as faq_exceptions
from mnp_chatbot.faq.models import FaqEntry
from mnp_chatbot.faq.repository import FaqRepository
from mnp_chatbot.faq.schemas import FaqFilters
from mnp_chatbot.knowledge import formats, seeding
from mnp_chatbot.knowledge.exceptions import KnowledgeInvalid
from mnp_chatbot.knowledge.formats import Problem
from mnp_chatbot.knowledge.schemas import CarrierDocument, FaqDocument

BATCH_SIZE = 50
FAQ_FIELDS = tuple(FaqDocument.model_fields)
D = TypeVar("D", FaqDocument, CarrierDocument)
Progress = Callable[[int], None]  # called with how many more entries were written


class Announcer(Protocol):
    async def announce_change(self) -> None: ...


@dataclass(frozen=True, slots=True)
class ImportReport:
    total: int
    created: int
    updated: int
    unchanged: int
    dry_run: bool


@dataclass(frozen=True, slots=True)
class FaqWritten:
    """The live entry after a write, and the review the write is waiting in (None: it went live)."""

    entry: FaqEntry
    review: FaqReview | None = None


def faq_document(entry: FaqEntry) -> FaqDocument:
    return FaqDocument.model_validate({name: getattr(entry, name) for name in FAQ_FIELDS})


def live_hash(entry: FaqEntry) -> str:
    """A fingerprint of what the entry says and whether it is published: a review is decided against it."""
    state = {**faq_document(entry).model_dump(mode="json"), "is_published": entry.is_published}
    return hashlib.sha256(json.dumps(state, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def apply_document(entry: FaqEntry, document: FaqDocument, publish: bool) -> None:
    for name, value in {**seeding.faq_row(document), "is_published": publish}.items():
        setattr(entry, name, value)


def needs_review(role: str | None, live: FaqDocument | None, document: FaqDocument, *, publish: bool) -> bool:
    """An operator's write that would show customers text no admin approved; `live` is None when the entry
    is not published. Admins and the command line (role None) publish directly."""
    if role is None or role == UserRole.ADMIN.value or not publish:
        return False
    return live is None or changed_fields(live, document) != ""


def carrier_document(carrier: Carrier) -> CarrierDocument:
    return CarrierDocument.model_validate(carrier.document)


def validated_faq(body: FaqEntryWrite) -> FaqDocument:
    """The entry under the knowledge file rules; a failure names the field as the client spelt it."""
    fields = body.document_fields()
    unstorable = [
        Problem(1, body.slug, path, formats.UNSTORABLE_MESSAGE) for path in formats.unstorable(fields)
    ]
    try:
        document = FaqDocument.model_validate(fields)
    except ValidationError as error:
        problems = formats.problems_of(error, FaqDocument, row=1, key=body.slug)
        raise _invalid([*unstorable, *problems]) from None
    if unstorable:
        raise _invalid(unstorable)
    return document


def validated_carrier(carrier_id: str, document: CarrierDocument) -> CarrierDocument:
    problems = [
        Problem(1, document.id, path, formats.UNSTORABLE_MESSAGE)
        for path in formats.unstorable(document.model_dump(mode="json"))
    ]
    if document.id != carrier_id:
        message = f"URL の通信会社 ({carrier_id}) と本文の id ({document.id}) が一致しません"
        problems.append(Problem(1, document.id, "id", message))
    if problems:
        raise KnowledgeInvalid(problems)
    return document


def _invalid(problems: Sequence[Problem]) -> KnowledgeInvalid:
    return KnowledgeInvalid(
        [Problem(p.row, p.key, FaqEntryWrite.api_name(p.field), p.message) for p in problems]
    )


def parse_file(data: bytes, fmt: formats.Format, model: type[D]) -> list[D]:
    try:
        return formats.parse(data, fmt, model)
    except formats.KnowledgeFileInvalid as error:
        raise KnowledgeInvalid(error.problems) from None


def changed_fields(before: FaqDocument | CarrierDocument, after: FaqDocument | CarrierDocument) -> str:
    """The content fields that differ (publication is the editor's own field, reported apart)."""
    old, new = before.model_dump(exclude={"is_published"}), after.model_dump(exclude={"is_published"})
    return ",".join(name for name in new if old.get(name) != new[name])


def same_faq(existing: FaqDocument | None, document: FaqDocument) -> bool:
    """A document without a publication flag leaves the stored one alone, so it does not compare it."""
    if existing is not None and document.is_published is None:
        existing = existing.model_copy(update={"is_published": None})
    return existing == document


def faq_rows(documents: Sequence[FaqDocument]) -> list[list[dict[str, Any]]]:
    """Rows for upserts, split so that each statement either sets the publication flag for all its rows
    or for none (rows without it keep the stored flag)."""
    rows = [seeding.faq_row(document) for document in documents]
    flagged = [row for row in rows if "is_published" in row]
    unflagged = [row for row in rows if "is_published" not in row]
    return [group for group in (flagged, unflagged) if group]


class KnowledgeEditor:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        audit: AuditTrail,
        announcer: Announcer | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.audit = audit
        self.announcer = announcer

    async def list_faqs(self, filters: FaqFilters, *, limit: int, offset: int) -> tuple[list[FaqEntry], int]:
        async with self.sessionmaker() as session:
            named = await CarrierRepository(session).list_ids_named(filters.brand) if filters.brand else []
            return await FaqRepository(session).list_page(
                filters, brand_ids=named, limit=limit, offset=offset
            )

    async def get_faq(self, key: str) -> FaqEntry:
        async with self.sessionmaker() as session:
            return await _find(FaqRepository(session), key)

    async def create_faq(
        self, actor: uuid.UUID | None, body: FaqEntryWrite, *, role: str | None = None
    ) -> FaqWritten:
        document = validated_faq(body)
        review = needs_review(role, None, document, publish=body.is_published)
        async with self.sessionmaker.begin() as session:
            faqs = FaqRepository(session)
            if await faqs.get_by_slug(document.slug) is not None:
                raise FaqSlugTaken()
            published = body.is_published and not review
            entry = await faqs.add({**seeding.faq_row(document), "is_published": published})
            details: dict[str, DetailValue] = {
                "slug": entry.slug,
                "category": entry.category,
                "published": entry.is_published,
            }
            await self._record(session, AuditAction.FAQ_CREATED, actor, str(entry.id), details)
            if review:
                pending = await self._request_review(session, actor, entry, document, "all")
                return FaqWritten(entry, pending)
        await self._announce()
        return FaqWritten(entry)

    async def update_faq(
        self, actor: uuid.UUID | None, key: str, body: FaqEntryWrite, *, role: str | None = None
    ) -> FaqWritten:
        document = validated_faq(body)
        async with self.sessionmaker.begin() as session:
            faqs = FaqRepository(session)
            entry = await _find(faqs, key)
            taken = await faqs.get_by_slug(document.slug)
            if taken is not None and taken.id != entry.id:
                raise FaqSlugTaken()
            live = faq_document(entry)
            fields = changed_fields(live, document)
            if entry.is_published != body.is_published:
                fields = ",".join(filter(None, (fields, "is_published")))
            if needs_review(role, live if entry.is_published else None, document, publish=body.is_published):
                return FaqWritten(entry, await self._request_review(session, actor, entry, document, fields))
            apply_document(entry, document, body.is_published)
            entry = await faqs.save(entry)
            details: dict[str, DetailValue] = {
                "slug": entry.slug,
                "fields": fields,
                "published": entry.is_published,
            }
            await self._record(session, AuditAction.FAQ_UPDATED, actor, str(entry.id), details)
        await self._announce()
        return FaqWritten(entry)

    async def _request_review(
        self,
        session: AsyncSession,
        actor: uuid.UUID | None,
        entry: FaqEntry,
        document: FaqDocument,
        fields: str,
    ) -> FaqReview:
        """Park `document` (to be published) in a review; a review of the entry still pending gives way."""
        reviews = FaqReviewRepository(session)
        await reviews.supersede_pending(entry.id)
        review = await reviews.add(
            FaqReview(
                faq_id=entry.id,
                proposed=document.model_dump(mode="json"),
                publish=True,
                base_hash=live_hash(entry),
                base_answer=entry.answer if entry.is_published else "",
                was_published=entry.is_published,
                requested_by=actor,
            )
        )
        details: dict[str, DetailValue] = {"slug": document.slug, "fields": fields, "review": str(review.id)}
        await self._record(session, AuditAction.FAQ_REVIEW_REQUESTED, actor, str(entry.id), details)
        return review

    async def delete_faq(self, actor: uuid.UUID | None, key: str) -> None:
        async with self.sessionmaker.begin() as session:
            faqs = FaqRepository(session)
            entry = await _find(faqs, key)
            details = {"slug": entry.slug, "category": entry.category}
            await faqs.delete(entry)
            await self._record(session, AuditAction.FAQ_DELETED, actor, str(entry.id), details)
        await self._announce()

    async def put_carrier(self, actor: uuid.UUID | None, carrier_id: str, document: CarrierDocument) -> bool:
        """Replace (or add) one brand of the carrier table; True when it is new."""
        document = validated_carrier(carrier_id, document)
        async with self.sessionmaker.begin() as session:
            carriers = CarrierRepository(session)
            existing = await carriers.get(carrier_id)
            fields = changed_fields(carrier_document(existing), document) if existing else "all"
            await carriers.upsert_many([seeding.carrier_row(document)])
            details: dict[str, DetailValue] = {"fields": fields, "created": existing is None}
            await self._record(
                session, AuditAction.CARRIER_UPDATED, actor, carrier_id, details, kind="carrier"
            )
        await self._announce()
        return existing is None

    async def export_faq_file(self, fmt: formats.Format) -> bytes:
        return formats.dump(await self.export_faqs(), fmt, FaqDocument)

    async def export_carrier_file(self, fmt: formats.Format) -> bytes:
        return formats.dump(await self.export_carriers(), fmt, CarrierDocument)

    async def import_faq_file(
        self, actor: uuid.UUID | None, data: bytes, fmt: formats.Format, *, dry_run: bool = False
    ) -> ImportReport:
        documents = await asyncio.to_thread(parse_file, data, fmt, FaqDocument)
        return await self.import_faqs(actor, documents, dry_run=dry_run)

    async def import_carrier_file(
        self, actor: uuid.UUID | None, data: bytes, fmt: formats.Format, *, dry_run: bool = False
    ) -> ImportReport:
        documents = await asyncio.to_thread(parse_file, data, fmt, CarrierDocument)
        return await self.import_carriers(actor, documents, dry_run=dry_run)

    async def export_faqs(self) -> list[FaqDocument]:
        async with self.sessionmaker() as session:
            return [faq_document(entry) for entry in await FaqRepository(session).list_all()]

    async def export_carriers(self) -> list[CarrierDocument]:
        async with self.sessionmaker() as session:
            return [carrier_document(row) for row in await CarrierRepository(session).list_all()]

    async def import_faqs(
        self,
        actor: uuid.UUID | None,
        documents: Sequence[FaqDocument],
        *,
        dry_run: bool = False,
        progress: Progress | None = None,
    ) -> ImportReport:
        """Upsert by slug in one transaction; entries that are already identical are not written."""
        async with self.sessionmaker.begin() as session:
            faqs = FaqRepository(session)
            existing = {entry.slug: faq_document(entry) for entry in await faqs.list_all()}
            changed = [doc for doc in documents if not same_faq(existing.get(doc.slug), doc)]
            created = sum(1 for document in changed if document.slug not in existing)
            report = _report(len(documents), len(changed), created, dry_run=dry_run)
            if dry_run or not changed:
                return report
            for start in range(0, len(changed), BATCH_SIZE):
                batch = changed[start : start + BATCH_SIZE]
                for rows in faq_rows(batch):
                    await faqs.upsert_many(rows)
                if progress is not None:
                    progress(len(batch))
            await self._record(
                session, AuditAction.FAQ_UPDATED, actor, None, _details(report), kind="faq_import"
            )
        await self._announce()
        return report

    async def import_carriers(
        self,
        actor: uuid.UUID | None,
        documents: Sequence[CarrierDocument],
        *,
        dry_run: bool = False,
        progress: Progress | None = None,
    ) -> ImportReport:
        async with self.sessionmaker.begin() as session:
            carriers = CarrierRepository(session)
            existing = {row.id: carrier_document(row) for row in await carriers.list_all()}
            changed = [document for document in documents if existing.get(document.id) != document]
            created = sum(1 for document in changed if document.id not in existing)
            report = _report(len(documents), len(changed), created, dry_run=dry_run)
            if dry_run or not changed:
                return report
            for start in range(0, len(changed), BATCH_SIZE):
                batch = changed[start : start + BATCH_SIZE]
                await carriers.upsert_many([seeding.carrier_row(document) for document in batch])
                if progress is not None:
                    progress(len(batch))
            await self._record(
                session, AuditAction.CARRIER_UPDATED, actor, None, _details(report), kind="carrier_import"
            )
        await self._announce()
        return report

    async def _record(
        self,
        session: AsyncSession,
        action: AuditAction,
        actor: uuid.UUID | None,
        target: str | None,
        details: Mapping[str, DetailValue],
        *,
        kind: str = "faq",
    ) -> None:
        await self.audit.record(session, AuditEvent(action, actor, kind, target, details))

    async def _announce(self) -> None:
        if self.announcer is not None:
            await self.announcer.announce_change()


async def _find(faqs: FaqRepository, key: str) -> FaqEntry:
    """An entry by id or by slug."""
    try:
        entry = await faqs.get(uuid.UUID(key))
    except ValueError:
        entry = await faqs.get_by_slug(key)
    if entry is None:
        raise faq_exceptions.FaqEntryNotFound()
    return entry


def _report(total: int, changed: int, created: int, *, dry_run: bool) -> ImportReport:
    return ImportReport(total, created, changed - created, total - changed, dry_run)


def _details(report: ImportReport) -> dict[str, DetailValue]:
    return {"total": report.total, "created": report.created, "updated": report.updated}
