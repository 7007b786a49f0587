"""`POST /api/chat`, the hottest request, answered by a pure ASGI endpoint instead of FastAPI's router.

It sits inside every security middleware (headers, request id and access log, CORS, rate limit, console
gate, body-size limit), so the request is limited, logged and answered with the same headers as before.
What it skips is the framework's per-request work for this one route: route matching over every router,
the dependency solver, parsing the body twice (stdlib JSON, then validation) and rendering it again.

Only a well-formed request is answered here: `Content-Type: application/json` and a body that validates
as `ChatRequest` (pydantic's own JSON parser). Anything else, a wrong content type, broken JSON, a field
that fails validation, goes on to the FastAPI route `chat/router.py:post_chat` with its body replayed, so
every refusal keeps the exact status, code and message the route has always given. The route also keeps
documenting the endpoint in the OpenAPI document.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from pydantic import ValidationError
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mnp_chatbot import container
from mnp_chatbot.chat.dependencies import get_chat_service
from mnp_chatbot.chat.router import inbound_of, response_of
from mnp_chatbot.chat.schemas import ChatRequest
from mnp_chatbot.chat.service import ChatService
from mnp_chatbot.core.errors import AppError
from mnp_chatbot.core.unavailable import is_unavailable, unavailable_response

PATH = "/api/chat"
JSON_HEADERS = [(b"content-type", b"application/json")]
ChatServiceOf = Callable[[container.Services], Awaitable[ChatService]]


@dataclass(frozen=True, slots=True)
class Route:
    """What the access log and metrics read of a matched route (`scope["route"].path`)."""

    path: str


ROUTE = Route(PATH)


def _is_json(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"content-type":
            media_type: bytes = value.split(b";", 1)[0].strip().lower()
            return media_type == b"application/json"
    return False


class ChatEndpoint:
    """Answers a well-formed `POST /api/chat` itself; everything else goes on to `app`."""

    def __init__(self, app: ASGIApp, *, chat_service: ChatServiceOf = get_chat_service) -> None:
        self.app = app
        self.chat_service = chat_service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        ours = scope["type"] == "http" and scope["path"] == PATH and scope["method"] == "POST"
        if not ours or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        try:
            messages = await _read(receive)
        except AppError as error:  # the body-size limit
            await _send(send, error.status_code, error.body(), error.headers)
            return
        body = b"".join(message.get("body", b"") for message in messages)
        try:
            request = ChatRequest.model_validate_json(body) if body else None
        except ValidationError:
            request = None
        if request is None or messages[-1]["type"] != "http.request":
            await self.app(scope, _replay(messages, receive), send)
            return
        await self._answer(scope, request, send)

    async def _answer(self, scope: Scope, request: ChatRequest, send: Send) -> None:
        scope["route"] = ROUTE
        try:
            services = container.services_of(scope.get("state"))
            if services is None:
                raise container.ServicesMissing()
            chat = await self.chat_service(services)
            result = await chat.reply(inbound_of(request))
        except AppError as error:
            await _send(send, error.status_code, error.body(), error.headers)
            return
        except Exception as error:
            if not is_unavailable(error):
                raise
            response = unavailable_response(error)
            await send({"type": "http.response.start", "status": 503, "headers": response.raw_headers})
            await send({"type": "http.response.body", "body": response.body})
            return
        content = response_of(result).model_dump_json(by_alias=True).encode()
        headers = [(b"content-length", str(len(content)).encode()), *JSON_HEADERS]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": content})


async def _read(receive: Receive) -> list[Message]:
    """The request's messages up to the end of its body (or a disconnect)."""
    messages = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body", False):
            return messages


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay


async def _send(send: Send, status: int, body: object, headers: dict[str, str] | None) -> None:
    """An error in the one error shape, rendered as the app's exception handlers render it."""
    response = JSONResponse(body, status_code=status, headers=headers)
    await send({"type": "http.response.start", "status": status, "headers": response.raw_headers})
    await send({"type": "http.response.body", "body": response.body})
