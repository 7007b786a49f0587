"""Pure ASGI middleware: request id + access log + metrics, and the request body size limit."""

import re
import time
import uuid
from collections.abc import Mapping
from typing import Any

import orjson
import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mnp_chatbot.core import metrics
from mnp_chatbot.core.errors import AppError, PayloadTooLarge
from mnp_chatbot.core.logging import get_logger
from mnp_chatbot.masking import masker

log = get_logger("mnp_chatbot.access")
REQUEST_ID_HEADER = b"x-request-id"
UNMATCHED_ROUTE = "<unmatched>"
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            decoded: str = value.decode("latin-1")
            return decoded
    return None


def is_safe_request_id(value: str) -> bool:
    """A client's X-Request-ID is kept (and logged) only as a plain token with no personal data in it."""
    return bool(SAFE_REQUEST_ID.fullmatch(value)) and not masker.mask_pii(value).spans


def _route_template(scope: Scope) -> str:
    route: Any = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED_ROUTE


class RequestContextMiddleware:
    """Gives every HTTP request an id (kept from X-Request-ID when sane), logs it and counts it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = header(scope, REQUEST_ID_HEADER)
        request_id = incoming if incoming and is_safe_request_id(incoming) else uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (REQUEST_ID_HEADER, request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._record(scope, status, time.perf_counter() - started)

    @staticmethod
    def _record(scope: Scope, status: int, elapsed: float) -> None:
        route = _route_template(scope)
        method = scope["method"]
        metrics.HTTP_REQUESTS.labels(method=method, route=route, status=str(status)).inc()
        metrics.HTTP_LATENCY.labels(method=method, route=route).observe(elapsed)
        if route not in ("/metrics", "/health/live"):
            log.info("http.request", method=method, route=route, status=status, ms=round(elapsed * 1000, 2))


async def send_error(send: Send, error: AppError) -> None:
    """`error` as the whole response, in the one error shape, from middleware (before any route)."""
    body = orjson.dumps(error.body())
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(name.lower().encode(), value.encode()) for name, value in error.headers.items()]
    await send({"type": "http.response.start", "status": error.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class BodySizeLimitMiddleware:
    """Rejects request bodies over the limit with 413 before the app reads them.

    `limits_by_path` raises the limit for some routes, e.g. the operators' knowledge imports (exact paths:
    every other route keeps `max_bytes`)."""

    def __init__(
        self, app: ASGIApp, *, max_bytes: int, limits_by_path: Mapping[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.limits_by_path = dict(limits_by_path or {})

    def limit_for(self, path: str) -> int:
        return self.limits_by_path.get(path.rstrip("/") or "/", self.max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        declared = header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._reject(send, limit)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise PayloadTooLarge(f"リクエスト本文は {limit} バイトまでです。")
            return message

        await self.app(scope, limited_receive, send)

    async def _reject(self, send: Send, limit: int) -> None:
        await send_error(send, PayloadTooLarge(f"リクエスト本文は {limit} バイトまでです。"))
