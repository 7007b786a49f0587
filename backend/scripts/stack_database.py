"""The embedded PostgreSQL + pgvector run on its own for `scripts/stack.sh`: starts (or joins) the server
under DATA_DIR, writes its URL to a file, and keeps it running until SIGTERM.

    python -m scripts.stack_database DATA_DIR URL_FILE
"""

import signal
import sys
import threading
from pathlib import Path

from mnp_chatbot.core import embedded_db


def main(data_dir: Path, url_file: Path) -> None:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with embedded_db.running(data_dir) as server:
        url_file.write_text(server.url(driver="asyncpg") + "\n", encoding="utf-8")
        print(f"database ready: {url_file}", flush=True)
        stop.wait()
    url_file.unlink(missing_ok=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
