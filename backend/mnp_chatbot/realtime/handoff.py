"""socket.io for the hand-off. Operators: `operator:join` {token} (an access token) puts the socket in the
operators' room, `operator:heartbeat` {token} keeps their presence and hands over the console's current
access token, `operator:typing` {handoffId}; they receive
`handoff:queue`, `handoff:message`, `handoff:typing`, `handoff:callback`, `handoff:presence`. Customers:
`chat:typing` {sessionId}; they receive `chat:operator`, `chat:handoff` and `chat:typing`.

Events go through the Redis manager when REDIS_URL is set, so a console on one replica sees a customer on
another.

The operators' room carries customers' words, so a socket stays in it only while its sign-in lives: every
OPERATOR_SOCKET_RECHECK_SECONDS the last token it gave is checked again as a REST request's would be
(expired, signed out, signed out everywhere, disabled user); a socket whose token no longer passes is
told (`operator:signed_out`) and disconnected, whether or not its client still sends heartbeats.
"""

import asyncio
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
            watched = "token" in session
            session.update(user_id=str(user.id), role=user.role, name=user.display_name, token=token)
        await sio.enter_room(sid, OPERATORS_ROOM)
        if not watched:
            sio.start_background_task(watch, sid)
        if user.role in STAFF and realtime.handoffs is not None:
            await realtime.handoffs.heartbeat(user.id)
        return {"ok": True, "userId": str(user.id)}

    @sio.on("operator:heartbeat")  # type: ignore[untyped-decorator]
    async def on_heartbeat(sid: str, data: Any) -> dict[str, Any]:
        session = await sio.get_session(sid)
        if "user_id" not in session:
            return {"ok": False}
        token = data.get("token") if isinstance(data, dict) else None
        if isinstance(token, str) and token != session.get("token"):
            if not await still_signed_in(sid, token):
                return {"ok": False}
            async with sio.session(sid) as stored:
                stored["token"] = token
        if session.get("role") not in STAFF or realtime.handoffs is None:
            return {"ok": False}
        await realtime.handoffs.heartbeat(uuid.UUID(session["user_id"]))
        return {"ok": True}

    async def still_signed_in(sid: str, token: str) -> bool:
        """Whether `token` is a live sign-in of the user who joined on `sid`; if not, the socket goes."""
        session = await sio.get_session(sid)
        try:
            assert realtime.auth is not None
            principal = await realtime.auth.authenticate(token)
            if str(principal.user.id) == session.get("user_id"):
                return True
        except AppError:
            pass
        log.info("handoff.operator_socket.signed_out")
        await sio.leave_room(sid, OPERATORS_ROOM)
        async with sio.session(sid) as stored:
            stored.clear()
        await sio.emit("operator:signed_out", {}, to=sid)
        sio.start_background_task(disconnect_soon, sid)  # after the reply to a heartbeat has gone out
        return False

    async def disconnect_soon(sid: str) -> None:
        await asyncio.sleep(0.2)
        await sio.disconnect(sid)

    async def watch(sid: str) -> None:
        """Checks the socket's last token every OPERATOR_SOCKET_RECHECK_SECONDS while it is connected."""
        while True:
            await asyncio.sleep(realtime.operator_recheck_seconds)
            if not sio.manager.is_connected(sid, "/"):
                return
            try:
                token = (await sio.get_session(sid)).get("token")
            except KeyError:  # disconnected meanwhile
                return
            if not isinstance(token, str) or not await still_signed_in(sid, token):
                return

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
    handoffs.register_delivery("widget", publisher.deliver_web)
    realtime.handoffs = handoffs
