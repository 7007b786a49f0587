"""`make bench-line`: the LINE webhook's acknowledgement latency while the LLM is slow, and exactly-once
processing under a redelivery storm.

Starts the real server (one uvicorn process, embedded PostgreSQL in a scratch directory) with the LINE channel
pointed at the local LINE platform of the tests and the LLM at the local OpenAI-compatible server, whose every
answer takes LLM_SECONDS (20 s) to its first token. Then, from this process:

1. ack: CONCURRENCY (50) deliveries at a time for SECONDS, each a signed body with one text event of a new
   user; every response timed. Target (issue 14): p99 < 200 ms. Events ACKed and rows persisted are counted.
   Run twice: the events processed in the web process (the default), and by `mnp-chatbot line-worker` in a
   process of its own (LINE_WORKER_IN_PROCESS=false on the web process).
2. storm: on a fresh server with a fast LLM, UNIQUE events each delivered COPIES times (the first with
   isRedelivery false, the rest true), shuffled, CONCURRENCY at a time; then waits until the queue is empty
   and counts stored events, stored questions, LLM calls and messages LINE delivered per user (all must
   equal one per event).

Prints `NAME metric=value …` lines.
"""

import argparse
import asyncio
import contextlib
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from scripts.bench_server import CLI, questions, served_with_database
from tests.channels.line.support import SECRET, Events, body, signed
from tests.fixtures import line_server, openai_server


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(len(ordered) * q) - 1)] if ordered else 0.0


def settings(line: line_server.FakeLine, llm: openai_server.FakeOpenAI, **extra: str) -> dict[str, str]:
    return {
        **extra,
        "LINE_CHANNEL_SECRET": SECRET,
        "LINE_CHANNEL_ACCESS_TOKEN": line.access_token,
        "LINE_API_BASE_URL": line.url,
        "OPENAI_API_KEY": "sk-bench",
        "OPENAI_BASE_URL": llm.url,
        "SESSION_SECRET": "bench-line-session-secret",
    }


async def count(database: str, sql: str) -> int:
    engine = create_async_engine(database)
    try:
        async with engine.connect() as connection:
            return int((await connection.execute(text(sql))).scalar_one())
    finally:
        await engine.dispose()


async def post(client: httpx.AsyncClient, raw: bytes) -> int:
    """The response's status, or 0 when the connection failed (counted, not fatal)."""
    try:
        response = await client.post("/api/line/webhook", content=raw, headers=signed(raw))
    except httpx.TransportError:
        return 0
    return response.status_code


async def deliver_all(url: str, bodies: list[bytes], *, concurrency: int) -> tuple[list[float], Counter[int]]:
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    pending = iter(bodies)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:

        async def one_connection() -> None:
            for raw in pending:
                started = time.perf_counter()
                statuses[await post(client, raw)] += 1
                latencies.append((time.perf_counter() - started) * 1000)

        await asyncio.gather(*(one_connection() for _ in range(concurrency)))
    return latencies, statuses


async def timed_deliveries(url: str, *, seconds: float, concurrency: int) -> tuple[list[float], Counter[int]]:
    """New-user text events, CONCURRENCY in flight, for `seconds`."""
    asked = questions()
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:

        async def one_connection(number: int) -> None:
            sent = 0
            while time.monotonic() < deadline:
                raw = body(Events().text(f"{asked[(number * 97 + sent) % len(asked)]}（{number}-{sent}）"))
                started = time.perf_counter()
                statuses[await post(client, raw)] += 1
                latencies.append((time.perf_counter() - started) * 1000)
                sent += 1

        await asyncio.gather(*(one_connection(n) for n in range(concurrency)))
    return latencies, statuses


def figures(name: str, values: dict[str, Any]) -> str:
    return (
        name
        + " "
        + " ".join(f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}" for k, v in values.items())
    )


