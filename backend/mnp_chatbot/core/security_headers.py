"""Pure ASGI middleware that puts the security headers on every HTTP response.

Every page refuses to be framed (CSP `frame-ancestors 'none'` and `X-Frame-Options: DENY`) except the
customer chat page, which the widget loader (`/widget.js`) opens in an iframe as `/?embed=1`: the sites in
WIDGET_FRAME_ANCESTORS (default: CORS_ORIGIN) may frame it. HSTS is sent only on responses served over
HTTPS. API responses are `no-store`, since they can hold a customer's conversation.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mnp_chatbot.core.config import Settings

# The chat page, which the embeddable widget frames; the admin console and the API are never framed.
WIDGET_PATHS = frozenset({"/", "/index.html"})
HSTS = "max-age=31536000; includeSubDomains"
CSP_BASE = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
)
# FastAPI's interactive docs load Swagger UI / ReDoc from a CDN and start them with an inline script.
DOCS_PATHS = frozenset({"/docs", "/redoc", "/docs/oauth2-redirect"})
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https:; "
    "worker-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


@dataclass(frozen=True, slots=True)
class HeaderPolicy:
    widget_ancestors: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, settings: Settings) -> "HeaderPolicy":
        return cls(tuple(settings.WIDGET_FRAME_ANCESTORS or settings.CORS_ORIGIN))

    def csp(self, *, widget: bool) -> str:
        ancestors = " ".join(("'self'", *self.widget_ancestors)) if widget else "'none'"
        return "; ".join((*CSP_BASE, f"frame-ancestors {ancestors}"))

    def headers(self, path: str, *, https: bool) -> list[tuple[bytes, bytes]]:
        widget = path in WIDGET_PATHS
        headers = {
            "content-security-policy": DOCS_CSP if path in DOCS_PATHS else self.csp(widget=widget),
            "x-content-type-options": "nosniff",
            "referrer-policy": "no-referrer",
            "cross-origin-opener-policy": "same-origin",
            "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
        }
        if not widget:
            headers["x-frame-options"] = "DENY"
        if https:
            headers["strict-transport-security"] = HSTS
        if path.startswith("/api/"):
            headers["cache-control"] = "no-store"
        return [(name.encode(), value.encode()) for name, value in headers.items()]


def _with_charset(headers: Sequence[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    fixed = []
    for name, value in headers:
        json_without_charset = value.startswith(b"application/json") and b"charset" not in value
        fixed.append(
            (
                name,
                value + b"; charset=utf-8"
                if name.lower() == b"content-type" and json_without_charset
                else value,
            )
        )
    return fixed


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, policy: HeaderPolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self.policy.headers(scope["path"], https=scope.get("scheme") == "https")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                existing = _with_charset(message.get("headers", []))
                present = {name.lower() for name, _ in existing}
                message["headers"] = existing + [header for header in extra if header[0] not in present]
            await send(message)

        await self.app(scope, receive, send_with_headers)
