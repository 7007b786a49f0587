"""An entry's validFrom/validUntil take effect on the day itself (in Japan), with no edit and no restart."""

import datetime as dt
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from mnp_chatbot.core import clock, redis
from mnp_chatbot.faq.index import KnowledgeIndex
from mnp_chatbot.faq.models import FaqEntry

# 08:30 on 2026-12-04 in Japan, still the 3rd on a UTC host.
INSTANT = dt.datetime(2026, 12, 3, 23, 30, tzinfo=dt.UTC)
DAY = clock.date_in_japan(INSTANT)


class Calendar:
    def __init__(self, day: dt.date) -> None:
        self.day = day

    def __call__(self) -> dt.date:
        return self.day


@pytest.fixture
async def sessionmaker(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_async_engine(database_url)
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


def entry(slug: str, **validity: dt.date) -> FaqEntry:
    return FaqEntry(
        slug=slug,
        category="other",
        question=f"{slug}の期間限定キャンペーンは？",
        answer="期間限定の案内です。",
        as_of=dt.date(2026, 11, 1),
        verification="official",
        verified=True,
        **validity,
    )


def slugs(index: KnowledgeIndex) -> set[str]:
    return {view.slug for view in index.snapshot.entries.values()}


async def test_entries_enter_and_leave_the_index_when_the_day_in_japan_turns(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        session.add_all(
            [
                entry("test-starts-on-the-4th", valid_from=DAY),
                entry("test-ends-on-the-3rd", valid_until=DAY - dt.timedelta(days=1)),
                entry("test-ends-on-the-4th", valid_until=DAY),
            ]
        )
    calendar = Calendar(DAY - dt.timedelta(days=1))
    store = redis.connect("redis://127.0.0.1:1/0")  # never reached: nothing is announced
    index = KnowledgeIndex(sessionmaker, store, today=calendar)
    try:
        await index.fresh()
        assert {"test-ends-on-the-3rd", "test-ends-on-the-4th"} <= slugs(index)
        assert "test-starts-on-the-4th" not in slugs(index)

        calendar.day = DAY  # no edit, no reload, no restart: only the date moved on
        await index.fresh()
        assert {"test-starts-on-the-4th", "test-ends-on-the-4th"} <= slugs(index)
        assert "test-ends-on-the-3rd" not in slugs(index)

        calendar.day = DAY + dt.timedelta(days=1)
        await index.fresh()
        assert "test-ends-on-the-4th" not in slugs(index)
        assert "test-starts-on-the-4th" in slugs(index)
    finally:
        await store.close()
