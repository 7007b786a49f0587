"""Rate limits through the `limits` library: shared in Redis when REDIS_URL is set, in memory otherwise.

Every budget runs over RATE_LIMIT_WINDOW_MS. A request spends from exactly one of three budgets:

    /api/chat, /api/session(s)/, /api/messages/, /api/handoff/, /api/navigator/, socket.io chat events
        └─ chat: CHAT_RATE_LIMIT_PER_SESSION for each conversation (a socket.io connection until it has
           one) and CHAT_RATE_LIMIT_PER_ADDRESS, a much higher ceiling, for each client address
    /api/admin/, /api/auth/
        └─ console: CONSOLE_RATE_LIMIT_MAX_REQUESTS for each client address
    every other /api/ request (FAQ search, carriers, …)
        └─ api: RATE_LIMIT_MAX_REQUESTS for each client address

so customers behind one address (a shop's Wi-Fi, carrier-grade NAT) do not lock each other or the operators
out. Every refusal says how long to wait (Retry-After), is logged (`ratelimit.refused`) and counted
(`rate_limit_refusals_total{budget,transport}`). Besides, the console sign-in limits (`auth.service`
counts each attempt before the password is checked): AUTH_RATE_LIMIT_MAX per window for each
(account, address) pair and for each address, and the slower AUTH_ACCOUNT_RATE_LIMIT_MAX for each account,
so that a burst from one address cannot lock an operator out elsewhere. A client is keyed by its address,
an IPv6 client by its /64 (one host usually holds a whole /64). Keys are keyed hashes, so Redis never holds
an address or an e-mail. When Redis fails, a limiter answers from an in-process fallback instead of
failing open or closed for the whole service.
"""

import hashlib
import hmac
import ipaddress
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import orjson
from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.errors import StorageError
from prometheus_client import Counter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mnp_chatbot.core.config import Settings
from mnp_chatbot.core.errors import RateLimited
from mnp_chatbot.core.logging import get_logger
from mnp_chatbot.core.redis import client_options

log = get_logger(__name__)
KEY_PREFIX = "mnp:ratelimit"
REDIS_TIMEOUT_SECONDS = 0.5
SWEEP_SECONDS = 5.0  # how often the in-process storage drops expired counters
SESSION_BODY_MAX_BYTES = 16_384  # a chat body larger than this is not read for its sessionId
CHAT_PREFIXES = (
    "/api/chat",
    "/api/session/",
    "/api/sessions/",
    "/api/messages/",
    "/api/handoff/",
    "/api/navigator/",
)
CONSOLE_PREFIXES = ("/api/admin/", "/api/auth/")
REFUSALS = Counter(
    "rate_limit_refusals_total",
    "Requests refused by a rate limit, by budget and transport.",
    ["budget", "transport"],
)

Network: TypeAlias = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int

    def headers(self) -> dict[str, str]:
        headers = {"RateLimit-Limit": str(self.limit), "RateLimit-Remaining": str(self.remaining)}
        if not self.allowed:
            headers["Retry-After"] = str(self.retry_after)
        return headers

    def error(self) -> RateLimited:
        return RateLimited(headers=self.headers())


class Limiter:
    """One limit (amount per window) for many keys."""

    def __init__(self, name: str, item: RateLimitItem, storage: Storage, *, key: bytes) -> None:
        self.name = name
        self.item = item
        self._key = key
        self._primary = SlidingWindowCounterRateLimiter(storage)
        self._fallback = SlidingWindowCounterRateLimiter(InProcessStorage())

    def _identifier(self, key: str) -> str:
        return hmac.new(self._key, f"{self.name}:{key}".encode(), hashlib.sha256).hexdigest()[:40]

    async def hit(self, key: str) -> Verdict:
        """Count one request for `key`; not allowed once the window's amount is used up."""
        identifier = self._identifier(key)
        try:
            allowed = await self._primary.hit(self.item, self.name, identifier)
            return await self._verdict(self._primary, identifier, allowed)
        except StorageError:
            log.warning("ratelimit.storage_unavailable", limit=self.name)
            allowed = await self._fallback.hit(self.item, self.name, identifier)
            return await self._verdict(self._fallback, identifier, allowed)

    async def clear(self, key: str) -> None:
        """Forget what `key` has used of its budget."""
        identifier = self._identifier(key)
        try:
            await self._primary.clear(self.item, self.name, identifier)
        except StorageError:
            log.warning("ratelimit.storage_unavailable", limit=self.name)
        await self._fallback.clear(self.item, self.name, identifier)

    async def peek(self, key: str) -> Verdict:
        """Whether `key` still has room, without counting a request."""
        identifier = self._identifier(key)
        try:
            allowed = await self._primary.test(self.item, self.name, identifier)
            return await self._verdict(self._primary, identifier, allowed)
        except StorageError:
            allowed = await self._fallback.test(self.item, self.name, identifier)
            return await self._verdict(self._fallback, identifier, allowed)

    async def _verdict(
        self, strategy: SlidingWindowCounterRateLimiter, identifier: str, allowed: bool
    ) -> Verdict:
        stats = await strategy.get_window_stats(self.item, self.name, identifier)
        retry_after = 0 if allowed else max(1, math.ceil(stats.reset_time - time.time()))
        return Verdict(allowed, self.item.amount, max(stats.remaining, 0), retry_after)


