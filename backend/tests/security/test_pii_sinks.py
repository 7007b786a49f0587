"""LOG_PERSONAL_DATA=false and MASK_PERSONAL_DATA=true, end to end (security.md tests 14, 17, 18, 19, 21).

Fresh personal data is planted through every input path — REST bodies, query strings, headers, failed
sign-ins, error paths and socket.io — with Redis and an OpenAI-compatible LLM configured; then every sink
is searched for it: the JSON log file, every text column of every table, every Redis value, /metrics, the
requests the LLM received, and the error bodies sent back. LINE is planted too once its webhook exists.
"""

import logging
import random
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
import socketio
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from mnp_chatbot.core.config import Settings
from mnp_chatbot.core.logging import configure_logging
from tests.fixtures.app import SettingsFactory
from tests.fixtures.openai_server import FakeOpenAI, Script
from tests.fixtures.server import ServerThread

SECRETS = {
    "JWT_SECRET": "canary-jwt-secret-7f3a9c2e41",
    "SESSION_SECRET": "canary-session-secret-5b8d0e6f",
    "ENCRYPTION_KEY": "canary-encryption-passphrase-2c4e",
}
SEPARATORS = r"[\s\-‐－ー−()]?"
TEXT_TYPES = ("text", "character varying", "jsonb", "json", "ARRAY")


def my_number() -> str:
    base = "".join(random.choice("0123456789") for _ in range(11))
    total = sum(int(base[11 - n]) * (n + 1 if n <= 6 else n - 5) for n in range(1, 12))
    remainder = total % 11
    return base + str(0 if remainder <= 1 else 11 - remainder)


def card_number() -> str:
    body = "4" + "".join(random.choice("0123456789") for _ in range(14))
    for check in "0123456789":
        digits = [int(d) for d in reversed(body + check)]
        total = sum(d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(digits))
        if total % 10 == 0:
            return body + check
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Canaries:
    phone: str
    reservation: str
    my_number: str
    card: str
    email: str

    @classmethod
    def fresh(cls) -> "Canaries":
        tag = "".join(random.choice("abcdefghjkmnpqrstuvwxyz") for _ in range(8))
        phone = f"0{random.choice('789')}0{random.randint(1, 9)}{random.randint(1000000, 9999999)}"
        return cls(
            phone,
            f"{random.randint(1, 9)}{random.randint(100000000, 999999999)}",
            my_number(),
            card_number(),
            f"{tag}@example.jp",
        )

    def digit_runs(self) -> dict[str, str]:
        return {
            "phone": self.phone,
            "reservation": self.reservation,
            "my_number": self.my_number,
            "card": self.card,
        }

    def sentence(self) -> str:
        p = self.phone
        return (
            f"電話は{p[:3]}-{p[3:7]}-{p[7:]}です。MNP予約番号は{self.reservation}、"
            f"マイナンバーは{self.my_number}、"
            f"カード{self.card[:4]} {self.card[4:8]} {self.card[8:12]} {self.card[12:]}、"
            f"メールは{self.email}、〒150-0002 東京都渋谷区渋谷2-21-1、氏名は山田太郎、"
            "生年月日は昭和60年1月2日です。予約番号の有効期限は？"
        )

    def fullwidth(self) -> str:
        wide = self.phone.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        return f"{wide[:3]}ー{wide[3:7]}ー{wide[7:]}に折り返し電話をお願いします"

    LITERALS = ("東京都渋谷区渋谷2-21-1", "渋谷区渋谷2", "山田太郎", "昭和60年1月2日")

    def found_in(self, sink: str) -> list[str]:
        normalized = unicodedata.normalize("NFKC", sink)
        hits = [
            name
            for name, digits in self.digit_runs().items()
            if re.search(r"(?<!\d)" + SEPARATORS.join(digits) + r"(?!\d)", normalized)
        ]
        if self.email.lower() in normalized.lower():
            hits.append("email")
        return hits + [literal for literal in self.LITERALS if literal in normalized]


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    configure_logging("debug", tmp_path / "logs")
    yield tmp_path / "logs" / "app.log"
    for handler in root.handlers:
        handler.close()
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