@contextlib.contextmanager
def line_worker(env: dict[str, str], database: str) -> Iterator[None]:
    """`mnp-chatbot line-worker` on the server's database, started: events are processed outside the web
    process."""
    with tempfile.NamedTemporaryFile(suffix=".log") as log:
        process = subprocess.Popen(
            [CLI, "line-worker"],
            env={**os.environ, **env, "DATABASE_URL": database, "LOG_LEVEL": "info"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 120
            while b'"app.started"' not in Path(log.name).read_bytes():
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("line-worker did not start: " + Path(log.name).read_text()[-2000:])
                time.sleep(0.2)
            yield
        finally:
            process.terminate()
            process.wait(timeout=30)


def ack_phase(args: argparse.Namespace, *, split: bool) -> str:
    line = line_server.start()
    llm = openai_server.start(
        openai_server.FakeOpenAI(
            default=openai_server.Script(text="回答です。", first_token_delay=args.llm_seconds)
        )
    )
    try:
        env = settings(line.fake, llm.fake, LINE_WORKER_IN_PROCESS=str(not split).lower())
        with served_with_database(env) as (url, database), contextlib.ExitStack() as stack:
            if split:
                stack.enter_context(line_worker(env, database))
            latencies, statuses, persisted = asyncio.run(measure_acks(url, database, args))
            llm_requests = len(llm.fake.chat_requests())
    finally:
        line.stop()
        llm.stop()
    return figures(
        "line_webhook_ack_worker_" + ("separate_process" if split else "in_process"),
        {
            "deliveries": len(latencies),
            "acked": statuses[200],
            "persisted": persisted,
            "non_200": sum(n for s, n in statuses.items() if s != 200),
            "p50_ms": percentile(latencies, 0.5),
            "p95_ms": percentile(latencies, 0.95),
            "p99_ms": percentile(latencies, 0.99),
            "max_ms": max(latencies),
            "llm_seconds": args.llm_seconds,
            "load_average_1m": os.getloadavg()[0],
            "llm_requests_meanwhile": llm_requests,
            "concurrency": args.concurrency,
            "target_p99_ms": 200,
        },
    )


async def measure_acks(
    url: str, database: str, args: argparse.Namespace
) -> tuple[list[float], Counter[int], int]:
    warm_up = [body(Events().text("予約番号の有効期限は？")) for _ in range(20)]
    await deliver_all(url, warm_up, concurrency=5)
    latencies, statuses = await timed_deliveries(url, seconds=args.seconds, concurrency=args.concurrency)
    persisted = await count(database, "SELECT count(*) FROM channel_events") - len(warm_up)
    return latencies, statuses, persisted


async def storm(url: str, database: str, copies: list[bytes], concurrency: int) -> dict[str, Any]:
    started = time.perf_counter()
    _, statuses = await deliver_all(url, copies, concurrency=concurrency)
    while await count(database, "SELECT count(*) FROM channel_events WHERE processed_at IS NULL"):
        await asyncio.sleep(0.5)
    return {
        "acked": statuses[200],
        "events_stored": await count(database, "SELECT count(*) FROM channel_events"),
        "questions_stored": await count(database, "SELECT count(*) FROM messages WHERE role = 'user'"),
        "not_delivered_outcomes": await count(
            database, "SELECT count(*) FROM channel_events WHERE outcome NOT IN ('replied', 'pushed')"
        ),
        "processing_s": time.perf_counter() - started,
    }


def storm_phase(args: argparse.Namespace) -> str:
    line = line_server.start()
    llm = openai_server.start(
        openai_server.FakeOpenAI(default=openai_server.Script(text="回答です。", first_token_delay=0.2))
    )
    asked = questions()
    users = [Events() for _ in range(args.unique)]
    events = [user.text(f"{asked[i % len(asked)]}（{i}）") for i, user in enumerate(users)]
    copies: list[bytes] = []
    for event in events:
        copies.append(body(event))
        redelivered = {**event, "deliveryContext": {"isRedelivery": True}}
        copies += [body(redelivered) for _ in range(args.copies - 1)]
    random.Random(14).shuffle(copies)
    try:
        with served_with_database(settings(line.fake, llm.fake)) as (url, database):
            counted = asyncio.run(storm(url, database, copies, args.concurrency))
        per_user = Counter(d.to for d in line.fake.delivered)
        llm_calls = len(llm.fake.chat_requests())
    finally:
        line.stop()
        llm.stop()
    delivered = [per_user.get(user.user, 0) for user in users]
    return figures(
        "line_redelivery_storm",
        {
            "unique_events": args.unique,
            "deliveries": len(copies),
            **{k: v for k, v in counted.items() if k != "processing_s"},
            "llm_calls": llm_calls,
            "users_answered_once": sum(n == 1 for n in delivered),
            "users_answered_twice_or_more": sum(n > 1 for n in delivered),
            "users_unanswered": sum(n == 0 for n in delivered),
            "processing_s": counted["processing_s"],
        },
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--llm-seconds", type=float, default=20.0)
    parser.add_argument("--unique", type=int, default=200)
    parser.add_argument("--copies", type=int, default=5)
    args = parser.parse_args()
    print(ack_phase(args, split=False), flush=True)
    print(ack_phase(args, split=True), flush=True)
    print(storm_phase(args), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
