"""`make bench-line`: the LINE webhook's acknowledgement latency while the LLM is slow, against a trivial
endpoint of the same server in the same run, and exactly-once processing under a redelivery storm.

Starts the production server (gunicorn with deploy/gunicorn.conf.py, WORKERS workers, default one per core;
embedded PostgreSQL in a scratch directory; the settings' default log level) with the LINE channel pointed
at the local LINE platform of the tests and the LLM at the local OpenAI-compatible server, whose every
answer takes LLM_SECONDS (20 s) to its first token. Then:

1. ack: wrk (C, so the load generator takes little of the machine) keeps CONCURRENCY (50) deliveries in
   flight for SECONDS, each a body with one text event of a new user, signed beforehand; the same wrk run
   against `GET /health/live` right before is the baseline, so the figure can be read on a busy machine
   (and once more right after, while the queued events are answered). Target (issue 14): webhook p99 <
   200 ms. Deliveries answered and rows persisted are counted (persisted also counts the deliveries still
   in flight when wrk stopped).
   Run twice: the events processed in the web processes (the default), and by `mnp-chatbot line-worker` in
   a process of its own (LINE_WORKER_IN_PROCESS=false on the web processes).
2. storm: on a fresh server with a fast LLM, UNIQUE events each delivered COPIES times (the first with
   isRedelivery false, the rest true), shuffled, CONCURRENCY at a time; then waits until the queue is empty
   and counts stored events, stored questions, LLM calls and messages LINE delivered per user (all must
   equal one per event).

Prints `NAME metric=value …` lines; the load average is the 1-minute one when the phase ended.
"""

import argparse
import asyncio
import contextlib
import os
import random
import re
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

from scripts.bench_server import CLI, questions, served_by_gunicorn
from tests.channels.line.support import SECRET, Events, body, signed
from tests.fixtures import line_server, openai_server

