"""SQL of the `faqs` table: the only module that reads or writes it."""

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from mnp_chatbot.faq.models import FaqEntry
from mnp_chatbot.faq.schemas import FaqFilters
from mnp_chatbot.knowledge.schemas import Category

CATEGORY_ORDER = case(
    {category.value: position for position, category in enumerate(Category)},
    value=FaqEntry.category,
    else_=len(Category),
)


def public_on(day: dt.date) -> tuple[ColumnElement[bool], ...]:
    """What customers may see on `day`: published, and inside its validity dates."""
    return (
        FaqEntry.is_published.is_(True),
        FaqEntry.valid_from.is_(None) | (FaqEntry.valid_from <= day),
        FaqEntry.valid_until.is_(None) | (FaqEntry.valid_until >= day),
    )


def like_pattern(words: str) -> str:
    escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _filtered(stmt: Select[Any], filters: FaqFilters, brand_ids: Sequence[str]) -> Select[Any]:
    if filters.query:
        pattern = like_pattern(filters.query)
        searched = (
            FaqEntry.slug,
            FaqEntry.question,
            FaqEntry.answer,
            func.array_to_string(FaqEntry.alternates, " "),
            func.array_to_string(FaqEntry.keywords, " "),
        )
        stmt = stmt.where(or_(*(column.ilike(pattern, escape="\\") for column in searched)))
    if filters.category is not None:
        stmt = stmt.where(FaqEntry.category == filters.category)
    if filters.brand is not None:
        stmt = stmt.where(FaqEntry.brands.overlap([filters.brand.strip().lower(), *brand_ids]))
    if filters.verified is not None:
        stmt = stmt.where(FaqEntry.verified.is_(filters.verified))
    if filters.published is not None:
        stmt = stmt.where(FaqEntry.is_published.is_(filters.published))
    return stmt


def _relevance(query: str) -> Any:
    """Best match first: the words in the question, then in an alternate or keyword, then the slug, then
    only the answer."""
    pattern = like_pattern(query)
    return case(
        (FaqEntry.question.ilike(pattern, escape="\\"), 0),
        (func.array_to_string(FaqEntry.alternates, " ").ilike(pattern, escape="\\"), 1),
        (func.array_to_string(FaqEntry.keywords, " ").ilike(pattern, escape="\\"), 1),
        (FaqEntry.slug.ilike(pattern, escape="\\"), 2),
        else_=3,
    )


class FaqRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_public(
        self, *, on: dt.date, entry_id: uuid.UUID | None = None, slug: str = ""
    ) -> FaqEntry | None:
        """The entry by id or slug, if it is published and valid on `on`."""
        key = FaqEntry.id == entry_id if entry_id is not None else FaqEntry.slug == slug
        return await self.session.scalar(select(FaqEntry).where(key, *public_on(on)))

    async def list_published(self, *, on: dt.date | None = None) -> Sequence[FaqEntry]:
        stmt = select(FaqEntry).where(FaqEntry.is_published).order_by(FaqEntry.slug)
        if on is not None:
            stmt = stmt.where(*public_on(on))
        return (await self.session.scalars(stmt)).all()

    async def list_entries(
        self,
        *,
        on: dt.date,
        category: str | None = None,
        brand: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> Sequence[FaqEntry]:
        """Entries customers may see: published and valid on `on`."""
        stmt = (
            select(FaqEntry)
            .where(*public_on(on))
            .order_by(FaqEntry.category, FaqEntry.slug)
            .limit(limit)
            .offset(offset)
        )
        if category is not None:
            stmt = stmt.where(FaqEntry.category == category)
        if brand is not None:
            stmt = stmt.where(FaqEntry.brands.contains([brand]))
        return (await self.session.scalars(stmt)).all()

    async def supports_dense(self) -> bool:
        """Whether the schema has the pgvector embedding column (it is created only where pgvector exists)."""
        stmt = text(
            "SELECT 1 FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = 'faqs' AND column_name = 'embedding'"
        )
        return (await self.session.scalar(stmt)) is not None

    async def nearest(self, embedding: Sequence[float], *, limit: int) -> list[tuple[str, float]]:
        """Published entries closest to `embedding` (cosine similarity, best first), via the HNSW index."""
        distance = FaqEntry.embedding.cosine_distance(embedding)
        stmt = (
            select(FaqEntry.id, distance)
            .where(FaqEntry.is_published, FaqEntry.embedding.is_not(None))
            .order_by(distance)
            .limit(limit)
        )
        return [(str(entry_id), 1.0 - float(d)) for entry_id, d in await self.session.execute(stmt)]

    async def list_needing_embedding(self) -> Sequence[FaqEntry]:
        return (await self.session.scalars(select(FaqEntry).order_by(FaqEntry.slug))).all()

    async def set_embedding(
        self, entry_id: uuid.UUID, embedding: Sequence[float], *, source_hash: str
    ) -> None:
        stmt = (
            update(FaqEntry)
            .where(FaqEntry.id == entry_id)
            .values(
                embedding=list(embedding), embedding_source_hash=source_hash, updated_at=FaqEntry.updated_at
            )
        )
        await self.session.execute(stmt)

    async def upsert_many(self, rows: Sequence[dict[str, Any]]) -> int:
        """Insert or update entries keyed by slug; returns how many rows were written."""
        if not rows:
            return 0
        stmt = insert(FaqEntry).values(list(rows))
        updated: dict[str, Any] = {key: stmt.excluded[key] for key in rows[0] if key != "slug"}
        updated["updated_at"] = func.now()
        stmt = stmt.on_conflict_do_update(index_elements=[FaqEntry.slug], set_=updated)
        result = await self.session.execute(stmt)
        return int(getattr(result, "rowcount", len(rows)))

    async def stamp(self) -> str:
        """Changes whenever an entry is added, edited or removed."""
        stmt = select(func.count(), func.max(FaqEntry.updated_at)).select_from(FaqEntry)
        count, latest = (await self.session.execute(stmt)).one()
        return f"{count}-{latest.timestamp():.6f}" if latest else f"{count}-0"

    async def get(self, entry_id: uuid.UUID) -> FaqEntry | None:
        return await self.session.get(FaqEntry, entry_id)

    async def get_by_slug(self, slug: str) -> FaqEntry | None:
        return await self.session.scalar(select(FaqEntry).where(FaqEntry.slug == slug))

    async def list_page(
        self, filters: FaqFilters, *, brand_ids: Sequence[str] = (), limit: int, offset: int
    ) -> tuple[list[FaqEntry], int]:
        """One page, best match first when searching (then category and slug order), and how many entries
        match in all. `brand_ids`: the carriers `filters.brand` names, besides the word itself."""
        order = [CATEGORY_ORDER, FaqEntry.slug]
        if filters.query:
            order = [_relevance(filters.query), func.length(FaqEntry.question), *order]
        page = _filtered(select(FaqEntry), filters, brand_ids).order_by(*order)
        entries = (await self.session.scalars(page.limit(limit).offset(offset))).all()
        total = await self.session.scalar(_filtered(select(func.count(FaqEntry.id)), filters, brand_ids))
        return list(entries), int(total or 0)

    async def list_all(self) -> Sequence[FaqEntry]:
        return (await self.session.scalars(select(FaqEntry).order_by(CATEGORY_ORDER, FaqEntry.slug))).all()

    async def add(self, row: dict[str, Any]) -> FaqEntry:
        entry = FaqEntry(**row)
        self.session.add(entry)
        await self.session.flush()
        await self.session.refresh(entry)
        return entry

    async def save(self, entry: FaqEntry) -> FaqEntry:
        await self.session.flush()
        await self.session.refresh(entry)
        return entry

    async def delete(self, entry: FaqEntry) -> None:
        await self.session.delete(entry)
        await self.session.flush()
