import contextlib
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from mnp_chatbot import container
from mnp_chatbot.channels.line.service import LineChannel
from mnp_chatbot.channels.line.worker import EventWorker
from mnp_chatbot.container import Services
from mnp_chatbot.core.config import Settings
from mnp_chatbot.core.resources import Resources
from mnp_chatbot.main import create_app
from tests.channels.line.support import SECRET, body, signed
from tests.fixtures.app import SettingsFactory
from tests.fixtures.line_server import ACCESS_TOKEN, FakeLine, line_server, line_server_session
from tests.fixtures.openai_server import FakeOpenAI, openai_server, openai_server_session

__all__ = ["line_server", "line_server_session", "openai_server", "openai_server_session"]


@pytest.fixture
def line_settings(make_settings: SettingsFactory, line_server: FakeLine, redis_url: str) -> Settings:
    return make_settings(
        LINE_CHANNEL_SECRET=SECRET,
        LINE_CHANNEL_ACCESS_TOKEN=ACCESS_TOKEN,
        LINE_API_BASE_URL=line_server.url,
        REDIS_URL=redis_url,
        SESSION_SECRET="line-tests-session-secret",
    )


@pytest.fixture
def llm_settings(line_settings: Settings, openai_server: FakeOpenAI) -> Settings:
    return line_settings.model_copy(
        update={"OPENAI_API_KEY": line_settings.LINE_CHANNEL_SECRET, "OPENAI_BASE_URL": openai_server.url}
    )


class LineApp:
    def __init__(self, app: FastAPI, http: httpx.AsyncClient, platform: FakeLine | None) -> None:
        self.app = app
        self.http = http
        self.platform = platform

    @property
    def services(self) -> Services:
        services = container.services_of(self.app.state.lifespan_state)
        assert services is not None
        return services

    @property
    def resources(self) -> Resources:
        return self.services.resources

    @property
    def line(self) -> LineChannel:
        assert self.services.line is not None, "the LINE channel is configured in these tests"
        return self.services.line.channel

    @property
    def worker(self) -> EventWorker:
        assert self.services.line is not None
        return self.services.line.worker

    async def post(self, raw: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
        if self.platform is not None:
            with contextlib.suppress(ValueError, AttributeError, TypeError):
                for event in json.loads(raw)["events"]:
                    if event.get("replyToken") and event.get("source", {}).get("userId"):
                        self.platform.own(event["replyToken"], event["source"]["userId"])
        return await self.http.post("/api/line/webhook", content=raw, headers=headers or signed(raw))

    async def send(self, *events: dict[str, object]) -> httpx.Response:
        """Deliver a signed body and wait until its events are processed."""
        response = await self.post(body(*events))
        assert response.status_code == 200, response.text
        await self.worker.drain()
        return response


async def open_line_app(settings: Settings, platform: FakeLine | None = None) -> AsyncIterator[LineApp]:
    application = create_app(settings)
    async with LifespanManager(application, startup_timeout=60, shutdown_timeout=60) as manager:
        application.state.lifespan_state = manager._state
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield LineApp(application, http, platform)


@pytest.fixture
async def line_app(line_settings: Settings, line_server: FakeLine) -> AsyncIterator[LineApp]:
    async for opened in open_line_app(line_settings, line_server):
        yield opened


@pytest.fixture
async def llm_line_app(llm_settings: Settings, line_server: FakeLine) -> AsyncIterator[LineApp]:
    async for opened in open_line_app(llm_settings, line_server):
        yield opened
