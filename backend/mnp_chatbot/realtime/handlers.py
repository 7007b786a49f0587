"""socket.io events: `chat:message` and `chat:resync` in;
`chat:start`, `chat:delta`, `chat:reset`, `chat:done` and `chat:error` out.

Every event of a conversation goes to the room named after its session, so a customer's other tabs and
other replicas (through the Redis manager) see the same stream. `chat:message` and `chat:resync` spend the
chat budget (per conversation, and per client address under a higher ceiling); a resync joins a
conversation's room only for a well-formed token of a known session. A connection beyond
SOCKETIO_MAX_CONNECTIONS_PER_ADDRESS from one client address is refused.
"""

import re
import uuid
from typing import Any

import socketio
from pydantic import ValidationError

from mnp_chatbot.chat.events import AnswerDelta, AnswerDone, AnswerReset, AnswerStarted
from mnp_chatbot.chat.models import ChannelName
from mnp_chatbot.chat.router import history_of, response_of
from mnp_chatbot.chat.schemas import ChatRequest
from mnp_chatbot.chat.service import Inbound
from mnp_chatbot.chat.tokens import TOKEN_PATTERN, token_hash
from mnp_chatbot.core.errors import AppError, ValidationFailed, error_body
from mnp_chatbot.core.field_errors import message_of
from mnp_chatbot.core.logging import get_logger
from mnp_chatbot.core.unavailable import ServiceUnavailable, is_unavailable
from mnp_chatbot.realtime.server import Realtime

log = get_logger(__name__)
TOKEN = re.compile(TOKEN_PATTERN)


def room_of(session_token: str) -> str:
    return "conversation:" + token_hash(session_token, b"room")[:32]


def customer_room(conversation_id: uuid.UUID) -> str:
    """The customer's pages of one conversation, for what the human side sends them."""
    return f"customer:{conversation_id}"


def _invalid(error: ValidationError) -> dict[str, Any]:
    details = error.errors()
    field = ".".join(str(part) for part in details[0]["loc"]) if details else "body"
    reason = message_of(details[0]) if details else "値が正しくありません"
    message = f"入力内容に誤りがあります（{field}: {reason}）。"
    return error_body(ValidationFailed.code, message)


def _session_of(data: Any) -> str | None:
    token = data.get("sessionId") if isinstance(data, dict) else None
    return token if isinstance(token, str) and token else None


async def _limited(realtime: Realtime, sid: str, data: Any) -> dict[str, Any] | None:
    """The rate-limit error when the conversation or its client is over budget (the hit is counted)."""
    if realtime.message_limiter is None:
        return None
    environ = realtime.sio.get_environ(sid)
    verdict = await realtime.message_limiter.hit(environ, session=_session_of(data), connection=sid)
    if verdict.allowed:
        return None
    return {**verdict.error().body(), "retryAfter": verdict.retry_after}


def register(realtime: Realtime) -> None:
    sio = realtime.sio

    @sio.event  # type: ignore[untyped-decorator]
    async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        limiter = realtime.message_limiter
        key = limiter.key(environ) if limiter is not None else "all"
        if not realtime.connections.admit(sid, key):
            log.warning("realtime.connection_refused", reason="too_many_connections")
            raise socketio.exceptions.ConnectionRefusedError("too_many_connections")

    @sio.event  # type: ignore[untyped-decorator]
    async def disconnect(sid: str, reason: Any = None) -> None:
        realtime.connections.release(sid)

    @sio.on("chat:message")  # type: ignore[untyped-decorator]
    async def on_message(sid: str, data: Any) -> dict[str, Any]:
        limited = await _limited(realtime, sid, data)
        if limited is not None:
            await sio.emit("chat:error", limited, to=sid)
            return limited
        try:
            body = ChatRequest.model_validate(data if isinstance(data, dict) else {})
        except ValidationError as error:
            await sio.emit("chat:error", _invalid(error), to=sid)
            return _invalid(error)
        assert realtime.chat is not None
        inbound = Inbound(body.message, body.session_id, body.client_message_id, ChannelName(body.channel))
        try:
            with realtime.turns.track():
                return await _stream(realtime, sid, inbound)
        except AppError as error:
            await sio.emit("chat:error", error.body(), to=sid)
            return error.body()
        except Exception as error:
            if not is_unavailable(error):
                raise
            log.warning("realtime.dependency_unavailable", error=type(error).__name__)
            unavailable = ServiceUnavailable().body()
            await sio.emit("chat:error", unavailable, to=sid)
            return unavailable

    @sio.on("chat:resync")  # type: ignore[untyped-decorator]
    async def on_resync(sid: str, data: Any) -> dict[str, Any]:
        limited = await _limited(realtime, sid, data)
        if limited is not None:
            return limited
        token = data.get("sessionId") if isinstance(data, dict) else None
        if not isinstance(token, str) or not TOKEN.fullmatch(token):
            return error_body(ValidationFailed.code, "sessionId の形式が正しくありません。")
        assert realtime.chat is not None
        try:
            history = await realtime.chat.history(token)
        except AppError as error:
            return error.body()
        except Exception as error:
            if not is_unavailable(error):
                raise
            return ServiceUnavailable().body()
        await sio.enter_room(sid, room_of(token))
        await sio.enter_room(sid, customer_room(history.conversation_id))
        return history_of(token, history).model_dump(mode="json", by_alias=True)


async def _stream(realtime: Realtime, sid: str, inbound: Inbound) -> dict[str, Any]:
    sio = realtime.sio
    assert realtime.chat is not None
    room = room_of(inbound.session_token) if inbound.session_token else None
    async for event in realtime.chat.stream(inbound):
        if isinstance(event, AnswerStarted):
            room = room_of(event.session_token)
            await sio.enter_room(sid, room)
            await sio.emit("chat:start", {"sessionId": event.session_token}, room=room)
        elif isinstance(event, AnswerDelta):
            await sio.emit("chat:delta", {"text": event.text}, room=room)
        elif isinstance(event, AnswerReset):
            await sio.emit("chat:reset", {}, room=room)
        elif isinstance(event, AnswerDone):
            done = response_of(event.result).model_dump(mode="json", by_alias=True)
            await sio.enter_room(sid, room_of(event.result.session_token))
            if event.result.conversation_id is not None:
                await sio.enter_room(sid, customer_room(event.result.conversation_id))
            await sio.emit("chat:done", done, room=room_of(event.result.session_token))
            return done
    raise RuntimeError("the chat stream ended without a result")
