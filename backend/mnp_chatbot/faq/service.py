import uuid
from collections.abc import Sequence

from mnp_chatbot.carriers.models import Carrier
from mnp_chatbot.carriers.repository import CarrierRepository
from mnp_chatbot.faq import text
from mnp_chatbot.faq.exceptions import CarrierNotFound, FaqEntryNotFound
from mnp_chatbot.faq.index import KnowledgeIndex
from mnp_chatbot.faq.models import FaqEntry
from mnp_chatbot.faq.repository import FaqRepository
from mnp_chatbot.faq.schemas import FaqSearchResult


class FaqService:
    def __init__(self, faqs: FaqRepository, carriers: CarrierRepository, index: KnowledgeIndex) -> None:
        self.faqs = faqs
        self.carriers = carriers
        self.index = index

    def search(self, query: str, *, limit: int) -> list[FaqSearchResult]:
        snapshot = self.index.snapshot
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
        return await self.faqs.list_entries(category=category, brand=brand, limit=limit, offset=offset)

    async def get(self, key: str) -> FaqEntry:
        entry = await self._find(key)
        if entry is None:
            raise FaqEntryNotFound()
        return entry

    async def _find(self, key: str) -> FaqEntry | None:
        try:
            return await self.faqs.get(uuid.UUID(key))
        except ValueError:
            return await self.faqs.get_by_slug(key)

    async def list_carriers(self) -> Sequence[Carrier]:
        return await self.carriers.list_all()

    async def get_carrier(self, key: str) -> Carrier:
        wanted = text.normalize(key)
        for carrier in await self.carriers.list_all():
            names = [carrier.id, carrier.name, *carrier.aliases]
            if any(text.normalize(name) == wanted for name in names):
                return carrier
        raise CarrierNotFound()