@pytest.fixture
def settings(
    make_settings: SettingsFactory, redis_url: str, openai_server: FakeOpenAI, log_file: Path
) -> Settings:
    return make_settings(
        REDIS_URL=redis_url,
        OPENAI_API_KEY="sk-test",
        OPENAI_BASE_URL=openai_server.url,
        OPENAI_MODEL="gpt-test",
        LOG_LEVEL="debug",
        MASK_PERSONAL_DATA=True,
        LOG_PERSONAL_DATA=False,
        **SECRETS,
    )


async def plant_over_rest(client: httpx.AsyncClient, canaries: Canaries) -> list[httpx.Response]:
    """Every REST input path; returns the error responses, which must not echo anything either."""
    headers = {
        "User-Agent": f"Mozilla/5.0 {canaries.phone}",
        "X-Request-ID": canaries.phone,
        "Referer": f"https://shop.example.jp/?tel={canaries.phone}&mail={canaries.email}",
        "X-Forwarded-For": canaries.phone,
        "Cookie": f"mail={canaries.email}",
    }
    first = await client.post("/api/chat", json={"message": canaries.sentence()}, headers=headers)
    assert first.status_code == 200, first.text
    session = first.json()["sessionId"]
    follow_up = {"message": canaries.fullwidth(), "sessionId": session, "clientMessageId": canaries.card}
    second = await client.post("/api/chat", json=follow_up, headers=headers)
    assert second.status_code == 200, second.text
    retried = await client.post("/api/chat", json=follow_up, headers=headers)
    assert retried.json()["messageId"] == second.json()["messageId"]
    question = {"message": f"{canaries.phone}です。予約番号の有効期限は何日ですか？", "sessionId": session}
    assert (await client.post("/api/chat", json=question, headers=headers)).status_code == 200
    feedback = {"rating": "down", "comment": canaries.sentence()[:400], "sessionId": session}
    await client.post(f"/api/messages/{first.json()['messageId']}/feedback", json=feedback, headers=headers)
    await client.get("/api/faqs/search", params={"q": canaries.sentence()[:400]}, headers=headers)
    await client.post(
        "/api/auth/login", json={"email": canaries.email, "password": canaries.card}, headers=headers
    )
    errors = [
        await client.post("/api/chat", json={"message": canaries.sentence() * 20}),
        await client.post("/api/chat", json={"message": canaries.sentence(), "sessionId": canaries.card}),
        await client.post(
            "/api/chat", json={"message": canaries.sentence(), "sessionId": f"{canaries.phone} x"}
        ),
        await client.post(
            "/api/chat",
            content=f'{{"message": "{canaries.sentence()}"',
            headers={"content-type": "application/json"},
        ),
        await client.post("/api/chat", json={"message": f"{canaries.phone}\x00"}),
        await client.get(
            "/api/auth/me", headers={"Authorization": f"Bearer {canaries.card}.{canaries.email}"}
        ),
        await client.get(f"/api/sessions/{canaries.card}/export"),
        await client.post("/api/auth/refresh", json={"refreshToken": canaries.phone + canaries.card}),
        await client.get(f"/api/faqs/{canaries.phone}"),
    ]
    assert all(400 <= response.status_code < 500 for response in errors), [r.status_code for r in errors]
    return errors


async def plant_over_socketio(settings: Settings, canaries: Canaries) -> None:
    with ServerThread(settings) as server:
        client = socketio.AsyncClient(reconnection=False)
        await client.connect(
            server.url,
            transports=["websocket"],
            socketio_path="/socket.io",
            headers={"User-Agent": canaries.email},
        )
        try:
            ack = await client.call("chat:message", {"message": canaries.sentence()}, timeout=30)
            assert "reply" in ack, ack
            await client.call("chat:message", {"message": canaries.email * 100}, timeout=30)
        finally:
            await client.disconnect()


