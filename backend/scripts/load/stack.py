"""The production topology of `scripts/stack.sh` for the load benchmark, and what it samples from it.

The benchmark's stack runs on ports of its own (18443/18080/16390; the instances' 8001/8002 and 81xx/82xx
are fixed) in `var/bench/stack`. The caller holds `flock ../.stack.lock` (one stack per machine).
"""

import asyncio
import contextlib
import os
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import psutil

REPO = Path(__file__).resolve().parents[3]
STACK = REPO / "scripts" / "stack.sh"
STATE = REPO / "var" / "bench" / "stack"
HTTPS_PORT = 18443
RATE_LIMIT = (
    1_000_000  # per client per minute: customers are many addresses; the limit is not what is measured
)


@dataclass(frozen=True)
class Running:
    base: str
    state: Path
    instances: tuple[int, ...]

    def workers(self) -> list[psutil.Process]:
        found: list[psutil.Process] = []
        for n in self.instances:
            master = psutil.Process(int((self.state / f"app{n}.pid").read_text()))
            found += sorted(master.children(), key=lambda p: p.pid)
        return found

    def database_url(self) -> str:
        return (
            (self.state / "database.url")
            .read_text()
            .strip()
            .replace("postgresql+asyncpg://", "postgresql://")
        )


def environment(workers: int, instances: tuple[int, ...]) -> dict[str, str]:
    return {
        **os.environ,
        "STACK_DIR": str(STATE),
        "STACK_HTTPS_PORT": str(HTTPS_PORT),
        "STACK_HTTP_PORT": "18080",
        "STACK_REDIS_PORT": "16390",
        "STACK_WORKERS": str(workers),
        "STACK_INSTANCES": " ".join(str(n) for n in instances),
        "STACK_RATE_LIMIT": str(RATE_LIMIT),
    }


def stack(command: str, workers: int, instances: tuple[int, ...]) -> str:
    done = subprocess.run(
        ["bash", str(STACK), command],
        env=environment(workers, instances),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"stack.sh {command} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return done.stdout


@contextlib.contextmanager
def running(workers: int, instances: tuple[int, ...] = (1,)) -> Iterator[Running]:
    """The stack with `workers` gunicorn workers in each of `instances`, stopped afterwards."""
    stack("down", workers, (1, 2))  # whatever a failed earlier run left
    out = stack("up", workers, instances)
    base = out.strip().splitlines()[-1].removeprefix("BASE=")
    try:
        yield Running(base, STATE, instances)
    finally:
        stack("down", workers, instances)


def worker_route(base: str) -> int:
    """The own port of the worker that answers a socket.io handshake (its engine.io id is `p<port>.…`)."""
    reply = httpx.get(f"{base}/socket.io/?EIO=4&transport=polling", verify=False, timeout=10)
    sid = reply.text.split('"sid":"', 1)[1]
    return int(sid[1 : sid.index(".")])


async def database_connections(url: str) -> int:
    """Connections to the app's database other than this one (pg_stat_activity)."""
    connection = await asyncpg.connect(url)
    try:
        count: int = await connection.fetchval(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return count
    finally:
        await connection.close()


def sample(stack: Running, started: float) -> dict[str, float | list[float]]:
    """One reading: each worker's RSS (MiB) and open files, the database's connections, the load average."""
    rss: list[float] = []
    files: list[float] = []
    for worker in stack.workers():
        with contextlib.suppress(psutil.Error):
            rss.append(worker.memory_info().rss / 2**20)
            files.append(float(worker.num_fds()))
    return {
        "t": round(time.monotonic() - started, 1),
        "rss_mib": rss,
        "open_files": files,
        "db_connections": float(asyncio.run(database_connections(stack.database_url()))),
        "load_average": os.getloadavg()[0],
    }
