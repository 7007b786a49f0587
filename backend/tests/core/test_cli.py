"""`make run`'s steps: migrate, seed, serve on the embedded PostgreSQL, stop, restart."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.fixtures.server import free_port

CLI = [sys.executable, "-m", "mnp_chatbot"]


def run_cli(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=180, check=True)
    return done.stdout


def wait_ready(url: str, process: subprocess.Popen[bytes]) -> float:
    started = time.monotonic()
    while time.monotonic() - started < 90:
        assert process.poll() is None, "the server exited early"
        try:
            if httpx.get(url + "/health/ready", timeout=2).status_code == 200:
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError("the server did not become ready")


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DATABASE_", "REDIS_"))}
    env.update({"DATA_DIR": str(tmp_path / "var"), "LOG_LEVEL": "warning", "NODE_ENV": "development"})
    return env


def test_serves_on_the_embedded_database_stops_it_on_sigterm_and_finds_the_data_again(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    assert "database migrated" in run_cli("migrate", env=cli_env)
    assert "seeded" in run_cli("seed", env=cli_env)
    pgdata = tmp_path / "var" / "postgres"
    for attempt in range(2):
        port = free_port()
        server = subprocess.Popen([*CLI, "serve", "--host", "127.0.0.1", "--port", str(port)], env=cli_env)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_ready(url, server)
            health = httpx.get(url + "/health").json()
            assert health["checks"]["database"]["status"] == "ok"
            faqs = httpx.get(url + "/api/faqs", params={"limit": 500}).json()["items"]
            assert len(faqs) >= 150, f"run {attempt}: the seeded knowledge is there"
            assert (pgdata / "postmaster.pid").exists()
        finally:
            server.send_signal(signal.SIGTERM)
            # uvicorn shuts down gracefully, then re-raises the signal it caught
            assert server.wait(timeout=60) in (0, -signal.SIGTERM)
        assert not (pgdata / "postmaster.pid").exists(), "stopping the app stops the embedded PostgreSQL"
