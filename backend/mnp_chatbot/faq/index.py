"""The live knowledge index: the current snapshot (`faq/snapshot.py`), rebuilt from the database.

A snapshot is immutable; a rebuild makes a new one off the event loop and swaps the reference, so
searches never wait and never see a half-built index. Other replicas hear of changes on a pub/sub channel.
"""

import asyncio
import contextlib
import datetime as dt
from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mnp_chatbot.carriers.repository import CarrierRepository
from mnp_chatbot.core import clock
from mnp_chatbot.core.logging import get_logger
from mnp_chatbot.core.redis import Store
from mnp_chatbot.faq.models import FaqEntry
from mnp_chatbot.faq.repository import FaqRepository
from mnp_chatbot.faq.retrieval import IndexedEntry
from mnp_chatbot.faq.snapshot import MEMO_LIMIT as MEMO_LIMIT
from mnp_chatbot.faq.snapshot import SEARCH_DEPTH as SEARCH_DEPTH
from mnp_chatbot.faq.snapshot import FaqView as FaqView
from mnp_chatbot.faq.snapshot import KnowledgeSnapshot as KnowledgeSnapshot
from mnp_chatbot.faq.snapshot import build
from mnp_chatbot.knowledge import loader
from mnp_chatbot.knowledge.schemas import CarrierDocument

log = get_logger(__name__)
ANNOUNCE_ATTEMPTS = 3
CHANGES_CHANNEL = "mnp:knowledge:changed"


def indexed(entry: FaqEntry) -> IndexedEntry:
    return IndexedEntry(
        id=str(entry.id),
        question=entry.question,
        alternates=tuple(entry.alternates),
        keywords=tuple(entry.keywords),
        answer=entry.answer,
        brands=tuple(entry.brands),
        category=entry.category,
    )


def view_of(entry: FaqEntry) -> FaqView:
    """What answering needs of one FAQ entry, detached from the database session."""
    return FaqView(
        id=str(entry.id),
        slug=entry.slug,
        question=entry.question,
        answer=entry.answer,
        category=entry.category,
        brands=tuple(entry.brands),
        verified=entry.verified,
        official_url=entry.official_url,
        sources=tuple(entry.sources),
        as_of=entry.as_of,
    )


def build_snapshot(
    version: str, entries: Sequence[FaqEntry], carriers: Sequence[CarrierDocument]
) -> KnowledgeSnapshot:
    return build(
        version,
        [(indexed(entry), view_of(entry)) for entry in entries],
        carriers,
        synonyms=[group.terms for group in loader.load_synonyms()],
        built_at=dt.datetime.now(dt.UTC),
    )


class KnowledgeIndex:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        store: Store,
        *,
        today: Callable[[], dt.date] = clock.today_jst,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.store = store
        self.today = today
        self._snapshot: KnowledgeSnapshot | None = None
        self._built_on: dt.date | None = None
        self._lock = asyncio.Lock()
        self._watcher: asyncio.Task[None] | None = None
        self.on_rebuilt: list[Callable[[], Awaitable[object]]] = []  # e.g. embed the edited entries
        self._followers: set[asyncio.Task[object]] = set()

    @property
    def snapshot(self) -> KnowledgeSnapshot:
        if self._snapshot is None:
            raise RuntimeError("the knowledge index has not been loaded yet")
        return self._snapshot

    @property
    def ready(self) -> bool:
        return self._snapshot is not None

    async def fresh(self) -> KnowledgeSnapshot:
        """The snapshot, rebuilt first when the day (in Japan) has turned since it was built: entries
        enter and leave by their validity dates."""
        if self._built_on != self.today():
            return await self.reload()
        return self.snapshot

    async def reload(self, *, today: dt.date | None = None) -> KnowledgeSnapshot:
        """Rebuild from the database and swap it in; skipped when nothing changed."""
        day = today or self.today()
        async with self._lock:
            async with self.sessionmaker() as session:
                faqs, carrier_table = FaqRepository(session), CarrierRepository(session)
                version = f"{await faqs.stamp()}-{await carrier_table.stamp()}"
                if self._snapshot is not None and self._snapshot.version == version and self._built_on == day:
                    return self._snapshot
                entries = await faqs.list_published(on=day)
                rows = await carrier_table.list_all()
            carriers = [CarrierDocument.model_validate(row.document) for row in rows]
            snapshot = await asyncio.to_thread(build_snapshot, version, entries, carriers)
            self._snapshot = snapshot
            self._built_on = day
            log.info("knowledge.index.built", version=version, entries=len(entries), carriers=len(carriers))
            for follower in self.on_rebuilt:
                self._follow(follower())
            return snapshot

    async def announce_change(self) -> None:
        """Rebuild here and tell the other replicas to rebuild too. The change is committed by now and this
        replica serves it, so a notice Redis did not take is tried again and then logged, never raised (a
        500 would tell the editor their committed change failed)."""
        await self.reload()
        for attempt in range(1, ANNOUNCE_ATTEMPTS + 1):
            try:
                await self.store.publish(CHANGES_CHANNEL, self.snapshot.version)
                return
            except Exception as error:  # a slow or lost Redis connection
                log.warning("knowledge.announce.failed", attempt=attempt, error=type(error).__name__)

    def _follow(self, work: Awaitable[object]) -> None:
        task: asyncio.Task[object] = asyncio.ensure_future(work)
        self._followers.add(task)
        task.add_done_callback(self._followers.discard)

    def start_watching(self) -> None:
        self._watcher = asyncio.create_task(self._watch())

    async def _watch(self) -> None:
        missed = False  # announcements may have been sent while the subscription was down
        while True:
            try:
                if missed:
                    await self.reload()
                    missed = False
                async for _version in self.store.subscribe(CHANGES_CHANNEL):
                    await self.reload()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # a lost Redis (or database) connection must not end the watcher
                log.warning("knowledge.watch.failed", error=type(error).__name__)
                missed = True
                await asyncio.sleep(1.0)

    async def close(self) -> None:
        for task in [*self._followers, *([self._watcher] if self._watcher else [])]:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
