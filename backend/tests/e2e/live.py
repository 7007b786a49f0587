"""The real app on a free port (uvicorn in a thread, a fresh database from the test template, the built
front end) and Debian's Chromium driven by Playwright. Screenshots go to `test-artifacts/screenshots/` at the
repo root.

Without the Python playwright package, a front-end build or /usr/bin/chromium these tests are skipped, unless
MNP_E2E_REQUIRED=1 (as in `make test`), which makes a missing piece a failure.
"""

import asyncio
import http.server
import os
import socket
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from playwright.async_api import Browser, BrowserContext, Page, ViewportSize, async_playwright

from mnp_chatbot.core.config import Settings
from mnp_chatbot.main import asgi, create_app
from mnp_chatbot.web import frontend
from tests.fixtures.database import TEMPLATE, admin_execute, with_database

REPO_ROOT = Path(__file__).resolve().parents[3]
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
PHONE: ViewportSize = {"width": 390, "height": 844}
STARTUP_SECONDS = 90


def _missing(reason: str) -> None:
    if os.environ.get("MNP_E2E_REQUIRED") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not os.access(CHROMIUM, os.X_OK):
        _missing(f"{CHROMIUM} is missing: run scripts/install-browser.sh")
    return CHROMIUM


@pytest.fixture(scope="session")
def built_frontend() -> Path:
    if not (frontend.DIST / "index.html").is_file():
        _missing(f"no front-end build in {frontend.DIST}: run `npm ci && npm run build` in frontend/")
    return frontend.DIST


class CarrierPage(http.server.BaseHTTPRequestHandler):
    """A carrier's own page on another origin, embedding the widget with its one script tag."""

    widget_src = ""

    def do_GET(self) -> None:
        head = '<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
        body = (
            f'<!doctype html><html lang="ja"><head>{head}<title>乗り換えのご案内</title></head>'
            f'<body><h1>乗り換えのご案内</h1><script src="{self.widget_src}"></script></body></html>'
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture(scope="module")
def carrier_site() -> Iterator[http.server.ThreadingHTTPServer]:
    """A page on another loopback origin (browsers refuse loopback scripts on public origins); the live server
    lets it frame the chat and tells it where widget.js is."""
    handler = type("ThisCarrierPage", (CarrierPage,), {})
    site = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=site.serve_forever, daemon=True)
    thread.start()
    yield site
    site.shutdown()
    site.server_close()


def carrier_origin(site: http.server.ThreadingHTTPServer) -> str:
    return f"http://localhost:{site.server_address[1]}"


@dataclass
class LiveServer:
    url: str
    database_url: str


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@pytest.fixture(scope="module")
async def live_server(
    built_frontend: Path,
    server_url: str,
    template_url: str,
    carrier_site: http.server.ThreadingHTTPServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[LiveServer]:
    name = f"mnp_e2e_{uuid.uuid4().hex[:12]}"
    await admin_execute(server_url, f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
    database_url = with_database(server_url, name)
    settings = Settings(
        _env_file=None,
        ENVIRONMENT="test",
        DATABASE_URL=database_url,
        DATABASE_POOL_MIN=1,
        DATABASE_POOL_MAX=5,
        DATA_DIR=tmp_path_factory.mktemp("e2e-data"),
        LOG_LEVEL="warning",
        WIDGET_FRAME_ANCESTORS=carrier_origin(carrier_site),
    )
    sock = _free_socket()
    config = uvicorn.Config(asgi(create_app(settings)), log_config=None, access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        await _wait_started(server, thread)
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        carrier_site.RequestHandlerClass.widget_src = f"{url}/widget.js"  # type: ignore[attr-defined]
        yield LiveServer(url, database_url)
    finally:
        server.should_exit = True
        await asyncio.to_thread(thread.join, 30)
        sock.close()
        await admin_execute(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _wait_started(server: uvicorn.Server, thread: threading.Thread) -> None:
    for _ in range(STARTUP_SECONDS * 10):
        if server.started:
            return
        if not thread.is_alive():
            raise RuntimeError("the app failed to start")
        await asyncio.sleep(0.1)
    raise TimeoutError("the app did not start in time")


@pytest.fixture(scope="module")
async def browser(chromium: Path) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(chromium), headless=True)
        yield launched
        await launched.close()


@pytest.fixture
async def context(browser: Browser) -> AsyncIterator[BrowserContext]:
    """A fresh browser profile (empty localStorage) with a phone-sized, touch-enabled viewport."""
    created = await browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="ja-JP")
    created.set_default_timeout(20_000)
    yield created
    await created.close()


@pytest.fixture
async def page(context: BrowserContext, live_server: LiveServer) -> AsyncIterator[Page]:
    opened = await context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    await opened.goto(live_server.url + "/")
    yield opened
    assert errors == [], f"JavaScript errors on the page: {errors}"


_screenshots_taken: list[Path] = []


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    _screenshots_taken.append(SCREENSHOTS)
    return SCREENSHOTS


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _screenshots_taken:
        terminalreporter.write_line(f"browser test screenshots: {SCREENSHOTS}")
