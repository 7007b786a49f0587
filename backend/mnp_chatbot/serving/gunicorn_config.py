"""What deploy/gunicorn.conf.py sets: values from Settings, and the master's hooks.

The master never imports the app (no preload): each worker loads it after the fork, so a worker that dies
is replaced by a fresh one, `kill -HUP` loads new code, and prometheus_client sees PROMETHEUS_MULTIPROC_DIR
(set here before anything imports it) in every worker.
"""

import os
import shutil
from pathlib import Path
from typing import Any

from mnp_chatbot.core.config import Settings
from mnp_chatbot.core.logging import configure_logging

APP = "mnp_chatbot.main:create_asgi_app()"
WORKER_CLASS = "mnp_chatbot.serving.worker.Worker"


def worker_count(settings: Settings) -> int:
    """WEB_CONCURRENCY, or one per core (the seed's PM2 `instances: 'max'`)."""
    return settings.WEB_CONCURRENCY or len(os.sched_getaffinity(0)) or 1


def address(settings: Settings) -> tuple[str, int]:
    """Where the instance serves: HOST and PORT, or HTTPS_PORT when the app terminates TLS itself."""
    tls = settings.SSL_CERT_PATH is not None and settings.SSL_KEY_PATH is not None
    return settings.HOST, settings.HTTPS_PORT if tls else settings.PORT


def bind(settings: Settings) -> list[str]:
    """The master's own listener: a private Unix socket that nobody connects to. The workers listen on the
    instance's port themselves, once they are ready (serving/worker.py)."""
    return [f"unix:{(settings.DATA_DIR / f'gunicorn-{address(settings)[1]}.sock').resolve()}"]


def tls_files(settings: Settings) -> tuple[str | None, str | None]:
    """The certificate and key when the app terminates TLS itself; a reload (HUP) reads them again."""
    if settings.SSL_CERT_PATH is None or settings.SSL_KEY_PATH is None:
        return None, None
    return str(settings.SSL_CERT_PATH), str(settings.SSL_KEY_PATH)


def metrics_dir(settings: Settings) -> Path:
    """PROMETHEUS_MULTIPROC_DIR, or DATA_DIR/metrics-<port>; exported for prometheus_client in the workers."""
    path = settings.PROMETHEUS_MULTIPROC_DIR or settings.DATA_DIR / f"metrics-{address(settings)[1]}"
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path.resolve())
    return path.resolve()


def logconfig() -> dict[str, Any]:
    """gunicorn's own loggers hand their records to the root logger, which writes JSON (core/logging.py)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "root": {"level": "INFO", "handlers": []},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
            "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
        },
    }


class Hooks:
    """The master's hooks, bound to the settings read when the configuration was loaded."""

    def __init__(self, settings: Settings, metrics: Path) -> None:
        self.settings = settings
        self.metrics = metrics

    def on_starting(self, server: Any) -> None:
        configure_logging(self.settings.LOG_LEVEL, self.settings.LOG_DIR)
        self.settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(self.metrics, ignore_errors=True)  # counters of an earlier run are not this run's
        self.metrics.mkdir(parents=True, exist_ok=True)

    def pre_fork(self, server: Any, worker: Any) -> None:
        """The instance's address, and the lowest slot no live worker holds (a replacement takes its
        predecessor's port). Slots go up to twice the worker count, so a reload's new workers start beside
        the old."""
        worker.address = address(self.settings)
        if not self.settings.WORKER_PORT_BASE:
            return
        taken = {getattr(w, "slot", None) for w in server.WORKERS.values()}
        worker.slot = next(slot for slot in range(2 * server.num_workers + 1) if slot not in taken)
        worker.own_port = self.settings.WORKER_PORT_BASE + worker.slot

    def child_exit(self, server: Any, worker: Any) -> None:
        from prometheus_client import multiprocess  # after PROMETHEUS_MULTIPROC_DIR is set

        multiprocess.mark_process_dead(worker.pid, str(self.metrics))  # type: ignore[no-untyped-call]
