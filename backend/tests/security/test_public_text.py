"""Every public text input refuses what it cannot store (issue 16 item 17): control characters, lone
surrogates and invisible formatting characters get a 4xx that names the field, and no text is a 5xx.

The property-based test sends arbitrary Unicode (surrogates and controls included) to every public text
field of the running server: the REST bodies, query strings and paths, and socket.io `chat:message`.
"""

import asyncio
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import socketio
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mnp_chatbot.core import validation
from mnp_chatbot.core.config import Settings
from tests.fixtures.app import SettingsFactory
from tests.fixtures.server import ServerThread

EXAMPLES_PER_FIELD = 40
NASTY = ["\ud800", "\udfff", "\x00", "\x1b", "\x7f", "\u202e", "\u200b", "\u2066", "\t", "\r", "\n", "\x85"]
ALPHABET = st.one_of(
    st.characters(exclude_categories=()), st.sampled_from(NASTY), st.sampled_from("予約番号MNP")
)
TEXT = st.text(alphabet=ALPHABET, min_size=1, max_size=30)


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: Any


@dataclass(frozen=True, slots=True)
class Field:
    name: str  # as the error message names it
    send: Callable[["Public", str], Answer]
    multiline: bool = True  # tabs and line breaks allowed


def encoded(body: dict[str, Any]) -> bytes:
    """JSON with \\uXXXX escapes, which is how a lone surrogate travels (it has no UTF-8 form)."""
    return json.dumps(body).encode()


def in_url(text: str) -> str:
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


class Public:
    """The running server as a customer reaches it: plain HTTP and one socket.io connection."""

    def __init__(self, server: ServerThread) -> None:
        self.http = httpx.Client(base_url=server.url, timeout=20)
        self.loop = asyncio.new_event_loop()
        self.sio = socketio.AsyncClient(reconnection=False)
        self.loop.run_until_complete(self.sio.connect(server.url, transports=["websocket"]))
        first = self.post("/api/chat", {"message": "予約番号の有効期限は？"})
        self.session = first.body["sessionId"]
        self.message_id = first.body["messageId"]

    def post(self, path: str, body: dict[str, Any]) -> Answer:
        headers = {"Content-Type": "application/json"}
        response = self.http.post(path, content=encoded(body), headers=headers)
        return Answer(response.status_code, response.json())

    def get(self, path: str) -> Answer:
        response = self.http.get(path)
        return Answer(response.status_code, response.json())

    def emit(self, body: dict[str, Any]) -> Answer:
        ack = self.loop.run_until_complete(self.sio.call("chat:message", body, timeout=20))
        error = ack.get("error") if isinstance(ack, dict) else None
        return Answer(422 if error and error["code"] == "validation_error" else 200, ack)

    def close(self) -> None:
        self.loop.run_until_complete(self.sio.disconnect())
        self.loop.close()
        self.http.close()


FIELDS = [
    Field("message", lambda p, t: p.post("/api/chat", {"message": t})),
    Field("message", lambda p, t: p.post("/api/chat", {"message": t, "sessionId": p.session})),
    Field("message", lambda p, t: p.emit({"message": t})),
    Field("q", lambda p, t: p.get(f"/api/faqs/search?q={in_url(t)}"), multiline=False),
    Field("category", lambda p, t: p.get(f"/api/faqs?category={in_url(t)}"), multiline=False),
    Field("brand", lambda p, t: p.get(f"/api/faqs?brand={in_url(t)}"), multiline=False),
    Field("key", lambda p, t: p.get(f"/api/faqs/{in_url(t)}"), multiline=False),
    Field("key", lambda p, t: p.get(f"/api/carriers/{in_url(t)}"), multiline=False),
    Field(
        "comment",
        lambda p, t: p.post(
            f"/api/messages/{p.message_id}/feedback", {"rating": "down", "comment": t, "sessionId": p.session}
        ),
    ),
    Field("from", lambda p, t: p.post("/api/navigator/plan", {"from": t, "to": "au"}), multiline=False),
    Field("to", lambda p, t: p.post("/api/navigator/plan", {"from": "docomo", "to": t}), multiline=False),
]


@pytest.fixture
def public(make_settings: SettingsFactory) -> Iterator[Public]:
    settings: Settings = make_settings(
        RATE_LIMIT_MAX_REQUESTS=1_000_000,
        CHAT_RATE_LIMIT_PER_SESSION=1_000_000,
        CHAT_RATE_LIMIT_PER_ADDRESS=1_000_000,
    )
    with ServerThread(settings) as server:
        client = Public(server)
        yield client
        client.close()


def routed(field: Field, text: str) -> bool:
    """Whether the request reaches its route: a key with a slash or only dots is another path (a 404)."""
    return field.name != "key" or ("/" not in text and text.strip(".") != "")


def check_field(public: Public, field: Field) -> None:
    @given(text=TEXT)
    @example(text="\ud800")  # the reproduction: a lone surrogate was a 500 in the tokenizer
    @example(text="予約番号\x00の期限")
    @settings(
        max_examples=EXAMPLES_PER_FIELD,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def run(text: str) -> None:
        answer = field.send(public, text)
        assert answer.status < 500, (field.name, repr(text), answer.body)
        sent = text if field.multiline else text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
        if validation.refused(sent, multiline=field.multiline):
            assert 400 <= answer.status < 500, (field.name, repr(text), answer.body)
            if routed(field, sent):
                assert field.name in answer.body["error"]["message"], answer.body

    run()


def test_item17_public_text_fields_refuse_unstorable_text_and_never_5xx(public: Public) -> None:
    failures = {}
    for number, field in enumerate(FIELDS):
        try:
            check_field(public, field)
        except (Exception, BaseExceptionGroup) as error:  # check every field, report all failures
            failures[f"{number}:{field.name}"] = f"{type(error).__name__}: {str(error)[:400]}"
    assert not failures, "\n\n".join(f"{name}: {detail}" for name, detail in failures.items())


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/chat", {"message": "\ud800"}, "message"),
        ("/api/chat", {"message": "予約番号\x1b[31m"}, "message"),
        ("/api/navigator/plan", {"from": "docomo\x00", "to": "au"}, "from"),
    ],
)
async def test_item17_refused_text_is_a_422_naming_the_field(
    client: httpx.AsyncClient, path: str, body: dict[str, Any], field: str
) -> None:
    response = await client.post(path, content=encoded(body), headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["message"]


def test_item17_the_validator_is_callable_outside_pydantic() -> None:
    assert validation.check("予約番号は？\n", field="events.0.message.text") == "予約番号は？\n"
    with pytest.raises(validation.TextRefused) as refused:
        validation.check("予約\ud800", field="events.0.message.text")
    assert refused.value.status_code == 422
    assert "events.0.message.text" in refused.value.message
