"""The customers of `make bench-load`, as locust users (a locustfile: `locust -f scripts/load/scenario.py`).

A `Customer` (HTTP, 9 in 10) opens a session with a question from the development sets, asks one or two
follow-ups in it (brand or channel changes, another question), sometimes rates an answer, runs the
乗り換えナビ plan, reads the history back, and now and then asks for a person (hand-off request, status, and
a cancel as most customers who asked do when the bot's answer arrives). A `StreamingCustomer` (1 in 10)
does the same conversation over socket.io (WebSocket), timing each turn from `chat:message` to its ack.
Customers think between requests (`THINK_SECONDS`).

Every customer comes from its own loopback address (127.1.x.y; Linux routes all of 127/8 to lo): nginx's
flood guard and the app's per-client limits then see many clients, as in production, not one address that
they would refuse. nginx is the edge (X-Forwarded-For is the peer), so the address must be the real source.
"""

import itertools
import json
import os
import random
import socket
import ssl
import time
import uuid
from pathlib import Path
from typing import Any

import gevent.local
import socketio
from geventhttpclient.connectionpool import ConnectionPool
from locust import FastHttpUser, User, between, task

BACKEND = Path(__file__).resolve().parents[2]
QUESTION_SETS = [
    BACKEND.parents[1] / "shared" / "eval" / "dev.jsonl",
    *sorted((BACKEND / "eval").glob("*.jsonl")),
]
THINK_SECONDS = (0.2, 1.0)
FOLLOW_UPS = [
    "じゃあauの場合は？",
    "お店でも同じ？",
    "ドコモの予約番号は？",
    "手数料はかかる？",
    "eSIMでもできる？",
]
HANDOFF = "オペレーターと話したい"
BRANDS = ["docomo", "au", "softbank", "ymobile", "uq_mobile", "ahamo", "povo", "linemo", "rakuten", "mineo"]
ONLINE_ONLY = {"ahamo", "povo", "linemo"}  # a shop application to these is refused (422), as the app should


def questions() -> list[str]:
    found: list[str] = []
    for path in QUESTION_SETS:
        if path.exists():
            found += [
                json.loads(line)["q"]
                for line in path.read_text(encoding="utf-8").splitlines()
                if line.strip()
            ]
    return list(dict.fromkeys(found)) or ["予約番号の有効期限は？"]


QUESTIONS = questions()
_addresses = itertools.count()
_source = gevent.local.local()


def next_address() -> str:
    """A loopback address of its own for each customer: 127.1.0.1, 127.1.0.2, … (never 127.0.0.1: trusted)."""
    n = next(_addresses)
    return f"127.1.{n // 250 % 250}.{n % 250 + 1}"


# geventhttpclient has no source-address setting: its pool's socket is bound to the customer's address
# (kept greenlet-local: a locust user runs in its own greenlet) before it connects.
_create_tcp_socket = ConnectionPool._create_tcp_socket


def _bound_tcp_socket(self: ConnectionPool, family: int, socktype: int, protocol: int) -> Any:
    sock = _create_tcp_socket(self, family, socktype, protocol)
    address = getattr(_source, "address", None)
    if address is not None:
        sock.bind((address, 0))
    return sock


ConnectionPool._create_tcp_socket = _bound_tcp_socket  # type: ignore[method-assign]


def turn(message: str, session: str | None) -> dict[str, str]:
    body = {"message": message, "clientMessageId": uuid.uuid4().hex}
    return body if session is None else {**body, "sessionId": session}


def plan_body() -> dict[str, str]:
    origin, target = random.sample(BRANDS, 2)
    channel = "online" if target in ONLINE_ONLY else random.choice(["online", "shop"])
    return {"from": origin, "to": target, "channel": channel}


def think(user: User) -> None:
    user.wait()  # type: ignore[no-untyped-call]


