"""Time to the first streamed token through our server, against the LLM server's own first-token time.

Starts a local OpenAI-compatible server (tests/fixtures/openai_server.py, in this process) that waits
`--first-token-ms` before its first content chunk, and the real app (`mnp-chatbot serve`, embedded PostgreSQL
in a scratch directory) configured to use it. A socket.io client then asks each development question once
(so the answer cache never serves it), alternately as the first turn of a new session and as its second
turn (which also reads the history), and measures, per answer that went to the model:

    ours       client emits chat:message → first chat:delta arrives
    server     the LLM server got the request → it sent the first content chunk (its own first-token time)
    overhead   ours − server  (socket.io, retrieval, database, prompt, HTTP to the LLM, SSE parsing, gate)
    legs       client → embedding request (dense retrieval), client → chat request, first chunk → client

Prints `NAME metric=value …` lines. Target (issue 4): overhead ≤ 20 ms.
"""

import argparse
import asyncio
import statistics
import sys
import time
from typing import Any

import socketio

from scripts.bench_server import questions, served
from tests.fixtures import openai_server

REPLY = "お問い合わせありがとうございます。参考情報によると、お手続きは乗り換え先で行えます[1]。"


class Client:
    """One socket.io connection; `ask` returns the time to the first delta and the final payload."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sio = socketio.AsyncClient()
        self.first_delta: asyncio.Future[float] | None = None
        self.sio.on("chat:delta", self._on_delta)

    async def _on_delta(self, data: Any) -> None:
        if self.first_delta is not None and not self.first_delta.done():
            self.first_delta.set_result(time.perf_counter())

    async def __aenter__(self) -> "Client":
        await self.sio.connect(self.url, transports=["websocket"], socketio_path="socket.io")
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.sio.disconnect()

    async def ask(self, message: str, session_id: str | None) -> tuple[float, float, dict[str, Any]]:
        self.first_delta = asyncio.get_running_loop().create_future()
        body: dict[str, Any] = {"message": message}
        if session_id:
            body["sessionId"] = session_id
        sent = time.perf_counter()
        done = await self.sio.call("chat:message", body, timeout=30)
        first = await asyncio.wait_for(self.first_delta, timeout=5)
        return sent, first, done


async def measure(url: str, fake: openai_server.FakeOpenAI, asked: list[str]) -> dict[str, list[float]]:
    kinds = ("new_session", "second_turn")
    samples: dict[str, list[float]] = {
        f"{kind}{leg}": [] for kind in kinds for leg in ("", "_to_llm", "_from_llm", "_embedding")
    }
    server_ttft: list[float] = []
    session_id: str | None = None
    async with Client(url) as client:
        await client.ask("MNPとは？", None)  # warm-up: first connection to the LLM server, lazy imports
        for number, question in enumerate(asked):
            kind = "second_turn" if number % 2 else "new_session"
            session_id = session_id if number % 2 else None
            before = len(fake.chat_requests())
            sent, first, done = await client.ask(question, session_id)
            session_id = done.get("sessionId")
            requests = fake.chat_requests()
            first_token_at = requests[-1].first_token_at if len(requests) > before else None
            if first_token_at is None:
                continue  # answered without the model (small talk, navigator, hand-off)
            request = requests[-1]
            own = first_token_at - request.received_at
            server_ttft.append(own * 1000)
            samples[kind].append(((first - sent) - own) * 1000)
            samples[f"{kind}_to_llm"].append((request.received_at - sent) * 1000)
            samples[f"{kind}_from_llm"].append((first - first_token_at) * 1000)
            embedded = [r.received_at for r in fake.requests if "input" in r.body and sent < r.received_at]
            if embedded:  # dense retrieval asked for the question's embedding first
                samples[f"{kind}_embedding"].append((embedded[-1] - sent) * 1000)
    samples["server_ttft"] = server_ttft
    return samples


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def line(name: str, values: list[float]) -> str:
    if not values:
        return f"{name} n=0"
    return (
        f"{name} n={len(values)} median_ms={statistics.median(values):.2f} "
        f"p90_ms={percentile(values, 0.9):.2f} p99_ms={percentile(values, 0.99):.2f} max_ms={max(values):.2f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--first-token-ms", type=float, default=300.0)
    parser.add_argument("--questions", type=int, default=120)
    args = parser.parse_args()
    script = openai_server.Script(text=REPLY, first_token_delay=args.first_token_ms / 1000, chunk_delay=0.01)
    running = openai_server.start(openai_server.FakeOpenAI(default=script), http="httptools")
    llm = {
        "RATE_LIMIT_MAX_REQUESTS": "100000000",
        "OPENAI_API_KEY": "sk-bench",
        "OPENAI_BASE_URL": running.fake.url,
        "OPENAI_MODEL": "bench-model",
    }
    try:
        with served(llm) as base:
            samples = asyncio.run(measure(base, running.fake, questions()[: args.questions]))
    finally:
        running.stop()
    print(line("llm_server_first_token", samples["server_ttft"]))
    print(line("overhead_new_session", samples["new_session"]))
    print(line("overhead_second_turn", samples["second_turn"]))
    for leg in ("embedding", "to_llm", "from_llm"):
        for kind in ("new_session", "second_turn"):
            print(line(f"leg_{kind}_{leg}", samples[f"{kind}_{leg}"]))
    overall = samples["new_session"] + samples["second_turn"]
    median = statistics.median(overall) if overall else float("nan")
    p99 = percentile(overall, 0.99) if overall else float("nan")
    print(f"ttft_overhead median_ms={median:.2f} p99_ms={p99:.2f} target_ms=20 met={median <= 20}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