def refused(verdict: Verdict, *, budget: str, transport: str) -> None:
    """Log and count one refusal (no address, no session: only which budget and how long to wait)."""
    REFUSALS.labels(budget=budget, transport=transport).inc()
    log.warning("ratelimit.refused", budget=budget, transport=transport, retry_after=verdict.retry_after)


@dataclass(frozen=True, slots=True)
class ChatBudget:
    """A conversation's budget under a much higher ceiling for its client address."""

    session: Limiter
    address: Limiter

    async def hit(self, *, session_key: str | None, address: str) -> tuple[str, Verdict]:
        """Count one chat request: the budget that decided (`chat_address`, `chat_session`), its verdict."""
        by_address = await self.address.hit(address)
        if not by_address.allowed or session_key is None:
            return self.address.name, by_address
        return self.session.name, await self.session.hit(session_key)


@dataclass(frozen=True, slots=True)
class RateLimits:
    api: Limiter
    chat: ChatBudget
    console: Limiter
    login: Limiter  # per address, and per (account, address)
    login_account: Limiter  # the slower ceiling per account
    backend: str

    @classmethod
    def from_settings(cls, settings: Settings) -> "RateLimits":
        storage = create_storage(settings)
        window = max(1, math.ceil(settings.RATE_LIMIT_WINDOW_MS / 1000))
        key = settings.rate_limit_key

        def item(amount: int) -> RateLimitItem:
            return RateLimitItemPerSecond(amount, window)

        chat = ChatBudget(
            session=Limiter("chat_session", item(settings.CHAT_RATE_LIMIT_PER_SESSION), storage, key=key),
            address=Limiter("chat_address", item(settings.CHAT_RATE_LIMIT_PER_ADDRESS), storage, key=key),
        )
        login_item = item(settings.AUTH_RATE_LIMIT_MAX)
        account_item = item(settings.AUTH_ACCOUNT_RATE_LIMIT_MAX)
        return cls(
            api=Limiter("api", item(settings.RATE_LIMIT_MAX_REQUESTS), storage, key=key),
            chat=chat,
            console=Limiter("console", item(settings.CONSOLE_RATE_LIMIT_MAX_REQUESTS), storage, key=key),
            login=Limiter("login", login_item, storage, key=key),
            login_account=Limiter("login_account", account_item, storage, key=key),
            backend="redis" if settings.REDIS_URL else "memory",
        )


class InProcessStorage(MemoryStorage):
    """`limits`' in-memory storage at O(1) per hit, for the sliding-window counters used here.

    The library's own version starts a task that walks every key (and takes a lock per key) on almost every
    hit: with thousands of client addresses that sweep cost more than the rest of the limiter. Here a counter
    is read and counted without a lock (nothing awaits in between, so no other request interleaves), an
    expired counter is dropped when it is next read, and the whole table is swept at most once per
    SWEEP_SECONDS, so memory stays bounded by the keys of the last two windows. The strategy's arithmetic
    (limits' SlidingWindowCounterRateLimiter) is unchanged."""

    STORAGE_SCHEME = ["async+mnp-in-process"]  # noqa: RUF012 (declared so by limits)

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._swept_at = time.monotonic()

    async def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        self._sweep(now)
        count = self._current(key, now) + amount
        self.storage[key] = count
        if count == amount:
            self.expirations[key] = now + expiry
        return count

    async def decr(self, key: str, amount: int = 1) -> int:
        count = max(self._current(key, time.time()) - amount, 0)
        self.storage[key] = count
        return count

    async def get(self, key: str) -> int:
        return self._current(key, time.time())

    def _current(self, key: str, now: float) -> int:
        if self.expirations.get(key, 0.0) <= now:
            self.storage.pop(key, None)
            self.expirations.pop(key, None)
            return 0
        return self.storage.get(key, 0)

    def _sweep(self, now: float) -> None:
        if time.monotonic() - self._swept_at < SWEEP_SECONDS:
            return
        self._swept_at = time.monotonic()
        for key in [key for key, expires in self.expirations.items() if expires <= now]:
            self.storage.pop(key, None)
            self.expirations.pop(key, None)


def create_storage(settings: Settings) -> Storage:
    if not settings.REDIS_URL:
        return InProcessStorage()
    url = settings.REDIS_URL if settings.REDIS_URL.startswith("async+") else "async+" + settings.REDIS_URL
    options: dict[str, Any] = client_options(REDIS_TIMEOUT_SECONDS)
    if settings.REDIS_PASSWORD is not None:
        options["password"] = settings.REDIS_PASSWORD.get_secret_value()
    return RedisStorage(url, implementation="redispy", key_prefix=KEY_PREFIX, wrap_exceptions=True, **options)


