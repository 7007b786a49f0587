from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy.engine import make_url

from mnp_chatbot.core.config import Settings
from mnp_chatbot.main import create_app
from tests.fixtures.app import SettingsFactory
from tests.fixtures.database import admin_execute


@asynccontextmanager
async def served(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=60) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


class TestHealth:
    async def test_reports_the_seed_shape_with_database_ok(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/health")
        assert response.status_code == 200
        body = response.json()
        assert body["message"] == "OK"
        assert isinstance(body["uptime"], float)
        assert isinstance(body["timestamp"], int)
        assert set(body["checks"]) == {"database", "redis", "openai", "diskSpace", "memory"}
        assert body["checks"]["database"]["status"] == "ok"
        assert body["checks"]["memory"]["rss"] > 0

    async def test_answers_503_when_the_database_goes_down(
        self, client: httpx.AsyncClient, server_url: str, database_url: str
    ) -> None:
        assert (await client.get("/health")).status_code == 200
        name = make_url(database_url).database
        await admin_execute(server_url, f'DROP DATABASE "{name}" WITH (FORCE)')
        health = await client.get("/health")
        ready = await client.get("/health/ready")
        live = await client.get("/health/live")
        assert health.status_code == 503
        assert health.json()["message"] == "Service Unavailable"
        assert health.json()["checks"]["database"]["status"] == "error"
        assert ready.status_code == 503
        assert live.status_code == 200

    async def test_reports_redis_when_configured(
        self, make_settings: SettingsFactory, redis_url: str
    ) -> None:
        app = create_app(make_settings(REDIS_URL=redis_url))
        async with LifespanManager(app) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
                body = (await http.get("/health")).json()
        assert body["checks"]["redis"] == {"status": "ok", "mode": "redis"}

    async def test_readiness_is_ok_with_a_database(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/health/ready")
        assert response.status_code == 200
        assert response.json()["database"] == "ok"


class TestMetrics:
    async def test_counts_requests_by_route_template_and_status(self, client: httpx.AsyncClient) -> None:
        await client.get("/health/live")
        await client.get("/no/such/page")
        text = (await client.get("/metrics")).text
        assert 'http_requests_total{method="GET",route="/health/live",status="200"}' in text
        assert 'route="<unmatched>",status="404"' in text
        assert "http_request_duration_seconds_bucket" in text
        assert "process_resident_memory_bytes" in text


class TestErrors:
    async def test_unknown_route_gives_404_in_the_error_shape(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/does-not-exist")
        assert response.status_code == 404
        assert response.json() == {
            "error": {"code": "not_found", "message": "指定されたURLは見つかりません。"}
        }

    async def test_wrong_method_gives_405_in_the_error_shape(self, client: httpx.AsyncClient) -> None:
        response = await client.delete("/health")
        assert response.status_code == 405
        assert response.json()["error"]["code"] == "method_not_allowed"

    @pytest.mark.parametrize("path", ["/health", "/health/live"])
    async def test_every_response_carries_a_request_id(self, client: httpx.AsyncClient, path: str) -> None:
        response = await client.get(path, headers={"X-Request-ID": "req-abc-123"})
        assert response.headers["x-request-id"] == "req-abc-123"


class TestBodyLimits:
    async def test_the_operators_api_accepts_larger_bodies_than_the_chat(
        self, client: httpx.AsyncClient
    ) -> None:
        body = b'{"message": "' + b"a" * 100_000 + b'"}'
        chat = await client.post("/api/chat", content=body, headers={"content-type": "application/json"})
        admin = await client.post(
            "/api/admin/faqs", content=body, headers={"content-type": "application/json"}
        )
        assert chat.status_code == 413
        assert admin.status_code in (401, 403)


PRODUCTION_SECRETS = {
    "ENVIRONMENT": "production",
    "JWT_SECRET": "jwt-secret-for-the-production-test-0123456789",
    "SESSION_SECRET": "session-secret-for-the-production-test-012345",
    "ENCRYPTION_KEY": "encryption-passphrase-for-the-production-test",
}


class TestItem11ProductionOperations:
    """Issue 16 item 11: in production, docs are off unless enabled; /health details and /metrics go only
    to OPS_ALLOWED_NETWORKS or the OPS_TOKEN bearer; /health/live and /health/ready stay open."""

    async def test_item11_docs_health_details_and_metrics_are_closed_in_production(
        self, make_settings: SettingsFactory
    ) -> None:
        settings = make_settings(**PRODUCTION_SECRETS, OPS_TOKEN="ops-token-0123456789abcdef")
        async with served(settings) as client:
            docs = [(await client.get(path)).status_code for path in ("/docs", "/redoc", "/openapi.json")]
            health = await client.get("/health")
            metrics = await client.get("/metrics")
            wrong = await client.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
            with_token = await client.get(
                "/metrics", headers={"Authorization": "Bearer ops-token-0123456789abcdef"}
            )
            detailed = await client.get(
                "/health", headers={"Authorization": "Bearer ops-token-0123456789abcdef"}
            )
            live = await client.get("/health/live")
            ready = await client.get("/health/ready")
        assert all(status == 404 for status in docs)
        assert health.status_code == 200
        assert health.json() == {"message": "OK"}
        assert metrics.status_code == 403
        assert metrics.json()["error"]["code"] == "forbidden"
        assert "http_requests_total" not in metrics.text
        assert wrong.status_code == 403
        assert with_token.status_code == 200
        assert "http_requests_total" in with_token.text
        assert set(detailed.json()["checks"]) >= {"database", "redis", "memory"}
        assert live.status_code == 200
        assert ready.status_code == 200

    async def test_item11_allowed_networks_see_metrics_and_docs_can_be_enabled(
        self, make_settings: SettingsFactory
    ) -> None:
        settings = make_settings(
            **PRODUCTION_SECRETS,
            ENABLE_API_DOCS=True,
            OPS_ALLOWED_NETWORKS="10.20.0.0/16",
            TRUSTED_PROXIES="127.0.0.1",
        )
        async with served(settings) as client:
            inside = await client.get("/metrics", headers={"X-Forwarded-For": "10.20.3.4"})
            outside = await client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
            health_inside = await client.get("/health", headers={"X-Forwarded-For": "10.20.3.4"})
            openapi = await client.get("/openapi.json")
        assert inside.status_code == 200
        assert outside.status_code == 403
        assert "checks" in health_inside.json()
        assert openapi.status_code == 200

    async def test_item11_outside_production_everything_stays_open(self, client: httpx.AsyncClient) -> None:
        assert (await client.get("/metrics")).status_code == 200
        assert (await client.get("/openapi.json")).status_code == 200
        assert "checks" in (await client.get("/health")).json()
