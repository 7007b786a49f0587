"""`POST /api/chat` is answered by its own ASGI endpoint (chat/endpoint.py) inside the security middleware,
not by FastAPI's router. These are the route's answers to odd requests, status, code and message exactly as
FastAPI gave them, so the endpoint keeps the contract; and the route stays in the OpenAPI document."""

from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY

from mnp_chatbot.chat import router
from mnp_chatbot.main import create_app
from tests.fixtures.app import SettingsFactory

CASES: list[tuple[bytes, dict[str, str], int, str]] = [
    (b"{not json", {"content-type": "application/json"}, 400, "invalid_json"),
    (b"\xff\xfe", {"content-type": "application/json"}, 400, "invalid_json"),
    (b"", {"content-type": "application/json"}, 422, "validation_error"),
    (b"[]", {"content-type": "application/json"}, 422, "validation_error"),
    (b'"hi"', {"content-type": "application/json"}, 422, "validation_error"),
    (b"null", {"content-type": "application/json"}, 422, "validation_error"),
    (b'{"message": "hi"}', {"content-type": "text/plain"}, 422, "validation_error"),
    (b'{"message": "hi"}', {}, 422, "validation_error"),
    (b'{"message": "hi"}', {"content-type": "application/json; charset=utf-8"}, 200, ""),
    (b'{"message": "hi"}', {"content-type": "application/vnd.api+json"}, 200, ""),
    (b'{"message": "hi", "channel": "line"}', {"content-type": "application/json"}, 422, "validation_error"),
    (b'{"message": "hi", "extra": 1}', {"content-type": "application/json"}, 200, ""),
    (b'{"message": "   "}', {"content-type": "application/json"}, 422, "validation_error"),
    (b'{"message": "hi", "sessionId": null}', {"content-type": "application/json"}, 200, ""),
]


@pytest.mark.parametrize(("content", "headers", "status", "code"), CASES)
async def test_odd_requests_get_the_routes_answers(
    client: httpx.AsyncClient, content: bytes, headers: dict[str, str], status: int, code: str
) -> None:
    response = await client.post("/api/chat", content=content, headers=headers)
    assert response.status_code == status
    body: dict[str, Any] = response.json()
    if code:
        assert body["error"]["code"] == code
    else:
        assert body["reply"]["text"]


async def test_a_well_formed_request_is_answered_without_the_router(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the router answered")

    monkeypatch.setattr(router, "inbound_of", refuse)  # what the route would call
    response = await client.post("/api/chat", json={"message": "予約番号の有効期限は何日ですか？"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.headers["x-request-id"]
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["ratelimit-limit"]
    assert "15日" in response.json()["reply"]["text"]


async def test_the_route_is_counted_under_its_template(client: httpx.AsyncClient) -> None:
    labels = {"method": "POST", "route": "/api/chat", "status": "200"}
    before = REGISTRY.get_sample_value("http_requests_total", labels) or 0.0
    await client.post("/api/chat", json={"message": "こんにちは"})
    assert REGISTRY.get_sample_value("http_requests_total", labels) == before + 1


async def test_the_route_stays_in_the_openapi_document(make_settings: SettingsFactory) -> None:
    app = create_app(make_settings(ENABLE_API_DOCS=True))
    schema = app.openapi()
    assert "/api/chat" in schema["paths"]
    assert "requestBody" in schema["paths"]["/api/chat"]["post"]
