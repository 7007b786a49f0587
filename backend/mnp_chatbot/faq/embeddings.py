"""Dense vectors for the FAQ entries in pgvector, when an embedding provider is configured.

Entries are embedded from their question, alternates, keywords and answer; the hash of that text is kept,
so only new or edited entries are embedded again. At question time the customer's text is embedded and the
nearest entries (HNSW, cosine) join the lexical ranking; any failure leaves the lexical ranking alone.
"""

import asyncio
import hashlib
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mnp_chatbot.core.logging import get_logger
from mnp_chatbot.faq.models import EMBEDDING_DIMENSIONS, FaqEntry
from mnp_chatbot.faq.repository import FaqRepository
from mnp_chatbot.llm.protocols import Embedder

log = get_logger(__name__)
BATCH = 64
QUERY_TIMEOUT_S = 1.5
DENSE_DEPTH = 20


def source_text(entry: FaqEntry) -> str:
    return "\n".join([entry.question, *entry.alternates, " ".join(entry.keywords), entry.answer])


def source_hash(text: str) -> str:
    return hashlib.sha256(f"{EMBEDDING_DIMENSIONS}:{text}".encode()).hexdigest()


async def dense_supported(sessionmaker: async_sessionmaker[AsyncSession]) -> bool:
    """Whether the database can hold the vectors (pgvector was there when it was migrated)."""
    async with sessionmaker() as session:
        return await FaqRepository(session).supports_dense()


class DenseIndex:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], embedder: Embedder) -> None:
        self.sessionmaker = sessionmaker
        self.embedder = embedder

    async def embed_missing(self) -> int:
        """Embed every entry whose text changed since its embedding was made; returns how many."""
        async with self.sessionmaker() as session:
            entries = await FaqRepository(session).list_needing_embedding()
            stale = [(entry.id, source_text(entry)) for entry in entries]
            stale = [
                (i, text)
                for (i, text), entry in zip(stale, entries, strict=True)
                if entry.embedding_source_hash != source_hash(text)
            ]
        for start in range(0, len(stale), BATCH):
            batch = stale[start : start + BATCH]
            vectors = await self.embedder.embed([text for _, text in batch])
            async with self.sessionmaker.begin() as session:
                faqs = FaqRepository(session)
                for (entry_id, text), vector in zip(batch, vectors, strict=True):
                    await faqs.set_embedding(entry_id, vector, source_hash=source_hash(text))
        log.info("faq.embeddings.updated", count=len(stale))
        return len(stale)

    async def rank(self, query: str) -> Sequence[tuple[str, float]] | None:
        """The nearest entries to the question, or None when the provider fails or is slow."""
        try:
            async with asyncio.timeout(QUERY_TIMEOUT_S):
                [vector] = await self.embedder.embed([query])
                async with self.sessionmaker() as session:
                    return await FaqRepository(session).nearest(vector, limit=DENSE_DEPTH)
        except Exception as error:  # the lexical ranking stands on its own
            log.warning("faq.dense.unavailable", error=type(error).__name__)
            return None
