"""`POST /api/line/webhook` as a pure ASGI endpoint, ahead of the routers: the ACK's whole path.

LINE waits for the ACK and redelivers what is not acknowledged in time, so the path does only what the ACK
needs: read the raw body (within MAX_BODY_BYTES), verify its signature, then (only then) parse and validate
it, record its events with one INSERT (`LineChannel.accept`) and answer 200. No router, no dependency
injection, no CORS (LINE calls server to server), no per-address rate limit (LINE's few sending addresses
carry every customer; a request is refused by its signature first). Every response still carries the
security headers and a request id and is counted in `http_requests_total`; refusals are logged.
"""

import time
import uuid

import orjson
import structlog
from pydantic import ValidationError
from starlette.types import ASGIApp, Receive, Scope, Send

from mnp_chatbot import container
from mnp_chatbot.channels.line import signature
from mnp_chatbot.channels.line.exceptions import InvalidSignature, LineChannelOff, MalformedWebhook
from mnp_chatbot.channels.line.schemas import WebhookBody
from mnp_chatbot.core import metrics
from mnp_chatbot.core.errors import AppError, PayloadTooLarge
from mnp_chatbot.core.logging import get_logger
from mnp_chatbot.core.middleware import REQUEST_ID_HEADER, header, is_safe_request_id
from mnp_chatbot.core.security_headers import HeaderPolicy

log = get_logger(__name__)
access = get_logger("mnp_chatbot.access")
PATH = "/api/line/webhook"
SIGNATURE_HEADER = b"x-line-signature"
ACK = b"{}"
JSON = (b"content-type", b"application/json; charset=utf-8")


class Disconnected(Exception):
    """The client went away before its body arrived; nothing is answered."""


def verified_body(raw: bytes, signatures: list[str], secret: bytes) -> WebhookBody:
    """The body, parsed, when exactly one signature header matches the raw bytes; parsing starts only then."""
    if len(signatures) != 1 or not signature.is_valid_signature(raw, signatures[0], secret):
        reason = "missing" if not signatures else "repeated" if len(signatures) > 1 else "mismatch"
        log.warning("line.webhook.rejected", reason=reason, body_bytes=len(raw))
        raise InvalidSignature()
    try:
        return WebhookBody.model_validate_json(raw)
    except ValidationError as error:
        log.warning("line.webhook.malformed", errors=error.error_count())
        raise MalformedWebhook() from None


async def read_body(scope: Scope, receive: Receive, limit: int) -> bytes:
    """The request body, refused (413) as soon as its declared or received size passes `limit`."""
    declared = header(scope, b"content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"リクエスト本文は {limit} バイトまでです。")
    chunks: list[bytes] = []
    received = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise Disconnected()
        chunk = message.get("body", b"")
        received += len(chunk)
        if received > limit:
            raise PayloadTooLarge(f"リクエスト本文は {limit} バイトまでです。")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


class LineWebhook:
    """Answers `POST /api/line/webhook` itself; every other request goes on to `app`."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, policy: HeaderPolicy) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.headers = {https: [*policy.headers(PATH, https=https), JSON] for https in (False, True)}
        self.latency = metrics.HTTP_LATENCY.labels(method="POST", route=PATH)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        incoming = header(scope, REQUEST_ID_HEADER)
        request_id = incoming if incoming and is_safe_request_id(incoming) else uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            await self._acknowledge(scope, receive)
            status, body = 200, ACK
        except Disconnected:
            return
        except AppError as error:
            status, body = error.status_code, orjson.dumps(error.body())
        except Exception as error:
            log.exception("http.unhandled_error", error=type(error).__name__)
            status, body = 500, orjson.dumps(AppError().body())
        headers = [*self.headers[scope.get("scheme") == "https"], (REQUEST_ID_HEADER, request_id.encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        self._record(status, time.perf_counter() - started)

    async def _acknowledge(self, scope: Scope, receive: Receive) -> None:
        services = container.services_of(scope.get("state"))
        if services is None or services.line is None:
            raise LineChannelOff()
        line = services.line.channel
        raw = await read_body(scope, receive, self.max_bytes)
        signatures = [value.decode("latin-1") for name, value in scope["headers"] if name == SIGNATURE_HEADER]
        body = verified_body(raw, signatures, line.config.channel_secret)
        await line.accept(body)

    def _record(self, status: int, elapsed: float) -> None:
        metrics.HTTP_REQUESTS.labels(method="POST", route=PATH, status=str(status)).inc()
        self.latency.observe(elapsed)
        if status != 200:  # accepted deliveries are counted, not logged one by one
            access.info("http.request", method="POST", route=PATH, status=status, ms=round(elapsed * 1000, 2))
