"""security.md test 49: PostgreSQL stalled (SIGSTOP of every server process for ~10 s) and restarted
(`pg_ctl restart -m immediate`, a crash and recovery) while customers chat.

The app runs on a PostgreSQL server of the test's own (the embedded one, migrated and seeded), so the
session's server is never touched. During each fault, requests answer 200 or a 503 in the error shape,
each within its deadline (no request hangs with the server); no turn is half-stored; no acknowledged turn
is lost; and the app recovers by itself, without a restart.
"""

import asyncio
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import psutil
import pytest

from mnp_chatbot.cli import run_migrations
from mnp_chatbot.core import db, embedded_db
from mnp_chatbot.core.config import Settings
from mnp_chatbot.knowledge import loader, seeding
from tests.fixtures.app import SettingsFactory
from tests.fixtures.server import ServerThread
from tests.reliability.support import Customers, asyncpg_dsn, durability

CUSTOMERS = 4
STALL_SECONDS = 10
DEADLINE = 20.0  # a request's bound while the database is gone: connect 3 s, pool 5 s, statement 8 s


class OwnPostgres:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.embedded = embedded_db.start(data_dir)
        self.pgdata = Path(str(self.embedded.server.pgdata))  # type: ignore[attr-defined]
        self.pg_ctl = self.embedded.bin_dir / "pg_ctl"
        self.url = self.embedded.url()
        self.user = getattr(self.embedded.server, "system_user", None)  # as root: the server's own user

    def processes(self) -> list[psutil.Process]:
        pid = int((self.pgdata / "postmaster.pid").read_text().split()[0])
        postmaster = psutil.Process(pid)
        return [postmaster, *postmaster.children(recursive=True)]

    def pause(self) -> list[psutil.Process]:
        stopped = self.processes()
        for process in stopped:
            os.kill(process.pid, signal.SIGSTOP)
        return stopped

    def resume(self, stopped: list[psutil.Process]) -> None:
        for process in stopped:
            try:
                os.kill(process.pid, signal.SIGCONT)
            except ProcessLookupError:
                continue

    def restart(self) -> None:
        """A crash (immediate stop: no checkpoint, recovery from the WAL on start) and a start."""
        self.ctl("-m", "immediate", "restart")

    def ctl(self, *args: str, check: bool = True) -> None:
        """pg_ctl, its output to files: a server it starts inherits its descriptors (a pipe would never
        reach its end while the server runs); the server's log where the server's own user may write."""
        output = self.data_dir / "pg_ctl.out"
        server_log = self.pgdata / "restarted.log"
        command = [str(self.pg_ctl), "-D", str(self.pgdata), "-l", str(server_log), "-w", "-t", "60", *args]
        with output.open("ab") as sink:
            done = subprocess.run(command, stdout=sink, stderr=sink, timeout=90, check=False, user=self.user)
        if check and done.returncode != 0:
            raise RuntimeError(f"pg_ctl {' '.join(args)} failed: {output.read_text()[-2000:]}")

    def stop(self) -> None:
        self.ctl("-m", "immediate", "stop", check=False)
        self.embedded.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)


@pytest.fixture
def own_postgres() -> Iterator[OwnPostgres]:
    server = OwnPostgres(Path(tempfile.mkdtemp(prefix="mnp-fault-pg-")))
    try:
        run_migrations(server.url)
        asyncio.run(seed(server.url))
        yield server
    finally:
        server.stop()


async def seed(url: str) -> None:
    engine = db.create_engine(url, db.PoolSettings(1, 1))
    try:
        async with db.create_sessionmaker(engine).begin() as session:
            await seeding.seed(session, loader.load_faqs(), loader.load_carriers())
    finally:
        await engine.dispose()


@pytest.fixture
def settings(make_settings: SettingsFactory, own_postgres: OwnPostgres) -> Settings:
    return make_settings(DATABASE_URL=own_postgres.url, RATE_LIMIT_MAX_REQUESTS=100_000, DATABASE_POOL_MAX=10)


async def recover(customers: Customers, seconds: float = 60) -> float:
    """Seconds until every customer has had a turn answered again."""
    started = time.monotonic()
    before = len(customers.acknowledged)
    while len(customers.acknowledged) < before + CUSTOMERS:
        assert time.monotonic() - started < seconds, f"no recovery: {customers.statuses}"
        await asyncio.sleep(0.1)
    return time.monotonic() - started


async def test_49_postgres_stalled_and_restarted_fails_fast_loses_nothing_and_recovers(
    settings: Settings, own_postgres: OwnPostgres
) -> None:
    connection = await asyncpg.connect(**asyncpg_dsn(own_postgres.url))
    synchronous_commit = await connection.fetchval("SHOW synchronous_commit")
    await connection.close()
    with ServerThread(settings) as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
            async with Customers(server.url).running(CUSTOMERS) as customers:
                await recover(customers)
                customers.slowest = 0.0

                stopped = own_postgres.pause()
                try:
                    await asyncio.sleep(STALL_SECONDS / 2)
                    started = time.monotonic()
                    ready_stalled = await http.get("/health/ready")
                    ready_took = time.monotonic() - started
                    await asyncio.sleep(STALL_SECONDS / 2)
                finally:
                    own_postgres.resume(stopped)
                stalled_statuses = dict(customers.statuses)
                recovered_stall = await recover(customers)

                await asyncio.to_thread(own_postgres.restart)
                recovered_restart = await recover(customers)
                ready_after = await http.get("/health/ready")
            slowest = customers.slowest
    report = await durability(own_postgres.url, customers.acknowledged)
    print(  # noqa: T201 - the figures for the log
        f"postgres stalled {STALL_SECONDS} s and restarted: statuses {dict(customers.statuses)} "
        f"(at the stall's end {stalled_statuses}), slowest {slowest:.1f} s, readiness while stalled "
        f"{ready_stalled.status_code} in {ready_took:.1f} s, recovered {recovered_stall:.1f} s after the "
        f"stall and {recovered_restart:.1f} s after the restart; {report}"
    )
    assert synchronous_commit == "on"
    assert customers.errors == []  # only 200s and 503s in the error shape
    assert customers.statuses[503] > 0  # the outage was seen, and answered as one
    assert slowest < DEADLINE
    assert ready_stalled.status_code == 503
    assert ready_after.status_code == 200
    assert report["lost"] == 0, report
    assert report["twice"] == 0, report
    assert report["unanswered_questions"] == 0, report
