"""security.md test 48, its LINE half: webhooks acknowledged with 200, then the worker answering them is
SIGKILLed mid-way (the model streams slowly). Every acknowledged event is answered exactly once, by reply
or, when its reply token is gone, by push: the events the dead worker held are taken up by the other
instance once their lease (LINE_EVENT_LEASE_SECONDS) has passed, and none is answered twice.

Two gunicorn instances (one worker each) on the test's database and Redis, the fake LINE API and the fake
OpenAI server, all on loopback.
"""

import asyncio
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.channels.line.support import SECRET, Events, body, signed
from tests.fixtures.line_server import ACCESS_TOKEN, FakeLine, line_server, line_server_session
from tests.fixtures.openai_server import FakeOpenAI, Script
from tests.reliability.support import OwnRedis
from tests.reliability.test_48_53_processes import Instance

__all__ = ["line_server", "line_server_session"]

CUSTOMERS = 12
LEASE = 12  # seconds; each event is handled within about 3 s
CHUNKS = ["予約番号の", "有効期限は、", "取得した日を含めて", "15日間です[1]。"]


@pytest.fixture
def instances(
    database_url: str, own_redis: OwnRedis, openai_server: FakeOpenAI, line_server: FakeLine, tmp_path: Path
) -> Iterator[list[Instance]]:
    openai_server.reset(Script(chunks=CHUNKS, chunk_delay=0.6), embeddings=Script(status=503))
    (tmp_path / "empty.env").write_text("")
    env = {
        "PATH": os.environ["PATH"],
        "ENV_FILE": str(tmp_path / "empty.env"),
        "NODE_ENV": "test",
        "HOST": "127.0.0.1",
        "WEB_CONCURRENCY": "1",
        "GRACEFUL_TIMEOUT_SECONDS": "5",
        "DATABASE_URL": database_url,
        "DATABASE_POOL_MIN": "1",
        "DATABASE_POOL_MAX": "4",
        "REDIS_URL": own_redis.url,
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_BASE_URL": openai_server.url,
        "LINE_CHANNEL_SECRET": SECRET,
        "LINE_CHANNEL_ACCESS_TOKEN": ACCESS_TOKEN,
        "LINE_API_BASE_URL": line_server.url,
        "LINE_EVENT_LEASE_SECONDS": str(LEASE),
        "DATA_DIR": str(tmp_path),
        "LOG_LEVEL": "warning",
        "RETENTION_PURGE_INTERVAL_SECONDS": "0",
    }
    started = [Instance(env, tmp_path / f"gunicorn-{n}.log") for n in (1, 2)]
    try:
        for instance in started:
            instance.start()
        for instance in started:
            instance.wait_ready()
        yield started
    finally:
        for instance in started:
            instance.kill()


async def test_48_line_events_held_by_a_killed_worker_are_answered_once_elsewhere(
    instances: list[Instance], line_server: FakeLine
) -> None:
    first, _ = instances
    customers = [Events() for _ in range(CUSTOMERS)]
    async with httpx.AsyncClient(base_url=first.url, timeout=10) as http:
        for customer in customers:
            token = line_server.reply_token()
            line_server.own(token, customer.user)
            raw = body(customer.text("予約番号の有効期限は何日ですか？", reply_token=token))
            response = await http.post("/api/line/webhook", content=raw, headers=signed(raw))
            assert response.status_code == 200  # acknowledged: LINE will not send it again

    await asyncio.sleep(1.0)  # the first instance has taken the events and is streaming answers
    answered_before = sum(bool(line_server.deliveries_for(c.user)) for c in customers)
    [worker] = first.workers()
    os.kill(worker, signal.SIGKILL)
    killed_at = time.monotonic()

    deadline = killed_at + LEASE + 60
    while not all(line_server.deliveries_for(c.user) for c in customers):
        assert time.monotonic() < deadline, [len(line_server.deliveries_for(c.user)) for c in customers]
        await asyncio.sleep(0.5)
    waited = time.monotonic() - killed_at
    await asyncio.sleep(3)  # time for a second answer, were one coming

    counts = [len(line_server.deliveries_for(c.user)) for c in customers]
    vias = [d.via for c in customers for d in line_server.deliveries_for(c.user)]
    replies, pushes = vias.count("reply"), vias.count("push")
    print(  # noqa: T201 - the figures for the log
        f"LINE events with a killed worker: {CUSTOMERS} acknowledged, {answered_before} answered before the "
        f"kill, all answered {waited:.1f} s after it; {replies} by reply, {pushes} by push"
    )
    assert answered_before < CUSTOMERS  # the kill hit events still in hand
    assert counts == [1] * CUSTOMERS  # each answered, none twice
    for customer in customers:
        assert any("15日" in text for text in line_server.texts_to(customer.user))
