"""Pieces the fault tests share: a redis-server of their own (to kill, stall and flush), customers chatting
against an app while a fault is injected, and the durability check on the database afterwards."""

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from tests.fixtures.server import free_port

QUESTIONS = ("予約番号の有効期限は？", "MNPの転出手数料は今もかかりますか", "ahamoに乗り換えたい")


class OwnRedis:
    """A redis-server on a free loopback port, started and stopped by the test (never the machine's)."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not installed (the tests' Redis is required)")
        self.binary = binary
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly"]
        self.process = subprocess.Popen([*command, "no"], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            if time.monotonic() > deadline:
                self.process.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.05)

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=10)

    def pause(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGCONT)

    def command(self, *args: str) -> str:
        done = subprocess.run(
            ["redis-cli", "-p", str(self.port), *args], capture_output=True, text=True, timeout=10, check=True
        )
        return done.stdout.strip()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, signal.SIGCONT)
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def own_redis() -> Iterator[OwnRedis]:
    redis = OwnRedis()
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()


def new_id() -> str:
    return uuid.uuid4().hex


@dataclass
class Turn:
    session: str
    client_message_id: str
    reply_id: str


@dataclass
class Customers:
    """Customers chatting over HTTP, one turn at a time each; what was acknowledged and what was not."""

    base: str
    acknowledged: list[Turn] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)  # anything but 200 or a 503 in the error shape
    slowest: float = 0.0
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    pause: float = 0.2

    async def customer(self, number: int) -> None:
        session: str | None = None
        async with httpx.AsyncClient(base_url=self.base, timeout=60) as http:
            while not self.stop.is_set():
                client_id = new_id()
                body: dict[str, Any] = {
                    "message": QUESTIONS[number % len(QUESTIONS)],
                    "clientMessageId": client_id,
                }
                if session is not None:
                    body["sessionId"] = session
                started = time.monotonic()
                try:
                    response = await http.post("/api/chat", json=body)
                except httpx.HTTPError as error:
                    self.errors.append(f"transport {type(error).__name__}")
                    await asyncio.sleep(self.pause)
                    continue
                self.slowest = max(self.slowest, time.monotonic() - started)
                self.statuses[response.status_code] += 1
                if response.status_code == 200:
                    answer = response.json()
                    session = answer["sessionId"]
                    self.acknowledged.append(Turn(answer["sessionId"], client_id, answer["messageId"]))
                elif not is_unavailable_shape(response):
                    self.errors.append(f"{response.status_code} {response.text[:200]}")
                await asyncio.sleep(self.pause)

    @contextlib.asynccontextmanager
    async def running(self, count: int) -> AsyncIterator["Customers"]:
        tasks = [asyncio.create_task(self.customer(n)) for n in range(count)]
        try:
            yield self
        finally:
            self.stop.set()
            await asyncio.gather(*tasks)

    async def answered_during(self, seconds: float) -> int:
        before = len(self.acknowledged)
        await asyncio.sleep(seconds)
        return len(self.acknowledged) - before


def is_unavailable_shape(response: httpx.Response) -> bool:
    """A 503 in the stable error shape."""
    if response.status_code != 503:
        return False
    with contextlib.suppress(ValueError):
        error = response.json().get("error", {})
        return isinstance(error.get("code"), str) and isinstance(error.get("message"), str)
    return False


def asyncpg_dsn(url: str) -> dict[str, Any]:
    parsed = make_url(url)
    return {
        "user": parsed.username,
        "password": parsed.password,
        "database": parsed.database,
        "host": parsed.query.get("host") or parsed.host,
        "port": parsed.port,
    }


async def durability(database_url: str, turns: list[Turn]) -> dict[str, int]:
    """How the acknowledged turns stand in the database: each reply stored once, each question once, and no
    question without its reply (a half-stored turn)."""
    connection = await asyncpg.connect(**asyncpg_dsn(database_url))
    try:
        replies = Counter(
            str(row["id"])
            for row in await connection.fetch(
                "SELECT id FROM messages WHERE role = 'assistant' AND id = ANY($1::uuid[])",
                [turn.reply_id for turn in turns],
            )
        )
        questions = Counter(
            row["client_message_id"]
            for row in await connection.fetch(
                "SELECT client_message_id FROM messages WHERE role = 'user' AND client_message_id = ANY($1)",
                [turn.client_message_id for turn in turns],
            )
        )
        unanswered = await connection.fetchval(
            "SELECT count(*) FROM messages AS q WHERE q.role = 'user' AND NOT EXISTS "
            "(SELECT 1 FROM messages AS r WHERE r.reply_to_id = q.id AND r.role = 'assistant')"
        )
    finally:
        await connection.close()
    return {
        "acknowledged": len(turns),
        "lost": sum(1 for turn in turns if replies[turn.reply_id] == 0),
        "twice": sum(1 for turn in turns if questions[turn.client_message_id] > 1),
        "unanswered_questions": int(unanswered),
    }
