"""security.md tests 48 and 53: an app worker SIGKILLed mid-stream, and a whole instance killed and
restarted, while customers chat over socket.io; every acknowledged turn survives exactly once and every
customer reconnects to the other instance and resyncs from PostgreSQL with no gap.

Two gunicorn instances (one worker each, as in production but smaller) on the test's database and Redis,
with the fake LLM streaming slowly so that a turn is usually being streamed when the worker dies. A customer
whose connection drops connects to the other instance, asks for `chat:resync`, checks that every reply it
was acknowledged is in the history, and sends its unanswered message again with the same clientMessageId
(the turn is stored once however often it is sent). That an emit on one worker reaches a client on another
(test 53's first point) is tests/deploy/test_stack.py::TestSocketIo, through nginx.
"""

import asyncio
import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import socketio

from tests.deploy import stack
from tests.fixtures.openai_server import FakeOpenAI, Script
from tests.fixtures.server import free_port
from tests.reliability.support import OwnRedis, Turn, durability, new_id

QUESTIONS = ("予約番号の有効期限は何日ですか？", "ahamoに乗り換えたい", "MNPの転出手数料は今もかかりますか")
CHUNKS = ["予約番号の", "有効期限は、", "取得した日を含めて", "15日間です[1]。"]
CUSTOMERS = 4


class Instance:
    """One gunicorn instance (master and one worker) on a port of its own."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.env = {**env, "PORT": str(self.port), "WORKER_PORT_BASE": str(free_port())}
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [str(stack.BIN / "gunicorn"), "-c", str(stack.REPO / "deploy" / "gunicorn.conf.py")]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                env=self.env,
                cwd=stack.REPO / "backend",
                stdout=log,
                stderr=log,
                start_new_session=True,
            )

    def wait_ready(self, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process is not None
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/health/ready", timeout=2).status_code == 200:
                    return
            time.sleep(0.3)
        raise TimeoutError("gunicorn did not become ready")

    def workers(self) -> list[int]:
        assert self.process is not None
        found = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True, check=False
        )
        return [int(pid) for pid in found.stdout.split()]

    def kill(self) -> None:
        """SIGKILL the master and its workers (the whole instance, as a crashed host)."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)


@dataclass
class Customer:
    """A socket.io customer that fails over to the other instance and resyncs when its connection drops."""

    number: int
    urls: list[str]
    acknowledged: list[Turn] = field(default_factory=list)
    session: str | None = None
    pending: str | None = None  # the clientMessageId of a message sent and not yet acknowledged
    failovers: int = 0
    dropped_mid_turn: int = 0
    resyncs: int = 0
    missing_after_resync: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    async def run(self, stop: asyncio.Event) -> None:
        target = self.number % 2
        while not stop.is_set():
            client = socketio.AsyncClient(reconnection=False)
            lost = asyncio.Event()
            client.on("disconnect", lost_on(lost))
            try:
                await client.connect(
                    self.urls[target], transports=["websocket"], socketio_path="socket.io", wait_timeout=5
                )
                if self.session is not None:
                    await self._resync(client, lost)
                while not stop.is_set():
                    await self._turn(client, lost)
                    await asyncio.sleep(0.1)
            except (ConnectionLost, socketio.exceptions.SocketIOError, OSError):
                self.failovers += 1
                target = 1 - target
                await asyncio.sleep(0.2)
            finally:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(client.disconnect(), 3)

    async def _call(self, client: socketio.AsyncClient, lost: asyncio.Event, event: str, data: Any) -> Any:
        call = asyncio.ensure_future(client.call(event, data, timeout=30))
        dropped = asyncio.ensure_future(lost.wait())
        await asyncio.wait({call, dropped}, return_when=asyncio.FIRST_COMPLETED)
        dropped.cancel()
        if not call.done():
            call.cancel()
            raise ConnectionLost
        return call.result()

    async def _resync(self, client: socketio.AsyncClient, lost: asyncio.Event) -> None:
        history = await self._call(client, lost, "chat:resync", {"sessionId": self.session})
        if "error" in history:
            self.errors.append(f"resync {history}")
            return
        self.resyncs += 1
        shown = {message["id"] for message in history["messages"] if message["role"] == "assistant"}
        self.missing_after_resync += [
            turn.reply_id for turn in self.acknowledged if turn.reply_id not in shown
        ]

    async def _turn(self, client: socketio.AsyncClient, lost: asyncio.Event) -> None:
        client_id = self.pending or new_id()
        self.pending = client_id
        body: dict[str, Any] = {
            "message": QUESTIONS[self.number % len(QUESTIONS)],
            "clientMessageId": client_id,
        }
        if self.session is not None:
            body["sessionId"] = self.session
        try:
            ack = await self._call(client, lost, "chat:message", body)
        except ConnectionLost:
            self.dropped_mid_turn += 1
            raise
        if "error" in ack:
            self.errors.append(f"chat {ack['error']}")
            return
        self.session = ack["sessionId"]
        self.pending = None
        if all(turn.client_message_id != client_id for turn in self.acknowledged):
            self.acknowledged.append(Turn(ack["sessionId"], client_id, ack["messageId"]))
        elif (
            next(t for t in self.acknowledged if t.client_message_id == client_id).reply_id
            != ack["messageId"]
        ):
            self.errors.append("a message sent again got a second reply")


