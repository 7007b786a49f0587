"""The gunicorn worker: uvicorn's, listening on sockets of its own that open only once the app is ready,
and draining before it stops.

Each worker listens on the instance's port (HOST:PORT, shared by the instance's workers through SO_REUSEPORT:
the REST API, pages, socket.io handshakes) and, when WORKER_PORT_BASE is set, on
`127.0.0.1:<WORKER_PORT_BASE + slot>`, where nginx sends the later requests of the socket.io sessions it
issued (see realtime/server.py). Both are bound before the app starts but listen only after its startup, so
a starting instance refuses connections (nginx passes them to the other instance at once) instead of
holding them until its workers are ready. The master binds only a private Unix socket.

On SIGTERM a worker:
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


def bound_socket(host: str, port: int, *, shared: bool) -> socket.socket:
    """A TCP socket bound to host:port, not yet listening (uvicorn listens after the app's startup).
    `shared`: SO_REUSEPORT, so every worker of the instance binds the same port; otherwise wait a little for a
    dead predecessor's socket to go away."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    deadline = time.monotonic() + BIND_RETRY_SECONDS
    while True:
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if shared:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        try:
            sock.bind((host, port))
        except OSError as error:
            sock.close()
            if error.errno != errno.EADDRINUSE or time.monotonic() > deadline:
                raise
            time.sleep(0.2)
            continue
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
    """Set by the master before the fork (serving.gunicorn_config.pre_fork): the instance's address, and the
    worker's slot and own port."""

    address: tuple[str, int] | None = None
    slot: int | None = None
    own_port: int | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.drain_timeout, self.config.timeout_graceful_shutdown = drain_budget(self.cfg.graceful_timeout)
        self.shared: list[socket.socket] = []
        self.own: list[socket.socket] = []

    def init_process(self) -> None:
        if self.address is not None:
            self.shared = [bound_socket(*self.address, shared=True)]
        if self.own_port is not None:
            self.own = [bound_socket("127.0.0.1", self.own_port, shared=False)]
            # The app, created after this in the worker, reads its route through Settings.
            os.environ["SOCKETIO_ROUTE"] = f"p{self.own_port}"
            config.get_settings.cache_clear()  # the master's copy, read before the route was known
        super().init_process()

    async def _serve(self) -> None:
        self.config.app = self.wsgi
        shared = self.shared or self.sockets  # without an address: gunicorn's own listener
        server = DrainingServer(
            self.config, app=self.wsgi, shared=len(shared), drain_timeout=self.drain_timeout
        )
        self._install_sigquit_handler()
        await server.serve(sockets=[*shared, *self.own])
        if not server.started:
            sys.exit(Arbiter.WORKER_BOOT_ERROR)