# wrk's script: each thread takes every THREADS-th pre-signed body ("signature<TAB>body" lines), in turn;
# done() prints the percentiles (wrk's own summary has no p95).
WRK_WEBHOOK = """
local bodies, signatures, count, i = {}, {}, 0, 0
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function init(args)
  local n = 0
  for line in io.lines("%(path)s") do
    if n %% %(threads)d == id then
      local tab = string.find(line, "\\t", 1, true)
      table.insert(signatures, string.sub(line, 1, tab - 1))
      table.insert(bodies, string.sub(line, tab + 1))
    end
    n = n + 1
  end
  count = #bodies
end
function request()
  i = i %% count + 1
  local headers = {["Content-Type"] = "application/json", ["X-Line-Signature"] = signatures[i]}
  return wrk.format("POST", "/api/line/webhook", headers, bodies[i])
end
"""
WRK_DONE = """
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("FIGURES %d %d %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""
WRK_THREADS = 2


def settings(line: line_server.FakeLine, llm: openai_server.FakeOpenAI, **extra: str) -> dict[str, str]:
    return {
        **extra,
        "LINE_CHANNEL_SECRET": SECRET,
        "LINE_CHANNEL_ACCESS_TOKEN": line.access_token,
        "LINE_API_BASE_URL": line.url,
        "OPENAI_API_KEY": "sk-bench",
        "OPENAI_BASE_URL": llm.url,
        "SESSION_SECRET": "bench-line-session-secret",
        **({"REDIS_URL": os.environ["TEST_REDIS_URL"]} if "TEST_REDIS_URL" in os.environ else {}),
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


def signed_bodies(path: Path, number: int) -> None:
    """`number` deliveries, each one text event of a new user, as "signature<TAB>body" lines."""
    asked = questions()
    with path.open("w", encoding="utf-8") as output:
        for n in range(number):
            raw = body(Events().text(f"{asked[n % len(asked)]}（{n}）"))
            assert b"\n" not in raw
            assert b"\t" not in raw
            output.write(signed(raw)["x-line-signature"] + "\t" + raw.decode() + "\n")


def wrk(url: str, *, seconds: float, connections: int, script: Path) -> dict[str, Any]:
    command = [
        "wrk",
        f"-t{WRK_THREADS}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        url,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    found = re.search(r"^FIGURES ((?:\d+ ?){8})$", output, re.MULTILINE)
    if found is None:
        raise RuntimeError("wrk printed no figures:\n" + output)
    requests, duration_us, p50, p95, p99, longest, failed, non_2xx = map(int, found.group(1).split())
    return {
        "requests": requests,
        "rps": requests / (duration_us / 1e6),
        "p50_ms": p50 / 1000,
        "p95_ms": p95 / 1000,
        "p99_ms": p99 / 1000,
        "max_ms": longest / 1000,
        "socket_errors": failed,
        "non_2xx": non_2xx,
    }


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
        with (
            served_by_gunicorn(env, workers=args.workers) as (url, database),
            contextlib.ExitStack() as stack,
            tempfile.TemporaryDirectory() as scratch,
        ):
            if split:
                stack.enter_context(line_worker(env, database))
            measured = measure_acks(url, database, Path(scratch), args)
            llm_requests = len(llm.fake.chat_requests())
    finally:
        line.stop()
        llm.stop()
    webhook, baseline, later = measured["webhook"], measured["baseline"], measured["baseline_after"]
    return figures(
        "line_webhook_ack_worker_" + ("separate_process" if split else "in_process"),
        {
            "deliveries": webhook["requests"],
            "persisted": measured["persisted"],
            "non_2xx": webhook["non_2xx"],
            "socket_errors": webhook["socket_errors"],
            "rps": webhook["rps"],
            "p50_ms": webhook["p50_ms"],
            "p95_ms": webhook["p95_ms"],
            "p99_ms": webhook["p99_ms"],
            "max_ms": webhook["max_ms"],
            "baseline_rps": baseline["rps"],
            "baseline_p50_ms": baseline["p50_ms"],
            "baseline_p99_ms": baseline["p99_ms"],
            "baseline_after_rps": later["rps"],
            "baseline_after_p99_ms": later["p99_ms"],
            "p99_vs_baseline": webhook["p99_ms"] / max(baseline["p99_ms"], 0.001),
            "rps_vs_baseline": webhook["rps"] / max(baseline["rps"], 0.001),
            "workers": args.workers,
            "llm_seconds": args.llm_seconds,
            "load_average_1m": os.getloadavg()[0],
            "llm_requests_meanwhile": llm_requests,
            "concurrency": args.concurrency,
            "target_p99_ms": 200,
        },
    )


def measure_acks(url: str, database: str, scratch: Path, args: argparse.Namespace) -> dict[str, Any]:
    """The trivial endpoint, the webhook, the trivial endpoint again. The baseline is the first trivial run;
    the second shows the machine after the webhook's run, while the queued events are being answered."""
    number = max(20_000, int(args.seconds * 3_000))
    warm_up, timed, trivial = scratch / "warm_up.lua", scratch / "webhook.lua", scratch / "trivial.lua"
    for script, bodies in ((warm_up, 200), (timed, number)):
        signed_bodies(script.with_suffix(".tsv"), bodies)
        lua = WRK_WEBHOOK % {"path": script.with_suffix(".tsv"), "threads": WRK_THREADS}
        script.write_text(lua + WRK_DONE, encoding="utf-8")
    trivial.write_text(WRK_DONE, encoding="utf-8")
    live = url + "/health/live"
    wrk(live, seconds=2, connections=args.concurrency, script=trivial)
    wrk(url, seconds=1, connections=10, script=warm_up)
    before = asyncio.run(count(database, "SELECT count(*) FROM channel_events"))
    first = wrk(live, seconds=args.seconds, connections=args.concurrency, script=trivial)
    webhook = wrk(url, seconds=args.seconds, connections=args.concurrency, script=timed)
    second = wrk(live, seconds=args.seconds, connections=args.concurrency, script=trivial)
    after = asyncio.run(count(database, "SELECT count(*) FROM channel_events"))
    if webhook["requests"] > number:
        raise RuntimeError(f"wrk sent {webhook['requests']} deliveries, more than the {number} bodies")
    return {"webhook": webhook, "baseline": first, "baseline_after": second, "persisted": after - before}


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
        with served_by_gunicorn(settings(line.fake, llm.fake), workers=args.workers) as (url, database):
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
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)) or 1)
    parser.add_argument("--phases", default="ack,split,storm", help="which of ack, split, storm to run")
    args = parser.parse_args()
    phases = set(args.phases.split(","))
    if "ack" in phases:
        print(ack_phase(args, split=False), flush=True)
    if "split" in phases:
        print(ack_phase(args, split=True), flush=True)
    if "storm" in phases:
        print(storm_phase(args), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
