"""The socket.io server on the same ASGI app; with REDIS_URL, replicas share rooms through Redis."""

from dataclasses import dataclass

import socketio

from mnp_chatbot.chat.service import ChatService
from mnp_chatbot.core.config import Settings
from mnp_chatbot.core.ratelimit import MessageLimiter


@dataclass
class Realtime:
    """What socket handlers reach instead of module globals; the lifespan fills it in."""

    sio: socketio.AsyncServer
    chat: ChatService | None = None
    message_limiter: MessageLimiter | None = None


def create_server(settings: Settings) -> socketio.AsyncServer:
    manager = None
    if settings.REDIS_URL:
        manager = socketio.AsyncRedisManager(
            settings.REDIS_URL,
            redis_options={"password": settings.REDIS_PASSWORD.get_secret_value()}
            if settings.REDIS_PASSWORD
            else None,
        )
    origins: list[str] | str = settings.CORS_ORIGIN or []
    return socketio.AsyncServer(
        async_mode="asgi",
        client_manager=manager,
        cors_allowed_origins=origins,
        logger=False,
        engineio_logger=False,
        max_http_buffer_size=settings.MAX_BODY_BYTES,
    )