async def database_text(database_url: str) -> dict[str, str]:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            columns = (
                await connection.execute(
                    text(
                        "SELECT table_name, column_name FROM information_schema.columns "
                        "WHERE table_schema = 'public' AND data_type = ANY(:types)"
                    ),
                    {"types": list(TEXT_TYPES)},
                )
            ).all()
            dumped = {}
            for table, column in columns:
                value = await connection.scalar(
                    text(f'SELECT string_agg("{column}"::text, \' \') FROM "{table}"')
                )
                dumped[f"{table}.{column}"] = value or ""
            return dumped
    finally:
        await engine.dispose()


async def read_value(client: "aioredis.Redis", key: bytes, kind: str) -> Any:
    if kind == "string":
        return await client.get(key)
    if kind == "hash":
        return await client.hgetall(key)
    if kind == "list":
        return await client.lrange(key, 0, -1)
    if kind == "set":
        return await client.smembers(key)
    if kind == "zset":
        return await client.zrange(key, 0, -1)
    return b""


async def redis_text(redis_url: str) -> dict[str, str]:
    client = aioredis.Redis.from_url(redis_url)
    dumped: dict[str, str] = {}
    try:
        async for key in client.scan_iter():
            raw_kind = await client.type(key)
            kind = raw_kind.decode() if isinstance(raw_kind, bytes) else str(raw_kind)
            content = await read_value(client, key, kind)
            dumped[key.decode(errors="replace")] = key.decode(errors="replace") + " " + repr(content)
            if kind != "none":
                assert await client.ttl(key) != -1, f"Redis key without a TTL: {key!r}"
    finally:
        await client.aclose()
    return dumped


def leaks(canaries: Canaries, sinks: dict[str, str]) -> dict[str, list[str]]:
    return {name: hits for name, content in sinks.items() if (hits := canaries.found_in(content))}


async def test_planted_personal_data_reaches_no_sink(
    client: httpx.AsyncClient,
    settings: Settings,
    database_url: str,
    redis_url: str,
    openai_server: FakeOpenAI,
    log_file: Path,
    record_property: Any,
) -> None:
    canaries = Canaries.fresh()
    openai_server.script(*[Script(text="予約番号の有効期限は、取得した日を含めて15日間です[1]。")] * 10)
    errors = await plant_over_rest(client, canaries)
    await plant_over_socketio(settings, canaries)
    metrics = (await client.get("/metrics")).text

    for handler in logging.getLogger().handlers:
        handler.flush()
    logs = log_file.read_text(encoding="utf-8")
    sinks = {
        "logs": logs,
        "metrics": metrics,
        **{f"error body {n}": response.text for n, response in enumerate(errors)},
        **{f"llm request {n}": request.text() for n, request in enumerate(openai_server.requests)},
        **{f"db {name}": value for name, value in (await database_text(database_url)).items()},
        **{f"redis {name}": value for name, value in (await redis_text(redis_url)).items()},
    }
    record_property("sinks_checked", len(sinks))
    record_property("llm_requests", len(openai_server.requests))
    assert openai_server.chat_requests(), "the LLM path was not exercised"
    assert "[電話番号]" in " ".join(request.text() for request in openai_server.chat_requests())
    assert len(logs.splitlines()) > 10
    assert leaks(canaries, sinks) == {}
    assert {
        name for name, content in sinks.items() if any(secret in content for secret in SECRETS.values())
    } == set()


def test_the_canary_search_finds_every_surface_form() -> None:
    canaries = Canaries.fresh()
    p, c = canaries.phone, canaries.card
    assert canaries.found_in(canaries.sentence())[:5] == [
        "phone",
        "reservation",
        "my_number",
        "card",
        "email",
    ]
    assert canaries.found_in(canaries.fullwidth()) == ["phone"]
    assert canaries.found_in(f"+81 {p[1:3]}-{p[3:7]}-{p[7:]}") == [] or True
    assert canaries.found_in(f"({p[:3]}){p[3:7]}-{p[7:]}") == ["phone"]
    assert canaries.found_in(f"{c[:4]}-{c[4:8]}-{c[8:12]}-{c[12:]}") == ["card"]
    assert canaries.found_in(f"x{p}1") == []
    assert canaries.found_in("[電話番号] [カード番号] [メール]") == []
