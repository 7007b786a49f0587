"""The socket.io server on the same ASGI app; with REDIS_URL, replicas share rooms through Redis.

The handshake (polling and WebSocket) is accepted only from the page's own origin, or from an origin listed
in CORS_ORIGIN; each client address (an IPv6 client by its /64) may hold at most
SOCKETIO_MAX_CONNECTIONS_PER_ADDRESS connections to one process.

Under gunicorn every worker puts its route (SOCKETIO_ROUTE, e.g. `p8101`: its own port) in front of the
engine.io session ids it issues, so nginx can send every request of a long-polling session to the worker that
holds it. Before a worker stops it drains: chat turns being streamed finish, then waiting long-polls are
answered so their clients reconnect through another worker.
"""

import asyncio
import contextlib
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import engineio
import socketio
from engineio import packet

from mnp_chatbot.auth.service import AuthService
from mnp_chatbot.chat.service import ChatService
from mnp_chatbot.core.config import Settings
from mnp_chatbot.core.logging import get_logger
from mnp_chatbot.core.ratelimit import MessageLimiter, Network, is_trusted, trusted_networks
from mnp_chatbot.core.redis import client_options
from mnp_chatbot.handoff.service import HandoffService

log = get_logger(__name__)
FLUSH_SECONDS = 0.5


class InFlight:
    """Counts the chat turns being answered, so a stopping worker can wait for them."""

    def __init__(self) -> None:
        self.count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @contextlib.contextmanager
    def track(self) -> Iterator[None]:
        self.count += 1
        self._idle.clear()
        try:
            yield
        finally:
            self.count -= 1
            if self.count == 0:
                self._idle.set()

    async def wait_idle(self, timeout: float) -> bool:
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        return True


