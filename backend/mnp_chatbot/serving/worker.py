"""The gunicorn worker: uvicorn's, plus a port of the worker's own and a drain before it stops.

Each worker listens on the instance's shared port (gunicorn's listener: the REST API, pages, socket.io
handshakes) and, when WORKER_PORT_BASE is set, on `127.0.0.1:<WORKER_PORT_BASE + slot>`, where nginx sends
the later requests of the socket.io sessions it issued (see realtime/server.py). On SIGTERM it:

1. stops accepting on the shared port (new requests go to the other workers and instances);
2. drains: chat turns being streamed finish, their long-polls still reaching it on its own port;
3. stops accepting on its own port and answers waiting long-polls, so those clients reconnect elsewhere;
4. shuts down as uvicorn does: in-flight HTTP requests finish, WebSockets close with 1012, the lifespan ends.
"""

import errno
import os
import socket
import sys
import time
from typing import Any, Protocol, runtime_checkable

import uvicorn
from gunicorn.arbiter import Arbiter
from uvicorn_worker import UvicornWorker

from mnp_chatbot.core import config

BIND_RETRY_SECONDS = 10.0


@runtime_checkable
class Drainable(Protocol):
    async def drain(self, timeout: float) -> None: ...
    async def release(self) -> None: ...


def drain_budget(graceful_timeout: float) -> tuple[float, float]:
    """Seconds for the drain (step 2) and for uvicorn's own shutdown (step 4), within gunicorn's graceful
    timeout, after which the master kills the worker."""
    drain = round(graceful_timeout * 0.5, 1)
    return drain, max(1.0, graceful_timeout - drain - 2.0)


def own_socket(port: int) -> socket.socket:
    """Listen on 127.0.0.1:port, waiting a little for a dead predecessor's socket to go away."""
    deadline = time.monotonic() + BIND_RETRY_SECONDS
    while True:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError as error:
            sock.close()
            if error.errno != errno.EADDRINUSE or time.monotonic() > deadline:
                raise
            time.sleep(0.2)
            continue
        sock.listen(2048)
        sock.setblocking(False)
        return sock


class DrainingServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, *, app: Any, shared: int, drain_timeout: float) -> None:
        super().__init__(config)
        self.app = app
        self.shared = shared
        self.drain_timeout = drain_timeout

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers[: self.shared]:
            server.close()
        drainable = isinstance(self.app, Drainable)
        if drainable and not self.force_exit:
            await self.app.drain(self.drain_timeout)
        for server in self.servers[self.shared :]:
            server.close()
        if drainable:
            await self.app.release()
        await super().shutdown(sockets)


class Worker(UvicornWorker):  # type: ignore[misc]
    """Set by the master before the fork (serving.gunicorn_config.pre_fork): the worker's slot and port."""

    slot: int | None = None
    own_port: int | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.drain_timeout, self.config.timeout_graceful_shutdown = drain_budget(self.cfg.graceful_timeout)
        self.own: list[socket.socket] = []

    def init_process(self) -> None:
        if self.own_port is not None:
            self.own = [own_socket(self.own_port)]
            # The app, created after this in the worker, reads its route through Settings.
            os.environ["SOCKETIO_ROUTE"] = f"p{self.own_port}"
            config.get_settings.cache_clear()  # the master's copy, read before the route was known
        super().init_process()

    async def _serve(self) -> None:
        self.config.app = self.wsgi
        server = DrainingServer(
            self.config, app=self.wsgi, shared=len(self.sockets), drain_timeout=self.drain_timeout
        )
        self._install_sigquit_handler()
        await server.serve(sockets=[*self.sockets, *self.own])
        if not server.started:
            sys.exit(Arbiter.WORKER_BOOT_ERROR)