class ConnectionLost(Exception):
    pass


def lost_on(lost: asyncio.Event) -> Any:
    def disconnected(*_: Any) -> None:
        lost.set()

    return disconnected


@pytest.fixture
def instances(
    database_url: str, own_redis: OwnRedis, openai_server: FakeOpenAI, tmp_path: Path
) -> Iterator[list[Instance]]:
    openai_server.reset(Script(chunks=CHUNKS, chunk_delay=0.3))
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
        "RATE_LIMIT_MAX_REQUESTS": "100000",
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


async def turns_by_all(customers: list[Customer], more: int, seconds: float = 90) -> None:
    """Wait until every customer has `more` acknowledged turns than now."""
    goal = [len(customer.acknowledged) + more for customer in customers]
    deadline = time.monotonic() + seconds
    while any(len(c.acknowledged) < g for c, g in zip(customers, goal, strict=True)):
        assert time.monotonic() < deadline, [(len(c.acknowledged), c.errors[:2]) for c in customers]
        await asyncio.sleep(0.1)


async def test_48_53_killed_worker_and_instance_lose_no_turn_and_clients_resync_elsewhere(
    instances: list[Instance], database_url: str
) -> None:
    first, second = instances
    customers = [Customer(n, [first.url, second.url]) for n in range(CUSTOMERS)]
    stop = asyncio.Event()
    tasks = [asyncio.create_task(customer.run(stop)) for customer in customers]
    try:
        await turns_by_all(customers, 2)
        worker = first.workers()
        assert len(worker) == 1
        os.kill(worker[0], signal.SIGKILL)  # mid-stream: a turn takes ~1 s of deltas
        await turns_by_all(customers, 2)

        second.kill()  # the whole instance, then started again
        await turns_by_all(customers, 1)
        second.start()
        await asyncio.to_thread(second.wait_ready)
        await turns_by_all(customers, 2)
    finally:
        stop.set()
        await asyncio.gather(*tasks)
    turns = [turn for customer in customers for turn in customer.acknowledged]
    report = await durability(database_url, turns)
    failovers = sum(c.failovers for c in customers)
    dropped = sum(c.dropped_mid_turn for c in customers)
    resyncs = sum(c.resyncs for c in customers)
    print(  # noqa: T201 - the figures for the log
        f"worker and instance killed: {failovers} failovers, {dropped} turns cut mid-way, {resyncs} resyncs; "
        f"{report}"
    )
    assert [error for c in customers for error in c.errors] == []
    assert failovers >= CUSTOMERS  # every customer lost its instance once (half of them twice)
    assert dropped >= 1  # at least one turn was being answered when its process died
    assert resyncs >= CUSTOMERS
    assert [missing for c in customers for missing in c.missing_after_resync] == []
    assert report["lost"] == 0, report
    assert report["twice"] == 0, report
    assert report["unanswered_questions"] == 0, report
