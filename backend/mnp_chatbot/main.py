"""The app factory and its lifespan, which owns every long-lived resource."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TypedDict

from fastapi import FastAPI

from mnp_chatbot import __version__, api, error_handlers
from mnp_chatbot.core.config import Settings, get_settings
from mnp_chatbot.core.logging import configure_logging, get_logger
from mnp_chatbot.core.middleware import BodySizeLimitMiddleware, RequestContextMiddleware
from mnp_chatbot.core.resources import Resources, open_resources

log = get_logger(__name__)


class State(TypedDict):
    resources: Resources


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[State]:
        async with open_resources(settings) as resources:
            log.info("app.started", version=__version__, environment=settings.ENVIRONMENT.value)
            yield {"resources": resources}
        log.info("app.stopped")

    app = FastAPI(title="MNP Chatbot API", version=__version__, lifespan=lifespan)
    error_handlers.install(app)
    api.include_routers(app)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.MAX_BODY_BYTES)
    app.add_middleware(RequestContextMiddleware)
    return app


def create_asgi_app() -> FastAPI:
    settings = get_settings()
    configure_logging(settings.LOG_LEVEL, settings.LOG_DIR)
    return create_app(settings)
