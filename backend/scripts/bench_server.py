"""What the whole-app benchmarks share: the question sets, and the real server on a scratch database.

`served(env)` migrates and seeds an embedded PostgreSQL in a temporary directory, starts `mnp-chatbot serve`
on a free loopback port with `env` added, waits for /health/ready, yields the base URL and stops it all.
`served_by_gunicorn(env, workers=…)` does the same with the production server: gunicorn with
deploy/gunicorn.conf.py and its worker class, `workers` processes sharing the port.
"""

import contextlib
import json
import os
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import httpx

from mnp_chatbot.cli import run_migrations
from mnp_chatbot.core import embedded_db
from tests.fixtures.server import free_port

BACKEND = Path(__file__).resolve().parents[1]
CLI = str(BACKEND / ".venv" / "bin" / "mnp-chatbot")
GUNICORN = str(BACKEND / ".venv" / "bin" / "gunicorn")
GUNICORN_CONF = str(BACKEND.parent / "deploy" / "gunicorn.conf.py")
QUESTION_SETS = [
    BACKEND.parents[1] / "shared" / "eval" / "dev.jsonl",
    *sorted((BACKEND / "eval").glob("*.jsonl")),
]
READY_TIMEOUT_S = 90


def questions() -> list[str]:
    """Every question of the development and project sets, once each, in file order."""
    found: list[str] = []
    for path in QUESTION_SETS:
        if path.exists():
            lines = path.read_text(encoding="utf-8").splitlines()
            found += [json.loads(line)["q"] for line in lines if line.strip()]
    return list(dict.fromkeys(found))


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/health/ready").status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
    raise RuntimeError(f"the server did not become ready:\n{tail}")


@contextlib.contextmanager
def served(env: Mapping[str, str]) -> Iterator[str]:
    with served_with_database(env) as (url, _):
        yield url


@contextlib.contextmanager
def served_with_database(env: Mapping[str, str]) -> Iterator[tuple[str, str]]:
    """As `served`, also yielding the scratch database's URL (for counting what the server stored)."""
    with _serving([CLI, "serve", "--host", "127.0.0.1"], {"LOG_LEVEL": "warning", **env}) as served_at:
        yield served_at


@contextlib.contextmanager
def served_by_gunicorn(env: Mapping[str, str], *, workers: int) -> Iterator[tuple[str, str]]:
    """As `served_with_database`, with gunicorn as deployed (deploy/gunicorn.conf.py), `workers` workers and
    the settings' defaults (LOG_LEVEL info) unless `env` says otherwise."""
    command = [GUNICORN, "-c", GUNICORN_CONF]
    gunicorn_env = {"HOST": "127.0.0.1", "WEB_CONCURRENCY": str(workers), "WORKER_PORT_BASE": "0", **env}
    with _serving(command, gunicorn_env) as served_at:
        yield served_at


@contextlib.contextmanager
def _serving(command: list[str], env: Mapping[str, str]) -> Iterator[tuple[str, str]]:
    with tempfile.TemporaryDirectory() as directory, embedded_db.running(Path(directory)) as embedded:
        scratch = Path(directory)
        base_env = {**os.environ, "DATABASE_URL": embedded.url()}
        run_migrations(embedded.url())
        subprocess.run([CLI, "seed"], env=base_env, check=True, capture_output=True)
        port = free_port()
        log = scratch / "server.log"
        server_env = {**base_env, "DATA_DIR": str(scratch), "PORT": str(port), **env}
        with log.open("wb") as output:
            process = subprocess.Popen(
                command, env=server_env, stdout=output, stderr=subprocess.STDOUT, cwd=BACKEND
            )
            url = f"http://127.0.0.1:{port}"
            try:
                _wait_ready(url, process, log)
                yield url, embedded.url()
            finally:
                process.terminate()
                process.wait(timeout=60)
