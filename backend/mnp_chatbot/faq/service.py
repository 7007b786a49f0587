import datetime as dt
import uuid
from collections.abc import Callable, Sequence

from mnp_chatbot.carriers.models import Carrier
from mnp_chatbot.carriers.repository import CarrierRepository
from mnp_chatbot.core import clock
from mnp_chatbot.faq.exceptions import CarrierNotFound, FaqEntryNotFound
from mnp_chatbot.faq.index import KnowledgeIndex
from mnp_chatbot.faq.models import FaqEntry
from mnp_chatbot.faq.repository import FaqRepository
from mnp_chatbot.faq.schemas import FaqSearchResult
from mnp_chatbot.japanese.text import normalize


class FaqService:
    """The customers' read-only view of the knowledge: published entries valid today (in Japan) only."""

    def __init__(
        self,
        faqs: FaqRepository,
        carriers: CarrierRepository,
        index: KnowledgeIndex,
        *,
        today: Callable[[], dt.date] = clock.today_jst,
    ) -> None:
        self.faqs = faqs
        self.carriers = carriers
        self.index = index
        self.today = today

    async def search(self, query: str, *, limit: int) -> list[FaqSearchResult]:
        snapshot = await self.index.fresh()
        results = []
        for hit in snapshot.retriever.search(query, limit=limit):
            entry = snapshot.entries[hit.entry_id]
            results.append(
                FaqSearchResult(
                    id=entry.id,
                    slug=entry.slug,
                    question=entry.question,
                    answer=entry.answer,
                    category=entry.category,
                    score=round(hit.score, 6),
                    confidence=round(hit.confidence, 4),
                )
            )
        return results

    async def list_entries(
        self, *, category: str | None, brand: str | None, limit: int, offset: int
    ) -> Sequence[FaqEntry]:
        return await self.faqs.list_entries(
            on=self.today(), category=category, brand=brand, limit=limit, offset=offset
        )

    async def get(self, key: str) -> FaqEntry:
        entry = await self._find(key)
        if entry is None:
            raise FaqEntryNotFound()
        return entry

    async def _find(self, key: str) -> FaqEntry | None:
        try:
            entry_id = uuid.UUID(key)
        except ValueError:
            return await self.faqs.get_public(on=self.today(), slug=key)
        return await self.faqs.get_public(on=self.today(), entry_id=entry_id)

    async def list_carriers(self) -> Sequence[Carrier]:
        return await self.carriers.list_all()

    async def get_carrier(self, key: str) -> Carrier:
        wanted = normalize(key)
        for carrier in await self.carriers.list_all():
            names = [carrier.id, carrier.name, *carrier.aliases]
            if any(normalize(name) == wanted for name in names):
                return carrier
        raise CarrierNotFound()
