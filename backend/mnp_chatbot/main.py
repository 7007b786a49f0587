"""The app factory and its lifespan, which owns every long-lived resource.

The ASGI entry point is socket.io wrapped around FastAPI: `socketio.ASGIApp(sio, other_asgi_app=api)`;
engine.io passes the lifespan on to FastAPI.
"""

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TypedDict

import socketio
from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from mnp_chatbot import __version__, api, db_models, error_handlers, security
from mnp_chatbot.auth.middleware import ConsoleAuthGate
from mnp_chatbot.channels.line import runtime as line_runtime
from mnp_chatbot.channels.line.webhook import LineWebhook
from mnp_chatbot.chat.endpoint import ChatEndpoint
from mnp_chatbot.chat.llm_answer import LlmAnswerer
from mnp_chatbot.chat.service import ChatConfig, ChatService
from mnp_chatbot.chat.turn_store import TurnStore
from mnp_chatbot.core import heap
from mnp_chatbot.core.config import Settings, get_settings, is_placeholder
from mnp_chatbot.core.logging import configure_logging, get_logger
from mnp_chatbot.core.middleware import BodySizeLimitMiddleware, RequestContextMiddleware
from mnp_chatbot.core.ratelimit import MessageLimiter, RateLimits
from mnp_chatbot.core.redis import Store
from mnp_chatbot.core.resources import Resources, open_resources
from mnp_chatbot.editorial import router as editorial_router
from mnp_chatbot.faq.embeddings import DenseIndex, dense_supported
from mnp_chatbot.faq.index import KnowledgeIndex
from mnp_chatbot.faq.models import EMBEDDING_DIMENSIONS
from mnp_chatbot.handoff.policy import HandoffPolicy
from mnp_chatbot.handoff.schedule import SweepSchedule
from mnp_chatbot.handoff.service import HandoffService
from mnp_chatbot.health.service import NO_VECTOR_NOTE
from mnp_chatbot.llm import openai as llm_openai
from mnp_chatbot.llm import prompts
from mnp_chatbot.llm.breaker import SharedBreaker
from mnp_chatbot.realtime import handlers
from mnp_chatbot.realtime import handoff as realtime_handoff
from mnp_chatbot.realtime.server import ConnectionCounter, Realtime, create_server

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
    return ChatConfig(
        token_key=key,
        mask_personal_data=settings.MASK_PERSONAL_DATA,
        session_idle=dt.timedelta(hours=settings.SESSION_IDLE_TIMEOUT_HOURS),
    )


def open_chat_model(settings: Settings, store: Store | None = None) -> llm_openai.OpenAIChatModel | None:
    """The LLM when OPENAI_API_KEY holds a real key; without one, answers are curated (retrieval-only).
    With Redis, its circuit breaker is shared by every replica."""
    key = settings.OPENAI_API_KEY.get_secret_value() if settings.OPENAI_API_KEY else ""
    if is_placeholder(key):
        return None
    client = llm_openai.open_client(api_key=key, base_url=settings.OPENAI_BASE_URL)
    threshold, cooldown = settings.LLM_BREAKER_THRESHOLD, settings.LLM_BREAKER_COOLDOWN_SECONDS
    breaker = llm_openai.CircuitBreaker(threshold=threshold, cooldown=cooldown)
    shared = None
    if store is not None and store.name == "redis":
        shared = SharedBreaker(
            store, threshold=threshold, cooldown=cooldown, trial_seconds=llm_openai.TOTAL_TIMEOUT
        )
    return llm_openai.OpenAIChatModel(
        client,
        model=settings.OPENAI_MODEL,
        max_tokens=settings.OPENAI_MAX_TOKENS,
        breaker=breaker,
        shared=shared,
    )


async def open_dense_index(settings: Settings, resources: Resources) -> DenseIndex | None:
    """pgvector search when an embedding provider is configured and the database has pgvector; entries are
    embedded in the background. Without pgvector (checks.database.vector = false) retrieval is lexical."""
    resources.extras["vector"] = vector = await dense_supported(resources.sessionmaker)
    if not vector:
        log.warning("database.vector.missing", note=NO_VECTOR_NOTE)
    key = settings.OPENAI_API_KEY.get_secret_value() if settings.OPENAI_API_KEY else ""
    if is_placeholder(key) or not vector:
        return None
    client = llm_openai.open_client(api_key=key, base_url=settings.OPENAI_BASE_URL)
    embedder = llm_openai.OpenAIEmbedder(
        client, model=settings.OPENAI_EMBEDDING_MODEL, dimensions=EMBEDDING_DIMENSIONS
    )
    dense = DenseIndex(resources.sessionmaker, embedder)
    resources.extras["embedding_task"] = asyncio.create_task(_embed_in_background(dense))
    resources.extras["embedding_client"] = client
    return dense


async def _embed_in_background(dense: DenseIndex) -> None:
    try:
        await dense.embed_missing()
    except Exception as error:  # the lexical retriever serves meanwhile
        log.warning("faq.embeddings.failed", error=type(error).__name__)


async def _close_dense(resources: Resources) -> None:
    task = resources.extras.get("embedding_task")
    if isinstance(task, asyncio.Task):
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    client = resources.extras.get("embedding_client")
    if client is not None:
        await client.close()


