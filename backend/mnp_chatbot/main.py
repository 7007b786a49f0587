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
from mnp_chatbot.container import Services
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
MODELS = db_models.Base.metadata  # every mapper registered before the first query


class State(TypedDict):
    resources: Resources
    services: Services


def chat_config(settings: Settings) -> ChatConfig:
    return ChatConfig(
        token_key=settings.session_key,
        mask_personal_data=settings.MASK_PERSONAL_DATA,
        session_idle=dt.timedelta(hours=settings.SESSION_IDLE_TIMEOUT_HOURS),
    )


def open_llm_client(settings: Settings) -> llm_openai.Client | None:
    """The one OpenAI client (chat and embeddings) when OPENAI_API_KEY holds a real key; without one,
    answers are curated (retrieval-only) and retrieval is lexical."""
    key = settings.OPENAI_API_KEY.get_secret_value() if settings.OPENAI_API_KEY else ""
    if is_placeholder(key):
        return None
    return llm_openai.open_client(api_key=key, base_url=settings.OPENAI_BASE_URL)


def chat_model(
    settings: Settings, client: llm_openai.Client, store: Store | None = None
) -> llm_openai.OpenAIChatModel:
    """The chat model on `client`. With Redis, its circuit breaker is shared by every replica."""
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


def dense_index(settings: Settings, resources: Resources, client: llm_openai.Client) -> DenseIndex:
    """pgvector search; entries are embedded in the background."""
    embedder = llm_openai.OpenAIEmbedder(
        client, model=settings.OPENAI_EMBEDDING_MODEL, dimensions=EMBEDDING_DIMENSIONS
    )
    return DenseIndex(resources.sessionmaker, embedder)


async def _embed_in_background(dense: DenseIndex) -> None:
    try:
        await dense.embed_missing()
    except Exception as error:  # the lexical retriever serves meanwhile
        log.warning("faq.embeddings.failed", error=type(error).__name__)


async def _cancel(task: "asyncio.Task[None]") -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def open_handoffs(
    settings: Settings, resources: Resources, chat: ChatService, guard: security.SecurityServices
) -> HandoffService:
    """The hand-off service, shared by the chat (web and LINE) and the console."""
    defaults = HandoffPolicy(
        hours=settings.HANDOFF_HOURS,
        holidays=tuple(settings.HANDOFF_HOLIDAYS),
        capacity=settings.HANDOFF_CAPACITY,
        reclaim_seconds=settings.HANDOFF_RECLAIM_SECONDS,
        abandon_seconds=settings.HANDOFF_ABANDON_SECONDS,
    )
    handoffs = HandoffService(resources.sessionmaker, guard.audit, guard.encryptor, defaults, mask=chat.mask)
    chat.handoffs = handoffs
    return handoffs


async def open_knowledge(
    stack: contextlib.AsyncExitStack,
    resources: Resources,
    client: llm_openai.Client | None,
    settings: Settings,
) -> tuple[KnowledgeIndex, DenseIndex | None, "asyncio.Task[None] | None", bool]:
    """The knowledge index (loaded, watching for changes) and, when an embedding provider is configured
    and the database has pgvector, dense search with its background embedding. Without pgvector
    (checks.database.vector = false) retrieval is lexical."""
    index = KnowledgeIndex(resources.sessionmaker, resources.store)
    await index.reload()
    index.start_watching()
    stack.push_async_callback(index.close)
    vector = await dense_supported(resources.sessionmaker)
    if not vector:
        log.warning("database.vector.missing", note=NO_VECTOR_NOTE)
    if client is None or not vector:
        return index, None, None, vector
    dense = dense_index(settings, resources, client)
    embedding = asyncio.create_task(_embed_in_background(dense))
    stack.push_async_callback(_cancel, embedding)
    index.on_rebuilt.append(lambda: _embed_in_background(dense))
    return index, dense, embedding, vector


async def open_services(
    stack: contextlib.AsyncExitStack,
    settings: Settings,
    resources: Resources,
    realtime: Realtime,
    rate_limits: RateLimits,
) -> Services:
    """Every service, started in order; `stack` stops them in the reverse order."""
    client = open_llm_client(settings)
    if client is not None:
        stack.push_async_callback(client.close)
    index, dense, embedding, vector = await open_knowledge(stack, resources, client, settings)
    model = chat_model(settings, client, resources.store) if client is not None else None
    answerer = None
    if model is not None:
        answerer = LlmAnswerer(model, resources.store, prompts.load("answer.ja"))
        log.info("llm.configured", model=model.name, prompt_version=answerer.prompt.version)
    turns = TurnStore(resources.pool)
    chat = ChatService(resources.sessionmaker, turns, index, chat_config(settings), llm=answerer, dense=dense)
    realtime.chat = chat
    guard = security.services(resources, rate_limits, realtime=realtime)
    handoffs = open_handoffs(settings, resources, chat, guard)
    realtime_handoff.attach(realtime, handoffs)
    realtime.auth = guard.auth
    sweep = SweepSchedule(handoffs, interval=settings.HANDOFF_SWEEP_INTERVAL_SECONDS)
    sweep.start()
    stack.push_async_callback(sweep.stop)
    purge = security.retention_schedule(resources, guard.audit)
    purge.start()
    stack.push_async_callback(purge.stop)
    line = line_runtime.open_channel(
        resources, chat, encryptor=guard.encryptor, rights=guard.data_rights, handoffs=handoffs
    )
    if line is not None:
        stack.push_async_callback(line.close)
    index.on_rebuilt.append(heap.settle_after_rebuild)
    heap.settle()
    return Services(
        resources=resources,
        index=index,
        chat=chat,
        audit=guard.audit,
        auth=guard.auth,
        users=guard.users,
        encryptor=guard.encryptor,
        data_rights=guard.data_rights,
        handoffs=handoffs,
        llm_model=model.name if model is not None else None,
        vector=vector,
        dense=dense,
        embedding=embedding,
        line=line,
    )


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
        async with contextlib.AsyncExitStack() as stack:
            resources = await stack.enter_async_context(open_resources(settings))
            services = await open_services(stack, settings, resources, realtime, rate_limits)
            log.info("app.started", version=__version__, environment=settings.ENVIRONMENT.value)
            yield {"resources": resources, "services": services}
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
