"""A gunicorn worker stopped with SIGTERM lets the socket.io stream it is sending finish, then exits."""

import asyncio
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import socketio

from tests.deploy import stack
from tests.fixtures.openai_server import FakeOpenAI, Script, openai_server, openai_server_session
from tests.fixtures.server import free_port

__all__ = ["openai_server", "openai_server_session"]
QUESTION = "予約番号の有効期限は何日ですか？"
CHUNKS = ["予約番号の", "有効期限は", "15日間です[1]。"]


@pytest.fixture
def gunicorn(database_url: str, redis_url: str, openai_server: FakeOpenAI, tmp_path: Path) -> Iterator[Any]:
    """One instance with one worker (and its own port), on the test's database and the fake LLM."""
    port = free_port()
    env = {
        "PATH": os.environ["PATH"],
        "ENV_FILE": str(tmp_path / "empty.env"),
        "NODE_ENV": "test",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "WORKER_PORT_BASE": str(free_port()),
        "GRACEFUL_TIMEOUT_SECONDS": "20",
        "DATABASE_URL": database_url,
        "DATABASE_POOL_MIN": "1",
        "DATABASE_POOL_MAX": "3",
        "REDIS_URL": redis_url,
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_BASE_URL": openai_server.url,
        "DATA_DIR": str(tmp_path),
        "LOG_LEVEL": "info",
        "RETENTION_PURGE_INTERVAL_SECONDS": "0",
    }
    (tmp_path / "empty.env").write_text("")
    command = [str(stack.BIN / "gunicorn"), "-c", str(stack.REPO / "deploy" / "gunicorn.conf.py")]
    log = (tmp_path / "gunicorn.log").open("wb")
    process = subprocess.Popen(
        command, env=env, cwd=stack.REPO / "backend", stdout=log, stderr=log, start_new_session=True
    )
    process.url = f"http://127.0.0.1:{port}"  # type: ignore[attr-defined]
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{process.url}/health/ready", timeout=2).status_code == 200:  # type: ignore[attr-defined]
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            raise RuntimeError("gunicorn did not become ready")
        yield process
    finally:
        if process.poll() is None:  # the master and its workers, which are in its session
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


class TestSigterm:
    async def test_a_stream_in_flight_finishes_before_the_worker_stops(
        self, gunicorn: Any, openai_server: FakeOpenAI
    ) -> None:
        openai_server.script(Script(chunks=CHUNKS, chunk_delay=1.0))
        client = socketio.AsyncClient(reconnection=False)
        deltas: list[str] = []
        first_delta = asyncio.Event()

        @client.on("chat:delta")  # type: ignore[untyped-decorator]
        async def on_delta(data: dict[str, Any]) -> None:
            deltas.append(data["text"])
            first_delta.set()

        await client.connect(
            gunicorn.url, transports=["websocket"], socketio_path="socket.io", wait_timeout=10
        )
        answer = asyncio.create_task(client.call("chat:message", {"message": QUESTION}, timeout=30))
        await asyncio.wait_for(first_delta.wait(), 20)
        gunicorn.send_signal(signal.SIGTERM)
        stopped_at = time.monotonic()
        done = await answer
        exit_code = await asyncio.to_thread(gunicorn.wait, 30)
        assert done["reply"]["mode"] == "llm"
        assert "".join(deltas) == done["reply"]["text"]
        assert exit_code == 0
        assert time.monotonic() - stopped_at < 20  # within GRACEFUL_TIMEOUT_SECONDS
