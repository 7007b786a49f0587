"""The app factory and its lifespan, which owns every long-lived resource.

The ASGI entry point is socket.io wrapped around FastAPI: `socketio.ASGIApp(sio, other_asgi_app=api)`;
engine.io passes the lifespan on to FastAPI.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TypedDict

import socketio
from fastapi import FastAPI

from mnp_chatbot import __version__, api, db_models, error_handlers
from mnp_chatbot.chat.service import ChatConfig, ChatService
from mnp_chatbot.core.config import Settings, get_settings
from mnp_chatbot.core.logging import configure_logging, get_logger
from mnp_chatbot.core.middleware import BodySizeLimitMiddleware, RequestContextMiddleware
from mnp_chatbot.core.resources import Resources, open_resources
from mnp_chatbot.faq.index import KnowledgeIndex
from mnp_chatbot.realtime import handlers
from mnp_chatbot.realtime.server import Realtime, create_server

log = get_logger(__name__)
DEVELOPMENT_TOKEN_KEY = b"mnp-chatbot-development-session-key"
MODELS = db_models.Base.metadata  # every mapper registered before the first query


class State(TypedDict):
    resources: Resources


def chat_config(settings: Settings) -> ChatConfig:
    key = (
        settings.SESSION_SECRET.get_secret_value().encode()
        if settings.SESSION_SECRET
        else DEVELOPMENT_TOKEN_KEY
    )
    return ChatConfig(token_key=key, mask_personal_data=settings.MASK_PERSONAL_DATA)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    realtime = Realtime(create_server(settings))
    handlers.register(realtime)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[State]:
        async with open_resources(settings) as resources:
            index = KnowledgeIndex(resources.sessionmaker, resources.store)
            await index.reload()
            index.start_watching()
            chat = ChatService(resources.sessionmaker, index, chat_config(settings))
            realtime.chat = chat
            resources.extras.update(knowledge=index, chat=chat, realtime=realtime, index_ready=True)
            log.info("app.started", version=__version__, environment=settings.ENVIRONMENT.value)
            try:
                yield {"resources": resources}
            finally:
                await index.close()
        log.info("app.stopped")

    app = FastAPI(title="MNP Chatbot API", version=__version__, lifespan=lifespan)
    app.state.realtime = realtime
    error_handlers.install(app)
    api.include_routers(app)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.MAX_BODY_BYTES)
    app.add_middleware(RequestContextMiddleware)
    return app


def asgi(app: FastAPI) -> socketio.ASGIApp:
    return socketio.ASGIApp(app.state.realtime.sio, other_asgi_app=app, socketio_path="socket.io")


def create_asgi_app() -> socketio.ASGIApp:
    settings = get_settings()
    configure_logging(settings.LOG_LEVEL, settings.LOG_DIR)
    return asgi(create_app(settings))
