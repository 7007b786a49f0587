"""The production topology on this machine (scripts/stack.sh): nginx with TLS in front of two gunicorn
instances of two workers each, PostgreSQL with pgvector and Redis with a password, driven over HTTPS."""

import asyncio
import re
import subprocess
from typing import Any

import httpx
import pytest

from tests.deploy.stack import Stack, new_id

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


def worker_of(client: Any) -> str:
    """The worker that holds a socket.io session: the route in front of its engine.io id (`p8101.…`)."""
    route = str(client.eio.sid).split(".", 1)[0]
    assert re.fullmatch(r"p8[1-9]\d\d", route), client.eio.sid
    return route


class Stream:
    """Records the chat events a socket.io client receives."""

    def __init__(self, client: Any) -> None:
        self.done: list[dict[str, Any]] = []
        self.deltas = 0
        self.arrived = asyncio.Event()

        @client.on("chat:delta")  # type: ignore[untyped-decorator]
        async def delta(_: Any) -> None:
            self.deltas += 1

        @client.on("chat:done")  # type: ignore[untyped-decorator]
        async def done(data: dict[str, Any]) -> None:
            self.done.append(data)
            self.arrived.set()


def turn(message: str, session: str | None = None) -> dict[str, str]:
    body = {"message": message, "clientMessageId": new_id()}
    return body if session is None else {**body, "sessionId": session}


async def history(http: httpx.AsyncClient, session_id: str) -> list[dict[str, Any]]:
    response = await http.get(f"/api/sessions/{session_id}/messages")
    assert response.status_code == 200, response.text
    messages: list[dict[str, Any]] = response.json()["messages"]
    return messages


class TestEdge:
    def test_nginx_serves_http2_over_tls12_and_up_and_redirects_http(self, running_stack: Stack) -> None:
        port = running_stack.base.rsplit(":", 1)[1]
        curl = ["curl", "-s", "--http2", "--cacert", str(running_stack.certificate), "-o", "/dev/null"]
        curl += ["-w", "%{http_version}", f"{running_stack.base}/health/live"]
        version = subprocess.run(curl, capture_output=True, text=True, check=True).stdout
        assert version == "2"
        for protocol, accepted in (("-tls1_1", False), ("-tls1_2", True), ("-tls1_3", True)):
            command = ["openssl", "s_client", protocol, "-connect", f"127.0.0.1:{port}"]
            handshake = subprocess.run(
                command, input="", capture_output=True, text=True, timeout=20, check=False
            )
            assert (handshake.returncode == 0) is accepted, (protocol, handshake.stdout[-500:])
        redirect = httpx.get("http://127.0.0.1:8080/admin?x=1")
        assert redirect.status_code == 301
        assert redirect.headers["location"] == f"{running_stack.base}/admin?x=1"

    async def test_chat_over_https_with_one_copy_of_each_security_header(self, running_stack: Stack) -> None:
        async with running_stack.client("127.0.0.11") as http:
            response = await http.post("/api/chat", json={"message": "予約番号の有効期限は？"})
            page = await http.get("/")
            console = await http.get("/admin/faqs")
            widget = await http.get("/widget.js")
        assert response.status_code == 200, response.text
        assert response.json()["reply"]["sources"]
        for answer in (response, page, console, widget):
            for name in ("strict-transport-security", "x-content-type-options"):
                assert len(answer.headers.get_list(name)) == 1, (answer.url, name)
        assert len(page.headers.get_list("content-security-policy")) == 1
        assert "text/html" in console.headers["content-type"]  # the console's page, not the chat's
        assert b'id="admin-root"' in console.content
        assert "javascript" in widget.headers["content-type"]

    async def test_only_hashed_assets_are_cached_for_long_and_text_is_gzipped(
        self, running_stack: Stack
    ) -> None:
        async with running_stack.client("127.0.0.11") as http:
            page = await http.get("/", headers={"accept-encoding": "identity"})
            asset = re.search(r'/assets/[^"]+\.js', page.text)
            assert asset is not None
            bundle = await http.get(asset.group(0), headers={"accept-encoding": "gzip"})
        assert page.headers["cache-control"] == "no-cache"
        assert "immutable" in bundle.headers["cache-control"]
        assert bundle.headers["content-encoding"] == "gzip"

    async def test_bodies_over_max_body_bytes_stop_at_nginx_except_console_imports(
        self, running_stack: Stack
    ) -> None:
        big = "あ" * 40_000  # 120 kB
        async with running_stack.client("127.0.0.12") as http:
            chat = await http.post("/api/chat", json={"message": big})
            body = b"[" + b" " * 100_000 + b"]"
            imported = await http.post("/api/admin/faqs/import?format=json", content=body)
        assert chat.status_code == 413
        assert imported.status_code == 401  # through nginx to the app, which wants a signed-in operator

    async def test_metrics_only_from_the_allow_list(self, running_stack: Stack) -> None:
        async with running_stack.client("127.0.0.1") as local, running_stack.client("127.0.0.13") as other:
            allowed = await local.get("/metrics")
            denied = await other.get("/metrics")
        assert allowed.status_code == 200
        assert "http_requests_total" in allowed.text
        assert denied.status_code == 403


class TestSocketIo:
    @pytest.mark.parametrize("transport", ["websocket", "polling"])
    async def test_a_conversation_spans_workers(self, running_stack: Stack, transport: str) -> None:
        sources = iter(f"127.0.0.{20 + i}" for i in range(8))
        async with running_stack.socket(next(sources), transport) as first:
            first_stream = Stream(first)
            opened = await first.call("chat:message", turn("ahamoに乗り換えたい"), timeout=30)
            session = opened["sessionId"]
            async with running_stack.socket(next(sources), transport) as second:
                for _ in range(6):  # handshakes alternate between the instances
                    if worker_of(second) != worker_of(first):
                        break
                    await second.disconnect()
                    await second.connect(
                        running_stack.base, transports=[transport], socketio_path="socket.io"
                    )
                assert worker_of(second) != worker_of(first)
                second_stream = Stream(second)
                restored = await second.call("chat:resync", {"sessionId": session}, timeout=30)
                assert len(restored["messages"]) == 2
                # A turn through the first worker streams to the second through Redis, and back.
                sent = await first.call("chat:message", turn("予約番号は必要？", session), timeout=30)
                await asyncio.wait_for(second_stream.arrived.wait(), 15)
                assert second_stream.done[-1]["messageId"] == sent["messageId"]
                first_stream.arrived.clear()
                reply = await second.call("chat:message", turn("auの場合は？", session), timeout=30)
                await asyncio.wait_for(first_stream.arrived.wait(), 15)
                assert first_stream.done[-1]["messageId"] == reply["messageId"]
                assert second.transport() == transport
                assert first.transport() == transport
        async with running_stack.client("127.0.0.29") as http:
            messages = await history(http, session)
        assert [m["role"] for m in messages] == ["user", "assistant"] * 3
        assert messages[-1]["id"] == reply["messageId"]
