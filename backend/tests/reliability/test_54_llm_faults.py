"""security.md test 54, fault by fault: the LLM endpoint is slow, hangs, cuts its stream, answers with
something that is not a completion stream, or rate-limits with Retry-After. Through the real AsyncOpenAI
client against the fake OpenAI server, with the app served by uvicorn on loopback:

- every customer (HTTP and socket.io) gets the curated answer, with the fact, before the chat page's own
  20 s acknowledgement timeout, and never a 5xx; a socket.io customer who saw the model's first words sees
  them withdrawn (`chat:reset`) and the curated answer in their place;
- each turn is stored exactly once, and sending it again returns the stored reply;
- the breaker opens after the threshold: later turns are curated at once, with no call to the provider;
- no turn costs more than 3 provider calls;
- when the endpoint heals, the breaker closes after its cooldown and the model answers again.

The limits are the production ones (llm/openai.py), so a hang costs its real 15 s.
"""

import asyncio
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import socketio

from mnp_chatbot.llm.openai import TOTAL_TIMEOUT
from tests.fixtures.app import SettingsFactory
from tests.fixtures.openai_server import QUOTA_BODY, RATE_LIMIT_BODY, FakeOpenAI, Script, chunk
from tests.fixtures.server import ServerThread
from tests.reliability.support import Turn, durability, new_id

THRESHOLD = 3
COOLDOWN = 3.0
CLIENT_TIMEOUT = 20.0  # the chat page gives up on an unacknowledged turn after this (useChat.ts)
QUESTION = "予約番号の有効期限は何日ですか？"
FACT = "15日"
HEALED = "予約番号の有効期限は、取得した日を含めて15日間です[1]。"
WRONG = ["予約番号の", "有効期限は", "30日間です", "[1]。"]  # what a broken model began to say
# The right answer, too slow: a piece every 4 s (within the 6 s pause allowed), the last after the deadline
TRICKLE = ["予約番号の", "有効期限は、", "取得した日を", "含めて", "15日間です[1]。"]
FAST_TURN = 5.0  # a turn that calls no provider; generous for a shared 2-core machine under load
NO_EMBEDDINGS = Script(status=503)  # ranking stays lexical: the fake's vectors carry no meaning


def sse(data: Any) -> bytes:
    return f"data: {data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)}\n\n".encode()


FIRST_WORDS = sse(chunk("gpt-test", {"content": "予約番号の"}))
DONE = b"data: [DONE]\n\n"
FAULTS: dict[str, Script] = {
    "slow": Script(chunks=TRICKLE, chunk_delay=4.0),
    "hanging": Script(hang=True),
    "cut after text": Script(chunks=WRONG, drop_after=1),
    "cut before text": Script(chunks=WRONG, drop_after=0),
    "invalid JSON": Script(raw=sse("{not json") + DONE),
    "invalid JSON after text": Script(raw=FIRST_WORDS + sse('{"choices": [') + DONE),
    "missing fields": Script(raw=sse({"id": "x", "choices": [{"index": 0}]}) + DONE),
    "wrong content type": Script(raw=b"<html><body>502 Bad Gateway</body></html>", content_type="text/html"),
    "429 Retry-After 1": Script(status=429, body=RATE_LIMIT_BODY, headers={"Retry-After": "1"}),
    "429 Retry-After 60": Script(status=429, body=RATE_LIMIT_BODY, headers={"Retry-After": "60"}),
    "429 insufficient_quota": Script(status=429, body=QUOTA_BODY),
}


@pytest.fixture
def server(
    make_settings: SettingsFactory, redis_url: str, openai_server: FakeOpenAI
) -> Iterator[ServerThread]:
    openai_server.reset(embeddings=NO_EMBEDDINGS)
    settings = make_settings(
        OPENAI_API_KEY="sk-test",
        OPENAI_BASE_URL=openai_server.url,
        OPENAI_MODEL="gpt-test",
        REDIS_URL=redis_url,
        LLM_BREAKER_THRESHOLD=THRESHOLD,
        LLM_BREAKER_COOLDOWN_SECONDS=COOLDOWN,
        RATE_LIMIT_MAX_REQUESTS=100_000,
    )
    with ServerThread(settings) as running:
        yield running


@dataclass
class Answer:
    turn: Turn
    reply: dict[str, Any]
    seconds: float
    shown: str = ""  # what a socket.io customer's screen shows at the end
    events: list[str] = field(default_factory=list)


