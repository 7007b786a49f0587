"""The production topology on this machine (scripts/stack.sh): nginx with TLS in front of two gunicorn
instances of two workers each, PostgreSQL with pgvector and Redis with a password, driven over HTTPS."""

import asyncio
import contextlib
import os
import re
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.deploy import stack
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
    response = await http.get("/api/session/messages", headers={"x-session-token": session_id})
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


class TestInstances:
    async def test_the_rate_limit_is_shared_across_instances(self, running_stack: Stack) -> None:
        limit = 120  # STACK_RATE_LIMIT: requests per client per minute
        client = {"x-forwarded-for": "127.0.0.40"}  # believed from 127.0.0.1, a trusted proxy
        statuses: list[int] = []
        async with httpx.AsyncClient(timeout=30) as http:
            for index in range(limit + 1):
                port = 8001 if index % 2 == 0 else 8002
                response = await http.get(f"http://127.0.0.1:{port}/api/carriers", headers=client)
                statuses.append(response.status_code)
        assert statuses[:limit] == [200] * limit
        assert statuses[limit] == 429
        assert response.json()["error"]["code"] == "rate_limited"

    async def test_a_faq_written_through_one_instance_is_answered_by_the_other(
        self, running_stack: Stack
    ) -> None:
        marker = f"テスト{new_id()[:8]}"
        entry = {
            "slug": f"stack-{new_id()[:8]}",
            "category": "trouble",
            "question": "ソラマメ回線パックの解約方法を教えてください",
            "alternates": ["ソラマメ回線パックをやめたい", "ソラマメ回線パック 解約 手順"],
            "answer": f"{marker} ソラマメ回線パックは会員ページの「契約内容」から解約できます。",
            "keywords": ["ソラマメ回線パック", "解約"],
            "sources": [{"title": "テスト用の出典", "url": "https://example.jp/soramame"}],
            "asOf": "2026-11-29",
            "verification": "official",
        }
        headers = {"authorization": f"Bearer {await sign_in(running_stack, 8001)}"}
        async with httpx.AsyncClient(timeout=30) as http:
            created = await http.post("http://127.0.0.1:8001/api/admin/faqs", json=entry, headers=headers)
            assert created.status_code == 201, created.text
            answered = ""
            for _ in range(50):
                reply = await http.post(
                    "http://127.0.0.1:8002/api/chat", json={"message": "ソラマメ回線パックを解約したい"}
                )
                answered = reply.json()["reply"]["text"]
                if marker in answered:
                    break
                await asyncio.sleep(0.2)
            deleted = await http.delete(
                f"http://127.0.0.1:8001/api/admin/faqs/{entry['slug']}", headers=headers
            )
        assert marker in answered
        assert deleted.status_code == 204

    async def test_metrics_are_the_sum_of_every_worker(self, running_stack: Stack) -> None:
        sent = 60
        route = 'http_requests_total{method="GET",route="/api/carriers",status="200"}'
        forwarded = {"x-forwarded-for": "127.0.0.41"}
        async with httpx.AsyncClient(timeout=30) as http:
            before = counter(await http.get("http://127.0.0.1:8001/metrics"), route)
            for _ in range(sent):  # a new connection each: the kernel spreads them over both workers
                async with httpx.AsyncClient(timeout=30) as fresh:
                    assert (
                        await fresh.get("http://127.0.0.1:8001/api/carriers", headers=forwarded)
                    ).is_success
            readings = [counter(await http.get("http://127.0.0.1:8001/metrics"), route) for _ in range(6)]
        assert readings == [before + sent] * 6  # whichever worker answers /metrics
        workers = running_stack.workers(1)
        files = {path.name for path in (running_stack.dir / "app1" / "metrics").iterdir()}
        assert {f"counter_{pid}.db" for pid in workers} <= files