def open_handoffs(settings: Settings, resources: Resources, chat: ChatService) -> HandoffService:
    """The hand-off service, shared by the chat (web now, LINE later) and the console."""
    defaults = HandoffPolicy(
        hours=settings.HANDOFF_HOURS,
        holidays=tuple(settings.HANDOFF_HOLIDAYS),
        capacity=settings.HANDOFF_CAPACITY,
        reclaim_seconds=settings.HANDOFF_RECLAIM_SECONDS,
        abandon_seconds=settings.HANDOFF_ABANDON_SECONDS,
    )
    handoffs = HandoffService(
        resources.sessionmaker,
        resources.extras["audit"],
        resources.extras["encryptor"],
        defaults,
        mask=chat.mask,
    )
    chat.handoffs = handoffs
    resources.extras["handoffs"] = handoffs
    return handoffs


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    realtime = Realtime(create_server(settings))
    handlers.register(realtime)
    realtime_handoff.register(realtime)
    rate_limits = RateLimits.from_settings(settings)
    realtime.message_limiter = MessageLimiter(rate_limits.chat, trusted_proxies=settings.TRUSTED_PROXIES)
    realtime.connections = ConnectionCounter(settings.SOCKETIO_MAX_CONNECTIONS_PER_ADDRESS)
    realtime.operator_recheck_seconds = settings.OPERATOR_SOCKET_RECHECK_SECONDS

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[State]:
        async with open_resources(settings) as resources:
            index = KnowledgeIndex(resources.sessionmaker, resources.store)
            await index.reload()
            index.start_watching()
            model = open_chat_model(settings, resources.store)
            answerer = None
            if model is not None:
                answerer = LlmAnswerer(model, resources.store, prompts.load("answer.ja"))
                resources.extras["llm_status"] = {"status": "configured", "model": model.name}
                log.info("llm.configured", model=model.name, prompt_version=answerer.prompt.version)
            dense = await open_dense_index(settings, resources)
            if dense is not None:
                index.on_rebuilt.append(lambda: _embed_in_background(dense))
            turns = TurnStore(resources.pool)
            chat = ChatService(
                resources.sessionmaker, turns, index, chat_config(settings), llm=answerer, dense=dense
            )
            realtime.chat = chat
            resources.extras.update(knowledge=index, chat=chat, realtime=realtime, index_ready=True)
            token_key = chat_config(settings).token_key
            resources.extras.update(
                security.services(resources, rate_limits, token_key=token_key, realtime=realtime)
            )
            handoffs = open_handoffs(settings, resources, chat)
            realtime_handoff.attach(realtime, handoffs)
            realtime.auth = resources.extras["auth"]
            sweep = SweepSchedule(handoffs, interval=settings.HANDOFF_SWEEP_INTERVAL_SECONDS)
            sweep.start()
            purge = security.retention_schedule(resources)
            purge.start()
            line_runtime.open_channel(resources, chat, token_key=token_key)
            index.on_rebuilt.append(heap.settle_after_rebuild)
            heap.settle()
            log.info("app.started", version=__version__, environment=settings.ENVIRONMENT.value)
            try:
                yield {"resources": resources}
            finally:
                await line_runtime.close_channel(resources)
                await purge.stop()
                await sweep.stop()
                await index.close()
                if model is not None:
                    await model.close()
                await _close_dense(resources)
        log.info("app.stopped")

    docs = settings.api_docs_enabled  # in production only with ENABLE_API_DOCS
    app = FastAPI(
        title="MNP Chatbot API",
        version=__version__,
        lifespan=lifespan,
        openapi_url="/openapi.json" if docs else None,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
    )
    app.state.realtime = realtime
    error_handlers.install(app)
    api.include_routers(app)
    app.add_middleware(ChatEndpoint)  # innermost: every middleware below applies to it
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=settings.MAX_BODY_BYTES,
        limits_by_path=dict.fromkeys(editorial_router.IMPORT_PATHS, settings.MAX_IMPORT_BYTES),
    )
    app.add_middleware(ConsoleAuthGate)
    security.add_inner_middleware(app, settings, rate_limits)
    app.add_middleware(RequestContextMiddleware)
    security.add_outer_middleware(app, settings)
    # Outermost: LINE's deliveries skip the stack above (see channels/line/webhook.py).
    app.add_middleware(LineWebhook, max_bytes=settings.MAX_BODY_BYTES, policy=app.state.header_policy)
    return app


class ServedApp:
    """The ASGI entry point, with the two steps a stopping worker runs (deploy/gunicorn.conf.py's worker):
    `drain` while it still serves its own sessions, `release` once it stopped listening."""

    def __init__(self, app: ASGIApp, realtime: Realtime) -> None:
        self.app = app
        self.realtime = realtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)

    async def drain(self, timeout: float) -> None:
        await self.realtime.drain(timeout)

    async def release(self) -> None:
        await self.realtime.release()


def asgi(app: FastAPI) -> ServedApp:
    sio_app = socketio.ASGIApp(app.state.realtime.sio, other_asgi_app=app, socketio_path="socket.io")
    return ServedApp(security.with_headers(sio_app, app), app.state.realtime)


def create_asgi_app() -> ServedApp:
    settings = get_settings()
    configure_logging(settings.LOG_LEVEL, settings.LOG_DIR)
    return asgi(create_app(settings))
