"""One database pool per process: chat turns, history and the console share the engine's connections, so a
process never holds more than DATABASE_POOL_MAX of them, however many turns run at once."""

import asyncio
import contextlib
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from asgi_lifespan import LifespanManager

from mnp_chatbot.core import db
from mnp_chatbot.main import create_app
from tests.fixtures.app import SettingsFactory
from tests.fixtures.database import _asyncpg_dsn, admin_execute

POOL_MAX = 3
TURNS = 24


async def app_connections(probe: asyncpg.Connection) -> int:
    count: int = await probe.fetchval(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE application_name = 'mnp-chatbot' AND datname = current_database()"
    )
    return count


@contextlib.asynccontextmanager
async def peak_connections(database_url: str) -> AsyncIterator[list[int]]:
    """Samples the app's connections to this test's database every few milliseconds, from a connection of
    its own (another application name); yields the list of samples, filled when the block ends."""
    dsn = _asyncpg_dsn(database_url, database_url.rsplit("/", 1)[1].split("?")[0])
    probe = await asyncpg.connect(**dsn, server_settings={"application_name": "pool-probe"})
    samples: list[int] = []

    async def sample() -> None:
        while True:
            samples.append(await app_connections(probe))
            await asyncio.sleep(0.005)

    sampler = asyncio.create_task(sample())
    try:
        yield samples
    finally:
        sampler.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sampler
        await probe.close()


async def test_concurrent_chat_turns_hold_at_most_the_pool_maximum(
    make_settings: SettingsFactory, database_url: str
) -> None:
    application = create_app(make_settings(DATABASE_POOL_MIN=1, DATABASE_POOL_MAX=POOL_MAX))
    async with LifespanManager(application, startup_timeout=60) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with (
            httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
            peak_connections(database_url) as samples,
        ):
            first = await asyncio.gather(
                *(client.post("/api/chat", json={"message": "MNPの手数料は？"}) for _ in range(TURNS))
            )
            follow_ups = [
                {"message": "予約番号の有効期限は？", "sessionId": r.json()["sessionId"]} for r in first
            ]
            later = await asyncio.gather(*(client.post("/api/chat", json=body) for body in follow_ups))
    assert {reply.status_code for reply in [*first, *later]} == {200}
    assert samples, "the probe took no sample"
    # The turns ran concurrently (more than one connection at some point), and never on more than the pool.
    assert 2 <= max(samples) <= POOL_MAX, samples


@pytest.mark.parametrize("pause", [0.0, 0.3])
async def test_connections_the_server_ended_are_replaced_on_checkout(
    make_settings: SettingsFactory, database_url: str, server_url: str, pause: float
) -> None:
    """The server ends every connection (a restart, a failover): the next history page (SQLAlchemy) and the
    next chat turn (asyncpg on the same pool) are answered, not 500. With no pause the app may not have
    seen the connections close; the ping of a connection idle past the threshold (0 here) then finds it."""
    settings = make_settings(DATABASE_POOL_MIN=2, DATABASE_POOL_MAX=POOL_MAX)
    application = create_app(settings)
    async with LifespanManager(application, startup_timeout=60) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            first = await client.post("/api/chat", json={"message": "MNPの手数料は？"})
            headers = {"X-Session-Token": first.json()["sessionId"]}
            database = database_url.rsplit("/", 1)[1].split("?")[0]
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(db, "PING_AFTER_IDLE_S", 0.0)
                await admin_execute(
                    server_url,
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    f"WHERE application_name = 'mnp-chatbot' AND datname = '{database}'",
                )
                await asyncio.sleep(pause)
                history = await client.get("/api/session/messages", headers=headers)
                turn = await client.post(
                    "/api/chat",
                    json={"message": "予約番号の有効期限は？", "sessionId": first.json()["sessionId"]},
                )
    assert (history.status_code, turn.status_code) == (200, 200)
    assert len(history.json()["messages"]) == 2