class Customer(FastHttpUser):
    weight = 9
    wait_time = between(*THINK_SECONDS)
    insecure = True  # the stack's self-signed certificate
    network_timeout = 30.0
    connection_timeout = 10.0

    def on_start(self) -> None:
        _source.address = next_address()

    def chat(self, message: str, session: str | None, name: str) -> dict[str, Any] | None:
        with self.client.post(
            "/api/chat", json=turn(message, session), name=name, catch_response=True
        ) as reply:
            if reply.status_code != 200:
                reply.failure(f"status {reply.status_code}")
                return None
            body: dict[str, Any] = reply.json()
            return body

    @task
    def conversation(self) -> None:
        first = self.chat(random.choice(QUESTIONS), None, "chat: new session")
        if first is None:
            return
        session: str = first["sessionId"]
        rateable = [first] if (first.get("reply") or {}).get("rateable") else []
        for follow_up in range(random.choice([0, 1, 1, 2])):
            think(self)
            text = random.choice(FOLLOW_UPS) if follow_up == 0 else random.choice(QUESTIONS)
            answer = self.chat(text, session, "chat: follow-up")
            if answer is not None and (answer.get("reply") or {}).get("rateable"):
                rateable.append(answer)
        if rateable and random.random() < 0.3:
            think(self)
            message = random.choice(rateable)["messageId"]
            rating = {"rating": random.choice(["up", "up", "down"]), "sessionId": session}
            self.client.post(f"/api/messages/{message}/feedback", json=rating, name="feedback")
        if random.random() < 0.2:
            think(self)
            self.client.post("/api/navigator/plan", json=plan_body(), name="navigator plan")
        if random.random() < 0.1:
            think(self)
            self.client.get("/api/session/messages", headers={"X-Session-Token": session}, name="history")
        if random.random() < 0.02:
            self.hand_off(session)

    def hand_off(self, session: str) -> None:
        think(self)
        self.chat(HANDOFF, session, "chat: hand-off request")
        think(self)
        self.client.post("/api/handoff/status", json={"sessionId": session}, name="hand-off status")
        if random.random() < 0.8:
            think(self)
            self.client.post("/api/handoff/cancel", json={"sessionId": session}, name="hand-off cancel")


class StreamingCustomer(User):
    """The same conversation over socket.io: a WebSocket through nginx to the worker that holds it."""

    weight = 1
    wait_time = between(*THINK_SECONDS)

    def on_start(self) -> None:
        self.address = next_address()

    def connected(self) -> socketio.Client:
        host = self.host or ""
        parsed = host.removeprefix("https://").split(":")
        port = int(parsed[1]) if len(parsed) > 1 else 443
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        raw = socket.create_connection((parsed[0], port), timeout=10, source_address=(self.address, 0))
        wrapped = context.wrap_socket(raw, server_hostname=parsed[0])
        client = socketio.Client(
            reconnection=False, ssl_verify=False, websocket_extra_options={"socket": wrapped}
        )
        client.connect(host, transports=["websocket"], socketio_path="socket.io", wait_timeout=10)
        return client

    def measure(self, name: str, started: float, answer: Any, error: Exception | None = None) -> None:
        failed = error
        if failed is None and not (isinstance(answer, dict) and "sessionId" in answer):
            failed = RuntimeError(f"no chat:done ack: {str(answer)[:200]}")
        self.environment.events.request.fire(
            request_type="WS",
            name=name,
            response_time=(time.perf_counter() - started) * 1000,
            response_length=len(json.dumps(answer, ensure_ascii=False)) if answer else 0,
            exception=failed,
            context={},
        )

    @task
    def conversation(self) -> None:
        started = time.perf_counter()
        try:
            client = self.connected()
        except Exception as error:  # every failure to connect counts
            self.measure("socket.io connect", started, {"sessionId": ""}, error)
            return
        self.measure("socket.io connect", started, {"sessionId": ""})
        try:
            session: str | None = None
            for message in [random.choice(QUESTIONS), *random.sample(FOLLOW_UPS, random.choice([0, 1, 2]))]:
                started = time.perf_counter()
                try:
                    answer = client.call("chat:message", turn(message, session), timeout=30)
                except Exception as error:  # a timeout or a dropped connection
                    self.measure("socket.io chat turn", started, None, error)
                    return
                self.measure("socket.io chat turn", started, answer)
                if not isinstance(answer, dict) or "sessionId" not in answer:
                    return
                session = answer["sessionId"]
                think(self)
        finally:
            client.disconnect()


class Trivial(FastHttpUser):
    """The baseline: `GET /health/live` as fast as the customer's client can, at the same concurrency."""

    wait_time = between(0, 0)
    insecure = True

    def on_start(self) -> None:
        _source.address = next_address()

    @task
    def live(self) -> None:
        self.client.get("/health/live", name="trivial /health/live")


def user_classes(kind: str) -> list[type[User]]:
    return [Trivial] if kind == "trivial" else [Customer, StreamingCustomer]


# `locust -f scripts/load/scenario.py` runs every user class of the file: the customers, or with
# MNP_LOAD_KIND=trivial the baseline alone.
for _user in (Customer, StreamingCustomer, Trivial):
    _user.abstract = _user not in user_classes(os.environ.get("MNP_LOAD_KIND", "customers"))