def counter(response: httpx.Response, series: str) -> float:
    assert response.status_code == 200, response.text
    for line in response.text.splitlines():
        if line.startswith(series + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def sign_in(running_stack: Stack, port: int) -> str:
    email, password = "stack-admin@example.jp", "stack-admin-password-1"
    env = {"DATABASE_URL": running_stack.database_url(), "MNP_ADMIN_PASSWORD": password}
    command = [str(stack.BIN / "mnp-chatbot"), "create-admin", "--email", email, "--update-existing"]
    await asyncio.to_thread(
        subprocess.run,
        command,
        env={**os.environ, **env},
        cwd=stack.REPO / "backend",
        check=True,
        capture_output=True,
    )
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.post(
            f"http://127.0.0.1:{port}/api/auth/login", json={"email": email, "password": password}
        )
    assert response.status_code == 200, response.text
    token: str = response.json()["accessToken"]
    return token


@dataclass
class Traffic:
    """Customers chatting through nginx, each from an address of its own, one turn at a time."""

    stack: Stack
    failures: list[str] = field(default_factory=list)
    acknowledged: dict[str, list[str]] = field(default_factory=dict)
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def customer(self, source: str) -> None:
        session: str | None = None
        async with self.stack.client(source) as http:
            while not self.stop.is_set():
                response = await http.post("/api/chat", json=turn("予約番号の有効期限は？", session))
                if response.status_code != 200:
                    self.failures.append(f"{response.status_code} {response.text[:200]}")
                else:
                    answer = response.json()
                    replies = self.acknowledged.setdefault(answer["sessionId"], [])
                    replies.append(answer["messageId"])
                    # a new conversation before the history (200 messages) no longer shows the first turns
                    session = answer["sessionId"] if len(replies) < 40 else None
                await asyncio.sleep(0.6)  # under the app's 120 a minute per customer

    @contextlib.asynccontextmanager
    async def running(self, customers: int) -> AsyncIterator["Traffic"]:
        tasks = [asyncio.create_task(self.customer(f"127.0.0.{60 + i}")) for i in range(customers)]
        try:
            yield self
        finally:
            self.stop.set()
            await asyncio.gather(*tasks)

    async def lost_turns(self) -> list[str]:
        """Acknowledged replies that are not in their conversation's history exactly once."""
        lost = []
        async with self.stack.client("127.0.0.59") as http:
            for session, replies in self.acknowledged.items():
                stored = [m["id"] for m in await history(http, session) if m["role"] == "assistant"]
                lost += [reply for reply in replies if stored.count(reply) != 1]
        return lost

    def turns(self) -> int:
        return sum(len(replies) for replies in self.acknowledged.values())


class TestRestarts:
    async def test_a_rolling_restart_under_traffic_fails_no_request_and_loses_no_turn(
        self, running_stack: Stack
    ) -> None:
        before = {n: running_stack.master_pid(n) for n in stack.INSTANCES}
        async with Traffic(running_stack).running(customers=6) as traffic:
            await asyncio.sleep(2)
            for instance in stack.INSTANCES:
                started = traffic.turns()
                await asyncio.to_thread(running_stack.restart, instance)
                await asyncio.sleep(2)
                assert traffic.turns() > started  # the traffic went on meanwhile
        assert traffic.failures == []
        assert await traffic.lost_turns() == []
        assert all(running_stack.master_pid(n) != before[n] for n in stack.INSTANCES)
        print(f"rolling restart: {traffic.turns()} turns, no failure")  # noqa: T201 - a figure for the log

    async def test_a_killed_worker_is_replaced_and_no_acknowledged_turn_is_lost(
        self, running_stack: Stack
    ) -> None:
        workers = running_stack.workers(2)
        assert len(workers) == 2
        async with Traffic(running_stack).running(customers=4) as traffic:
            await asyncio.sleep(2)
            stack.kill(workers[0])
            for _ in range(300):
                replaced = running_stack.workers(2)
                if len(replaced) == 2 and workers[0] not in replaced:
                    break
                await asyncio.sleep(0.2)
            await asyncio.to_thread(stack.wait_ready, 2)
            await asyncio.sleep(2)
        assert workers[1] in replaced
        assert len(replaced) == 2
        assert workers[0] not in replaced
        assert await traffic.lost_turns() == []
        print(f"killed worker: {traffic.turns()} turns, {len(traffic.failures)} failed")  # noqa: T201
