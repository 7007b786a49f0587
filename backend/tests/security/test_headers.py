"""Security headers on every kind of response, and CORS only for CORS_ORIGIN (security.md tests 42, 43)."""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import socketio
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from mnp_chatbot import security
from mnp_chatbot.core.config import Settings
from mnp_chatbot.core.security_headers import HeaderPolicy
from mnp_chatbot.main import create_app
from tests.fixtures.app import SettingsFactory

ALLOWED = "https://shop.example.jp"
EMBEDDER = "https://partner.example.com"
BAD_ORIGINS = [
    "https://evil.example",
    "null",
    "https://shop.example.jp.evil.example",
    "http://shop.example.jp",
]


@pytest.fixture
def settings(make_settings: SettingsFactory) -> Settings:
    return make_settings(CORS_ORIGIN=ALLOWED, WIDGET_FRAME_ANCESTORS=EMBEDDER, MAX_BODY_BYTES=2048)


@pytest.fixture
async def outer(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The whole ASGI app, socket.io included, as uvicorn serves it."""
    sio_app = socketio.ASGIApp(app.state.realtime.sio, other_asgi_app=app.state.lifespan_app)
    transport = httpx.ASGITransport(app=security.with_headers(sio_app, app))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


def assert_secure(response: httpx.Response, *, framed_by: str | None = None) -> None:
    headers = response.headers
    csp = headers["content-security-policy"]
    assert "object-src 'none'" in csp
    assert "base-uri 'none'" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    if framed_by is None:
        assert "frame-ancestors 'none'" in csp
        assert headers["x-frame-options"] == "DENY"
    else:
        assert f"frame-ancestors 'self' {framed_by}" in csp
        assert "x-frame-options" not in headers
    if headers.get("content-type", "").startswith("application/json"):
        assert "charset=utf-8" in headers["content-type"]


REQUESTS: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "/health/live", {}),
    ("GET", "/api/faqs/search?q=予約番号", {}),
    ("GET", "/no/such/page", {}),
    ("DELETE", "/health/live", {}),
    ("POST", "/api/chat", {"json": {"message": ""}}),
    ("POST", "/api/chat", {"content": b"{", "headers": {"content-type": "application/json"}}),
    ("POST", "/api/chat", {"json": {"message": "あ" * 3000}}),
    ("GET", "/api/auth/me", {}),
    ("GET", "/openapi.json", {}),
]


class TestSecurityHeaders:
    @pytest.mark.parametrize(("method", "path", "extra"), REQUESTS)
    async def test_every_response_carries_the_headers(
        self, client: httpx.AsyncClient, method: str, path: str, extra: dict[str, Any]
    ) -> None:
        response = await client.request(method, path, **extra)
        assert_secure(response)

    async def test_api_responses_are_not_stored(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/api/chat", json={"message": "予約番号の有効期限は？"})
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-store"

    async def test_no_hsts_over_plain_http(self, client: httpx.AsyncClient) -> None:
        assert "strict-transport-security" not in (await client.get("/health/live")).headers

    async def test_socketio_polling_responses_carry_the_headers(self, outer: httpx.AsyncClient) -> None:
        response = await outer.get("/socket.io/?EIO=4&transport=polling")
        assert response.status_code == 200
        assert_secure(response)

    async def test_only_the_chat_page_may_be_framed_and_only_by_the_embedders(
        self, outer: httpx.AsyncClient
    ) -> None:
        page = await outer.get("/?embed=1")
        assert_secure(page, framed_by=EMBEDDER)
        for path in ("/widget.js", "/admin", "/api/auth/me", "/health"):
            assert_secure(await outer.get(path))


class TestHeaderPolicy:
    def test_hsts_for_https_with_a_year_and_subdomains(self) -> None:
        headers = dict(HeaderPolicy().headers("/api/chat", https=True))
        assert headers[b"strict-transport-security"] == b"max-age=31536000; includeSubDomains"

    def test_widget_ancestors_default_to_the_cors_origins(self, make_settings: SettingsFactory) -> None:
        policy = HeaderPolicy.from_settings(make_settings(CORS_ORIGIN="https://a.example,https://b.example"))
        assert "frame-ancestors 'self' https://a.example https://b.example" in policy.csp(widget=True)
        assert "frame-ancestors 'none'" in policy.csp(widget=False)


class TestCors:
    async def test_the_configured_origin_may_call_the_api(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/api/chat", json={"message": "こんにちは"}, headers={"Origin": ALLOWED})
        assert response.headers["access-control-allow-origin"] == ALLOWED
        assert "access-control-allow-credentials" not in response.headers
        preflight = await client.options(
            "/api/chat",
            headers={
                "Origin": ALLOWED,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == ALLOWED

    @pytest.mark.parametrize("origin", BAD_ORIGINS)
    async def test_other_origins_are_never_reflected(self, client: httpx.AsyncClient, origin: str) -> None:
        simple = await client.get("/api/faqs/search?q=MNP", headers={"Origin": origin})
        assert "access-control-allow-origin" not in simple.headers
        preflight = await client.options(
            "/api/admin/users",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization",
            },
        )
        assert preflight.status_code == 400
        assert "access-control-allow-origin" not in preflight.headers

    @pytest.mark.parametrize(
        "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
    )
    async def test_state_changes_refuse_cors_safelisted_content_types(
        self, client: httpx.AsyncClient, content_type: str
    ) -> None:
        """A cross-site form or `no-cors` fetch can only send these types; the API accepts JSON only."""
        response = await client.post(
            "/api/chat",
            content='{"message": "こんにちは"}',
            headers={"Content-Type": content_type, "Origin": "https://evil.example"},
        )
        assert response.status_code in (400, 415, 422)


async def test_no_cors_headers_at_all_without_cors_origin(make_settings: SettingsFactory) -> None:
    app = create_app(make_settings())
    async with LifespanManager(app, startup_timeout=60) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            response = await client.get(
                "/api/faqs/search?q=MNP", headers={"Origin": "https://shop.example.jp"}
            )
    assert "access-control-allow-origin" not in response.headers