class ConnectionCounter:
    """Open connections per client key, in this process."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._open: Counter[str] = Counter()
        self._key_of: dict[str, str] = {}

    def admit(self, sid: str, key: str) -> bool:
        if self._open[key] >= self.limit:
            return False
        self._open[key] += 1
        self._key_of[sid] = key
        return True

    def release(self, sid: str) -> None:
        key = self._key_of.pop(sid, None)
        if key is None:
            return
        self._open[key] -= 1
        if self._open[key] <= 0:
            del self._open[key]

    def open_for(self, key: str) -> int:
        return self._open[key]


@dataclass
class Realtime:
    """What socket handlers reach instead of module globals; the lifespan fills it in."""

    sio: socketio.AsyncServer
    chat: ChatService | None = None
    message_limiter: MessageLimiter | None = None
    connections: ConnectionCounter = field(default_factory=lambda: ConnectionCounter(20))
    turns: InFlight = field(default_factory=InFlight)
    auth: AuthService | None = None
    handoffs: HandoffService | None = None
    operator_recheck_seconds: float = 30.0

    async def drain(self, timeout: float) -> None:
        """Wait (at most `timeout` seconds) for the turns being streamed to finish and for what they sent
        (the acks, and room emits that come back through Redis) to leave for the clients."""
        deadline = asyncio.get_running_loop().time() + timeout
        if not await self.turns.wait_idle(timeout):
            log.warning("realtime.drain.timeout", turns=self.turns.count)
        await asyncio.sleep(FLUSH_SECONDS)
        queues = [socket.queue.join() for socket in list(self.sio.eio.sockets.values())]
        remaining = max(0.1, deadline - asyncio.get_running_loop().time())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.gather(*queues), remaining)
        await asyncio.sleep(FLUSH_SECONDS / 5)  # from the writer tasks onto the connections

    async def release(self) -> None:
        """Answer every waiting long-poll (with a no-op packet): its client's next request finds this worker
        closed and reconnects elsewhere, instead of holding the worker until the next ping."""
        for socket in list(self.sio.eio.sockets.values()):
            if not (socket.upgraded or socket.closed or socket.closing):
                await socket.queue.put(packet.Packet(packet.NOOP))


class OriginPolicy:
    """Which `Origin` may open a socket.io connection: the server's own, or one of CORS_ORIGIN.

    The own origin is the request's scheme and Host; X-Forwarded-Proto and X-Forwarded-Host count only
    from TRUSTED_PROXIES (uvicorn already applies X-Forwarded-Proto from them to the scheme)."""

    def __init__(self, allowed: Sequence[str], trusted_proxies: Sequence[str]) -> None:
        self.allowed = frozenset(origin.rstrip("/") for origin in allowed)
        self.trusted: tuple[Network, ...] = trusted_networks(trusted_proxies)

    def own_origins(self, environ: Mapping[str, Any]) -> set[str]:
        scope = environ.get("asgi.scope") or {}
        scheme = "https" if scope.get("scheme") in ("https", "wss") else "http"
        host = environ.get("HTTP_HOST")
        own = {f"{scheme}://{host}"} if host else set()
        client = scope.get("client")
        if client and is_trusted(str(client[0]), self.trusted):
            proto = str(environ.get("HTTP_X_FORWARDED_PROTO", scheme)).split(",")[0].strip()
            forwarded_host = str(environ.get("HTTP_X_FORWARDED_HOST", host or "")).split(",")[0].strip()
            if forwarded_host:
                own.add(f"{proto}://{forwarded_host}")
        return own

    def __call__(self, origin: str | None, environ: Mapping[str, Any]) -> bool:
        if not origin:
            return False
        parsed = urlsplit(origin)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            return False
        return origin in self.allowed or origin in self.own_origins(environ)


class RoutedEngineServer(engineio.AsyncServer):  # type: ignore[misc]
    route = ""

    def generate_id(self) -> str:
        sid: str = super().generate_id()
        return f"{self.route}.{sid}" if self.route else sid


class RoutedServer(socketio.AsyncServer):  # type: ignore[misc]
    def __init__(self, *, route: str | None, **options: object) -> None:
        super().__init__(**options)
        self.eio.route = route or ""

    def _engineio_server_class(self) -> type[engineio.AsyncServer]:
        return RoutedEngineServer


class DegradingRedisManager(socketio.AsyncRedisManager):  # type: ignore[misc]
    """socket.io's Redis manager, for a Redis that may be slow or gone.

    An emit is delivered to this process's clients first and then published for the other replicas. When
    Redis does not answer (within the client's short timeout), the publish is skipped for the next
    `PAUSE_SECONDS` instead of being tried on every delta of every turn: the replica carries on alone (its
    own clients still get every event; the others resync from the history) until Redis is back."""

    PAUSE_SECONDS = 2.0

    def __init__(self, url: str, *, password: str | None) -> None:
        options = client_options()
        if password is not None:
            options["password"] = password
        super().__init__(url, redis_options=options)
        self._paused_until = 0.0

    async def _publish(self, data: Any) -> None:
        loop = asyncio.get_running_loop()
        if loop.time() < self._paused_until:
            return
        try:
            if not self.connected:
                self._redis_connect()
            await self.redis.publish(self.channel, self.json.dumps(data))
        except Exception as error:  # any Redis failure: carry on as a single replica for a while
            self._paused_until = loop.time() + self.PAUSE_SECONDS  # the pool reconnects by itself
            log.warning("realtime.publish_failed", error=type(error).__name__)


def create_server(settings: Settings) -> socketio.AsyncServer:
    manager = None
    if settings.REDIS_URL:
        password = settings.REDIS_PASSWORD.get_secret_value() if settings.REDIS_PASSWORD else None
        manager = DegradingRedisManager(settings.REDIS_URL, password=password)
    return RoutedServer(
        route=settings.SOCKETIO_ROUTE,
        async_mode="asgi",
        client_manager=manager,
        cors_allowed_origins=OriginPolicy(settings.CORS_ORIGIN, settings.TRUSTED_PROXIES),
        logger=False,
        engineio_logger=False,
        max_http_buffer_size=settings.MAX_BODY_BYTES,
    )
