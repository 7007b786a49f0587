"""socket.io for the hand-off. Operators: `operator:join` {token} (an access token) puts the socket in the
operators' room, `operator:heartbeat` keeps their presence, `operator:typing` {handoffId}; they receive
`handoff:queue`, `handoff:message`, `handoff:typing`, `handoff:callback`, `handoff:presence`. Customers:
`chat:typing` {sessionId}; they receive `chat:operator`, `chat:handoff` and `chat:typing`.

Events go through the Redis manager when REDIS_URL is set, so a console on one replica sees a customer on
another.
"""

import time
import uuid
from typing import Any

import socketio

from mnp_chatbot.auth.models import UserRole
from mnp_chatbot.core.errors import AppError, ValidationFailed, error_body
from mnp_chatbot.core.logging import get_logger
from mnp_chatbot.handoff.service import HandoffService, Outbound
from mnp_chatbot.realtime.handlers import customer_room
from mnp_chatbot.realtime.server import Realtime

log = get_logger(__name__)
OPERATORS_ROOM = "operators"
TYPING_EVERY_SECONDS = 2.0
STAFF = (UserRole.ADMIN.value, UserRole.OPERATOR.value)


class SocketPublisher:
    """The hand-off's Publisher over socket.io rooms."""

    def __init__(self, sio: socketio.AsyncServer) -> None:
        self.sio = sio

    async def to_operators(self, event: str, payload: dict[str, Any]) -> None:
        await self.sio.emit(event, payload, room=OPERATORS_ROOM)

    async def to_customer(self, conversation_id: uuid.UUID, event: str, payload: dict[str, Any]) -> None:
        await self.sio.emit(event, payload, room=customer_room(conversation_id))

    async def deliver_web(self, conversation_id: uuid.UUID, message: Outbound) -> None:
        """The web channel's delivery: live to the customer's open pages (history has it for later)."""
        await self.to_customer(conversation_id, "chat:operator", message.as_json())


def register(realtime: Realtime) -> None:
    sio = realtime.sio

    @sio.on("operator:join")  # type: ignore[untyped-decorator]
    async def on_join(sid: str, data: Any) -> dict[str, Any]:
        token = data.get("token") if isinstance(data, dict) else None
        if not isinstance(token, str) or realtime.auth is None:
            return error_body(ValidationFailed.code, "token が必要です。")
        try:
            principal = await realtime.auth.authenticate(token)
        except AppError as error:
            return error.body()
        user = principal.user
        async with sio.session(sid) as session:
            session.update(user_id=str(user.id), role=user.role, name=user.display_name)
        await sio.enter_room(sid, OPERATORS_ROOM)
        if user.role in STAFF and realtime.handoffs is not None:
            await realtime.handoffs.heartbeat(user.id)
        return {"ok": True, "userId": str(user.id)}

    @sio.on("operator:heartbeat")  # type: ignore[untyped-decorator]
    async def on_heartbeat(sid: str, data: Any) -> dict[str, Any]:
        session = await sio.get_session(sid)
        if session.get("role") not in STAFF or realtime.handoffs is None:
            return {"ok": False}
        await realtime.handoffs.heartbeat(uuid.UUID(session["user_id"]))
        return {"ok": True}

    @sio.on("operator:typing")  # type: ignore[untyped-decorator]
    async def on_operator_typing(sid: str, data: Any) -> None:
        handoff_id = _uuid(data.get("handoffId") if isinstance(data, dict) else None)
        async with sio.session(sid) as session:
            if session.get("role") not in STAFF or handoff_id is None or realtime.handoffs is None:
                return
            now = time.monotonic()
            if now - session.get("typed_at", -TYPING_EVERY_SECONDS) < TYPING_EVERY_SECONDS:
                return
            session["typed_at"] = now
        await realtime.handoffs.operator_typing(handoff_id, uuid.UUID(session["user_id"]), session["name"])

    @sio.on("chat:typing")  # type: ignore[untyped-decorator]
    async def on_customer_typing(sid: str, data: Any) -> None:
        token = data.get("sessionId") if isinstance(data, dict) else None
        if not isinstance(token, str) or realtime.chat is None or realtime.chat.handoffs is None:
            return
        async with sio.session(sid) as session:  # at most one look-up per TYPING_EVERY_SECONDS a socket
            now = time.monotonic()
            if now - session.get("typed_at", -TYPING_EVERY_SECONDS) < TYPING_EVERY_SECONDS:
                return
            session["typed_at"] = now
        try:
            await realtime.chat.typing(token)
        except AppError:
            return


def _uuid(value: object) -> uuid.UUID | None:
    if not isinstance(value, str):
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def attach(realtime: Realtime, handoffs: HandoffService) -> None:
    """Wire the hand-off service to socket.io: its publisher, and the web channel's delivery."""
    publisher = SocketPublisher(realtime.sio)
    handoffs.publisher = publisher
    handoffs.register_delivery("web", publisher.deliver_web)
    realtime.handoffs = handoffs