async def over_http(http: httpx.AsyncClient) -> Answer:
    client_id = new_id()
    started = time.monotonic()
    response = await http.post("/api/chat", json={"message": QUESTION, "clientMessageId": client_id})
    seconds = time.monotonic() - started
    assert response.status_code == 200, response.text  # never a 5xx, nor any error
    body = response.json()
    return Answer(Turn(body["sessionId"], client_id, body["messageId"]), body["reply"], seconds)


async def over_socket(url: str) -> Answer:
    """One turn as the chat page sends it; what its screen shows once `chat:done` arrives."""
    names: list[str] = []
    shown = ""
    done = asyncio.Event()
    client = socketio.AsyncClient(reconnection=False)

    def record(name: str, data: Any) -> None:
        nonlocal shown
        names.append(name)
        if name == "chat:reset":
            shown = ""
        elif name == "chat:delta":
            shown += data["text"]
        elif name in ("chat:done", "chat:error"):
            done.set()

    for name in ("chat:start", "chat:delta", "chat:reset", "chat:done", "chat:error"):
        client.on(name, lambda data, name=name: record(name, data))
    await client.connect(url, transports=["websocket"], socketio_path="/socket.io", wait_timeout=10)
    client_id = new_id()
    started = time.monotonic()
    try:
        ack = await client.call(
            "chat:message", {"message": QUESTION, "clientMessageId": client_id}, timeout=CLIENT_TIMEOUT
        )
        seconds = time.monotonic() - started
        await asyncio.wait_for(done.wait(), 5)
    finally:
        await client.disconnect()
    assert "error" not in ack, ack
    return Answer(Turn(ack["sessionId"], client_id, ack["messageId"]), ack["reply"], seconds, shown, names)


def assert_curated(answer: Answer) -> None:
    assert answer.reply["mode"] == "faq", answer.reply
    assert FACT in answer.reply["text"]
    assert "30日" not in answer.reply["text"]
    assert answer.seconds < CLIENT_TIMEOUT
    if answer.events:  # socket.io: the screen ends with exactly the stored answer
        assert answer.events[-1] == "chat:done"
        assert answer.shown == answer.reply["text"]


@pytest.mark.parametrize("fault", FAULTS.values(), ids=FAULTS.keys())
async def test_54_a_faulty_llm_gives_curated_answers_in_time_opens_the_breaker_and_recovers(
    server: ServerThread, openai_server: FakeOpenAI, database_url: str, fault: Script
) -> None:
    openai_server.reset(fault, embeddings=NO_EMBEDDINGS)
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        # THRESHOLD customers at once, one of them on socket.io: each failure counts towards the breaker
        failing = await asyncio.gather(
            *(over_http(http) for _ in range(THRESHOLD - 1)), over_socket(server.url)
        )
        for answer in failing:
            assert_curated(answer)
        assert max(answer.seconds for answer in failing) < TOTAL_TIMEOUT + 3
        calls = len(openai_server.chat_requests())
        assert THRESHOLD <= calls <= 3 * THRESHOLD  # at most 3 provider calls per turn

        # The breaker is open: curated at once, the provider is not called
        fast = [await over_http(http), await over_socket(server.url)]
        for answer in fast:
            assert_curated(answer)
            assert answer.seconds < FAST_TURN
        assert len(openai_server.chat_requests()) == calls

        # Sent again (a client retry), a turn is answered from the store, not a second time
        again = failing[0].turn
        body = {"message": QUESTION, "clientMessageId": again.client_message_id, "sessionId": again.session}
        repeated = await http.post("/api/chat", json=body)
        assert repeated.status_code == 200
        assert repeated.json()["messageId"] == again.reply_id

        # The endpoint heals: after the cooldown one trial closes the breaker, and the model answers again
        openai_server.reset(Script(text=HEALED), embeddings=NO_EMBEDDINGS)
        await asyncio.sleep(COOLDOWN + 0.5)
        healed = None
        for _ in range(20):
            answer = await over_http(http)
            if answer.reply["mode"] == "llm":
                healed = answer
                break
            await asyncio.sleep(0.5)
        assert healed is not None, "the breaker did not close after the endpoint healed"
        assert healed.reply["text"] == HEALED
        streamed = await over_socket(server.url)
        assert streamed.reply["mode"] == "llm"
        assert streamed.shown == HEALED

    turns = [answer.turn for answer in [*failing, *fast, healed, streamed]]
    report = await durability(database_url, turns)
    assert report == {"acknowledged": len(turns), "lost": 0, "twice": 0, "unanswered_questions": 0}
