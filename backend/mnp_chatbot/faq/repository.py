import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from mnp_chatbot.carriers.models import Carrier
from mnp_chatbot.faq.models import FaqEntry


def public_on(day: dt.date) -> tuple[ColumnElement[bool], ...]:
    """What customers may see on `day`: published, and inside its validity dates."""
    return (
        FaqEntry.is_published.is_(True),
        FaqEntry.valid_from.is_(None) | (FaqEntry.valid_from <= day),
        FaqEntry.valid_until.is_(None) | (FaqEntry.valid_until >= day),
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

    async def version(self) -> str:
        """Changes whenever an FAQ entry or a carrier is added, edited or removed."""
        faqs = select(func.count(), func.max(FaqEntry.updated_at)).select_from(FaqEntry)
        carriers = select(func.count(), func.max(Carrier.updated_at)).select_from(Carrier)
        (faq_count, faq_latest), (carrier_count, carrier_latest) = [
            (await self.session.execute(stmt)).one() for stmt in (faqs, carriers)
        ]
        stamps = [f"{t.timestamp():.6f}" if t else "0" for t in (faq_latest, carrier_latest)]
        return f"{faq_count}-{stamps[0]}-{carrier_count}-{stamps[1]}"
