"""Driving `scripts/stack.sh`: its processes, and clients that reach it over HTTPS from chosen loopback
addresses (each test its own, so the app's per-client rate limit of one test never touches another's)."""

import asyncio
import contextlib
import os
import shutil
import signal
import ssl
import subprocess
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import socketio

REPO = Path(__file__).resolve().parents[3]
STACK = REPO / "scripts" / "stack.sh"
NGINX = Path("/usr/sbin/nginx")
BIN = REPO / "backend" / ".venv" / "bin"
INSTANCES = (1, 2)


def nginx_missing_reason() -> str | None:
    """Why nginx cannot be had here, after trying the project's installer; None when it is there."""
    if not NGINX.exists():
        subprocess.run(["bash", str(REPO / "scripts" / "install-nginx.sh")], check=False, capture_output=True)
    if NGINX.exists():
        return None
    return "nginx is not installed and scripts/install-nginx.sh could not install Debian's package"


@dataclass(frozen=True)
class Stack:
    dir: Path
    base: str

    @property
    def certificate(self) -> Path:
        return self.dir / "tls" / "cert.pem"

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.certificate))

    def master_pid(self, instance: int) -> int:
        return int((self.dir / f"app{instance}.pid").read_text())

    def workers(self, instance: int) -> list[int]:
        found = subprocess.run(
            ["pgrep", "-P", str(self.master_pid(instance))], capture_output=True, text=True, check=False
        )
        return sorted(int(pid) for pid in found.stdout.split())

    def restart(self, instance: int) -> None:
        run(["bash", str(STACK), "restart", str(instance)], self.dir)

    def database_url(self) -> str:
        return (self.dir / "database.url").read_text().strip()

    def client(self, source: str, **options: Any) -> httpx.AsyncClient:
        transport = httpx.AsyncHTTPTransport(local_address=source, verify=self.ssl_context())
        return httpx.AsyncClient(base_url=self.base, transport=transport, timeout=30, **options)

    @contextlib.asynccontextmanager
    async def socket(self, source: str, transport: str) -> AsyncIterator[socketio.AsyncClient]:
        connector = aiohttp.TCPConnector(ssl=self.ssl_context(), local_addr=(source, 0))
        async with aiohttp.ClientSession(connector=connector) as session:
            client = socketio.AsyncClient(http_session=session, reconnection=False)
            await client.connect(
                self.base, transports=[transport], socketio_path="socket.io", wait_timeout=10
            )
            try:
                yield client
            finally:
                # engine.io leaves a closed polling session's last long-poll open until its timeout (45 s)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(client.disconnect(), 3)


def run(command: list[str], state: Path, timeout: float = 300) -> str:
    env = {**os.environ, "STACK_DIR": str(state)}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return done.stdout


def up(state: Path, timeout: float = 300) -> Stack:
    started = time.monotonic()
    out = run(["bash", str(STACK), "up"], state, timeout=timeout)
    last = out.strip().splitlines()[-1]
    assert last.startswith("BASE=https://127.0.0.1:"), out
    print(f"stack up in {time.monotonic() - started:.1f} s")  # noqa: T201 - a figure for the log
    return Stack(state, last.removeprefix("BASE="))


def down(state: Path) -> None:
    run(["bash", str(STACK), "down"], state, timeout=120)


def kill(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)


def new_id() -> str:
    return uuid.uuid4().hex


def which(name: str) -> str | None:
    return shutil.which(name) or (f"/usr/sbin/{name}" if Path(f"/usr/sbin/{name}").exists() else None)


def wait_ready(instance: int, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{8000 + instance}/health/ready", timeout=5).status_code == 200:
                return
        time.sleep(0.3)
    raise TimeoutError(f"app instance {instance} did not become ready")
