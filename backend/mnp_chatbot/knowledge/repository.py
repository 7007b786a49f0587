"""SQL of the console's knowledge editing: paged FAQ search, writes by slug, the carrier table."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, Text, case, cast, func, or_, select
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.ext.asyncio import AsyncSession

from mnp_chatbot.carriers.models import Carrier
from mnp_chatbot.faq.models import FaqEntry
from mnp_chatbot.knowledge.schemas import Category

CATEGORY_ORDER = case(
    {category.value: position for position, category in enumerate(Category)},
    value=FaqEntry.category,
    else_=len(Category),
)


@dataclass(frozen=True, slots=True)
class FaqFilters:
    query: str | None = None  # words to find in the slug, question, alternates, keywords or answer
    category: str | None = None
    brand: str | None = None
    verified: bool | None = None
    published: bool | None = None


def like_pattern(words: str) -> str:
    escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _filtered(stmt: Select[Any], filters: FaqFilters) -> Select[Any]:
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
        stmt = stmt.where(_brand_match(filters.brand))
    if filters.verified is not None:
        stmt = stmt.where(FaqEntry.verified.is_(filters.verified))
    if filters.published is not None:
        stmt = stmt.where(FaqEntry.is_published.is_(filters.published))
    return stmt


def _brand_match(brand: str) -> Any:
    """Entries of the brand a console user means: its id, or a carrier's name or alias (「ドコモ」 → docomo),
    compared without case."""
    wanted = brand.strip().lower()
    aliases = cast(func.lower(cast(Carrier.aliases, Text)), ARRAY(Text))
    named = select(cast(func.array_agg(Carrier.id), ARRAY(Text))).where(
        or_(func.lower(Carrier.id) == wanted, func.lower(Carrier.name) == wanted, aliases.any(wanted))
    )
    return or_(FaqEntry.brands.contains([wanted]), FaqEntry.brands.overlap(named.scalar_subquery()))


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


class KnowledgeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_faq(self, entry_id: uuid.UUID) -> FaqEntry | None:
        return await self.session.get(FaqEntry, entry_id)

    async def get_faq_by_slug(self, slug: str) -> FaqEntry | None:
        return await self.session.scalar(select(FaqEntry).where(FaqEntry.slug == slug))

    async def list_faq_page(
        self, filters: FaqFilters, *, limit: int, offset: int
    ) -> tuple[list[FaqEntry], int]:
        """One page, best match first when searching (then category and slug order), and how many entries
        match in all."""
        order = [CATEGORY_ORDER, FaqEntry.slug]
        if filters.query:
            order = [_relevance(filters.query), func.length(FaqEntry.question), *order]
        page = _filtered(select(FaqEntry), filters).order_by(*order)
        entries = (await self.session.scalars(page.limit(limit).offset(offset))).all()
        total = await self.session.scalar(_filtered(select(func.count(FaqEntry.id)), filters))
        return list(entries), int(total or 0)

    async def list_faqs(self) -> Sequence[FaqEntry]:
        return (await self.session.scalars(select(FaqEntry).order_by(CATEGORY_ORDER, FaqEntry.slug))).all()

    async def add_faq(self, row: dict[str, Any]) -> FaqEntry:
        entry = FaqEntry(**row)
        self.session.add(entry)
        await self.session.flush()
        await self.session.refresh(entry)
        return entry

    async def save_faq(self, entry: FaqEntry) -> FaqEntry:
        await self.session.flush()
        await self.session.refresh(entry)
        return entry

    async def delete_faq(self, entry: FaqEntry) -> None:
        await self.session.delete(entry)
        await self.session.flush()

    async def upsert_faqs(self, rows: Sequence[dict[str, Any]]) -> None:
        """Insert or update entries keyed by slug (an existing entry keeps its publication state unless the
        rows set `is_published`)."""
        if rows:
            stmt = insert(FaqEntry).values(list(rows))
            updated: dict[str, Any] = {key: stmt.excluded[key] for key in rows[0] if key != "slug"}
            updated["updated_at"] = func.now()
            await self.session.execute(
                stmt.on_conflict_do_update(index_elements=[FaqEntry.slug], set_=updated)
            )

    async def get_carrier(self, carrier_id: str) -> Carrier | None:
        return await self.session.get(Carrier, carrier_id)

    async def list_carriers(self) -> Sequence[Carrier]:
        return (await self.session.scalars(select(Carrier).order_by(Carrier.group_id, Carrier.id))).all()

    async def upsert_carriers(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            stmt = insert(Carrier).values(list(rows))
            updated: dict[str, Any] = {key: stmt.excluded[key] for key in rows[0] if key != "id"}
            updated["updated_at"] = func.now()
            await self.session.execute(stmt.on_conflict_do_update(index_elements=[Carrier.id], set_=updated))
