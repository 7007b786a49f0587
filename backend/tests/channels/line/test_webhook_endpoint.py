"""The webhook's own ASGI endpoint (channels/line/webhook.py): what it keeps of the app's HTTP stack."""

from collections.abc import AsyncIterator

from prometheus_client import REGISTRY
from starlette.types import Message, Receive, Scope, Send
from structlog.testing import capture_logs

from mnp_chatbot.channels.line.webhook import PATH, LineWebhook
from mnp_chatbot.core.security_headers import HeaderPolicy
from tests.channels.line.conftest import LineApp, open_line_app
from tests.channels.line.inspect import count
from tests.channels.line.support import Events, body, signed
from tests.fixtures.app import SettingsFactory
from tests.security.test_headers import assert_secure


def delivered(status: int) -> float:
    labels = {"method": "POST", "route": PATH, "status": str(status)}
    return REGISTRY.get_sample_value("http_requests_total", labels) or 0.0


async def chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def test_every_answer_carries_the_headers_and_a_request_id(line_app: LineApp) -> None:
    raw = body(Events().text("予約番号の有効期限は？"))
    accepted = await line_app.post(raw)
    forged = await line_app.post(raw, {"x-line-signature": signed(b"other")["x-line-signature"]})
    huge = b"{" + b" " * 70_000 + b"}"
    oversized = await line_app.http.post(PATH, content=huge, headers=signed(huge))
    assert [accepted.status_code, forged.status_code, oversized.status_code] == [200, 401, 413]
    assert accepted.json() == {}
    assert forged.json()["error"]["code"] == "invalid_signature"
    assert oversized.json()["error"]["code"] == "payload_too_large"
    for response in (accepted, forged, oversized):
        assert_secure(response)
        assert response.headers["cache-control"] == "no-store"
        assert len(response.headers["x-request-id"]) == 32
    kept = await line_app.post(raw, {**signed(raw), "x-request-id": "line-delivery-0001"})
    assert kept.headers["x-request-id"] == "line-delivery-0001"


async def test_a_body_past_the_limit_is_refused_while_it_streams_in(line_app: LineApp) -> None:
    raw = body(Events().text("x" * 40_000)) + b" " * 30_000
    streamed = await line_app.http.post(PATH, content=chunks(raw[:40_000], raw[40_000:]), headers=signed(raw))
    assert streamed.status_code == 413
    assert await count(line_app, "SELECT count(*) FROM channel_events") == 0


async def test_deliveries_are_counted_and_refusals_logged(line_app: LineApp) -> None:
    before = delivered(200), delivered(401)
    raw = body(Events().text("手数料は？"))
    with capture_logs() as logs:
        assert (await line_app.post(raw)).status_code == 200
        assert (await line_app.post(raw, {"x-line-signature": "AAAA"})).status_code == 401
    assert (delivered(200), delivered(401)) == (before[0] + 1, before[1] + 1)
    access = [entry for entry in logs if entry["event"] == "http.request"]
    assert [entry["status"] for entry in access] == [401]
    assert "手数料" not in repr(logs)


async def test_other_methods_and_paths_go_on_to_the_app(line_app: LineApp) -> None:
    for response in (
        await line_app.http.get(PATH),
        await line_app.http.put(PATH, content=b"{}"),
        await line_app.http.post(PATH + "/", content=b"{}", headers={"x-line-signature": "AAAA"}),
    ):
        assert response.status_code in (404, 405, 307), response.status_code
        assert_secure(response)


async def test_channel_off_is_404_in_the_error_shape(make_settings: SettingsFactory) -> None:
    async for opened in open_line_app(make_settings()):
        response = await opened.http.post(PATH, content=b"{}", headers={"x-line-signature": "AAAA"})
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "line_channel_off"
        assert_secure(response)


async def test_a_client_gone_before_its_body_arrived_gets_no_answer(line_app: LineApp) -> None:
    first: Message = {"type": "http.request", "body": b"{", "more_body": True}
    messages = iter([first, {"type": "http.disconnect"}])
    sent: list[Message] = []

    async def receive() -> Message:
        return next(messages)

    async def send(message: Message) -> None:
        sent.append(message)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        raise AssertionError("the webhook's request went on to the app")

    endpoint = LineWebhook(app, max_bytes=1024, policy=HeaderPolicy())
    state = {"resources": line_app.resources, "services": line_app.services}
    scope = {"type": "http", "method": "POST", "path": PATH, "headers": [], "state": state}
    await endpoint(scope, receive, send)
    assert sent == []