def trusted_networks(entries: Sequence[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def is_trusted(address: str, trusted: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def client_address(peer: str | None, forwarded_for: str | None, trusted: Sequence[Network]) -> str:
    """The client's address: the peer, unless the peer is a trusted proxy; then the right-most address of
    X-Forwarded-For that is not itself a trusted proxy (entries further left are the client's to forge)."""
    address = peer or "unknown"
    if not forwarded_for or not is_trusted(address, trusted):
        return address
    for hop in reversed([part.strip() for part in forwarded_for.split(",") if part.strip()]):
        if not is_trusted(hop, trusted):
            return hop if _is_address(hop) else address
        address = hop
    return address


def rate_key(address: str) -> str:
    """What a client's limits are keyed by: an IPv4 address as it is, an IPv6 address as its /64."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _forwarded_for(scope: Scope) -> str | None:
    values = [value.decode("latin-1") for key, value in scope.get("headers", []) if key == b"x-forwarded-for"]
    return ",".join(values) if values else None


def scope_client_address(scope: Scope, trusted: Sequence[Network]) -> str:
    client = scope.get("client")
    peer = str(client[0]) if client else None
    return client_address(peer, _forwarded_for(scope), trusted)


def is_chat_path(path: str) -> bool:
    return path == "/api/chat" or path.startswith(CHAT_PREFIXES)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def session_in_body(body: bytes) -> str | None:
    """The `sessionId` of a JSON body, if it has a string one."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    token = data.get("sessionId") if isinstance(data, dict) else None
    return token if isinstance(token, str) and token else None


async def _read_session(scope: Scope, receive: Receive) -> tuple[str | None, Receive]:
    """The chat request's session token (header, else JSON body) and a `receive` that replays the body."""
    token = _header(scope, b"x-session-token")
    if token is not None or scope["method"] != "POST":
        return token, receive
    messages: list[Message] = []
    size = 0
    while size <= SESSION_BODY_MAX_BYTES:
        message = await receive()
        messages.append(message)
        size += len(message.get("body", b""))
        if message["type"] != "http.request" or not message.get("more_body", False):
            break
    complete = messages[-1]["type"] == "http.request" and not messages[-1].get("more_body", False)
    body = b"".join(m.get("body", b"") for m in messages)
    pending = list(messages)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return (session_in_body(body) if complete else None), replay


class RateLimitMiddleware:
    """Counts each `/api/` request against its budget (chat, console or api); over it, 429, Retry-After."""

    def __init__(self, app: ASGIApp, *, limits: RateLimits, trusted_proxies: Sequence[str]) -> None:
        self.app = app
        self.limits = limits
        self.trusted = trusted_networks(trusted_proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/") or scope["method"] == "OPTIONS":
            await self.app(scope, receive, send)
            return
        budget, verdict, receive = await self._spend(scope, receive)
        if not verdict.allowed:
            refused(verdict, budget=budget, transport="http")
            await _reject(send, verdict)
            return
        extra = [(name.lower().encode(), value.encode()) for name, value in verdict.headers().items()]

        async def send_with_budget(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_budget)

    async def _spend(self, scope: Scope, receive: Receive) -> tuple[str, Verdict, Receive]:
        address = rate_key(scope_client_address(scope, self.trusted))
        path = scope["path"]
        if is_chat_path(path):
            session, receive = await _read_session(scope, receive)
            budget, verdict = await self.limits.chat.hit(session_key=session, address=address)
            return budget, verdict, receive
        limiter = self.limits.console if path.startswith(CONSOLE_PREFIXES) else self.limits.api
        return limiter.name, await limiter.hit(address), receive


async def _reject(send: Send, verdict: Verdict) -> None:
    body = orjson.dumps(verdict.error().body())
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(name.lower().encode(), value.encode()) for name, value in verdict.headers().items()]
    await send({"type": "http.response.start", "status": RateLimited.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class MessageLimiter:
    """The chat budget applied to socket.io events: per conversation (the connection until it has one) and per
    client address of the connection."""

    def __init__(self, budget: ChatBudget, *, trusted_proxies: Sequence[str]) -> None:
        self.budget = budget
        self.trusted = trusted_networks(trusted_proxies)

    async def hit(
        self, environ: Mapping[str, Any] | None, *, session: str | None, connection: str
    ) -> Verdict:
        session_key = session or f"connection:{connection}"
        budget, verdict = await self.budget.hit(session_key=session_key, address=self.key(environ))
        if not verdict.allowed:
            refused(verdict, budget=budget, transport="socketio")
        return verdict

    def key(self, environ: Mapping[str, Any] | None) -> str:
        scope = (environ or {}).get("asgi.scope") or {}
        return rate_key(scope_client_address(scope, self.trusted))
