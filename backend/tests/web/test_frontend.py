"""The built front end served by the app: what it serves, how it caches, and that the API stays the API's."""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from mnp_chatbot.core.config import Settings
from mnp_chatbot.main import create_app
from mnp_chatbot.web import frontend

INDEX = '<!doctype html><html lang="ja"><div id="root"></div><script src="/assets/index-abc123.js"></script>'
CONSOLE = '<!doctype html><html lang="ja"><title>管理コンソール</title><div id="admin-root"></div>'


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    folder = tmp_path / "dist"
    (folder / "assets").mkdir(parents=True)
    (folder / "index.html").write_text(INDEX, encoding="utf-8")
    (folder / "assets" / "index-abc123.js").write_text("console.log('chat')", encoding="utf-8")
    (folder / "widget.js").write_text("(function(){})()", encoding="utf-8")
    (folder / "admin").mkdir()
    (folder / "admin" / "index.html").write_text(CONSOLE, encoding="utf-8")
    return folder


@pytest.fixture
async def served(
    dist: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[httpx.AsyncClient]:
    monkeypatch.setattr(frontend, "DIST", dist)
    application = create_app(settings)
    async with LifespanManager(application, startup_timeout=60) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http


class TestCacheControl:
    @pytest.mark.parametrize(
        ("path", "expected"),
        [
            ("assets/index-abc123.js", frontend.IMMUTABLE),
            ("assets/index-abc123.css", frontend.IMMUTABLE),
            ("index.html", frontend.REVALIDATE),
            ("widget.js", frontend.REVALIDATE),
            (".", frontend.REVALIDATE),
            ("assetsX/file.js", frontend.REVALIDATE),
        ],
    )
    def test_only_hashed_assets_are_cached_for_good(self, path: str, expected: str) -> None:
        assert frontend.cache_control(path) == expected


class TestMount:
    def test_mounts_nothing_without_a_build(self, tmp_path: Path) -> None:
        app = FastAPI()
        default = app.router.default
        assert frontend.mount(app, tmp_path) is False
        assert app.router.default is default

    def test_the_real_app_falls_back_to_the_front_end(
        self, dist: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(frontend, "DIST", dist)
        assert isinstance(create_app(settings).router.default, frontend.FrontendFallback)

    async def test_routes_added_after_it_still_answer(self, dist: Path) -> None:
        app = FastAPI()
        frontend.mount(app, dist)

        @app.get("/later")
        async def later() -> dict[str, str]:
            return {"route": "later"}

        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            assert (await http.get("/later")).json() == {"route": "later"}
            assert (await http.get("/")).status_code == 200


class TestServing:
    async def test_serves_the_chat_page_at_the_root(self, served: httpx.AsyncClient) -> None:
        response = await served.get("/?embed=1")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert 'id="root"' in response.text
        assert response.headers["cache-control"] == frontend.REVALIDATE

    @pytest.mark.parametrize(
        ("path", "cache", "content_type"),
        [
            ("/assets/index-abc123.js", frontend.IMMUTABLE, "text/javascript"),
            ("/widget.js", frontend.REVALIDATE, "text/javascript"),
        ],
    )
    async def test_serves_scripts_with_their_cache_policy(
        self, served: httpx.AsyncClient, path: str, cache: str, content_type: str
    ) -> None:
        response = await served.get(path)
        assert response.status_code == 200
        assert response.headers["cache-control"] == cache
        assert response.headers["content-type"].startswith(content_type)
        assert response.headers["x-content-type-options"] == "nosniff"

    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("GET", "/api/no-such-endpoint"),
            ("POST", "/admin"),
            ("GET", "/administrator"),
            ("POST", "/api/no-such-endpoint"),
            ("POST", "/"),
            ("GET", "/no-such-page"),
            ("GET", "/..%2F..%2Fetc%2Fpasswd"),
            ("GET", "/assets/../../secrets.txt"),
        ],
    )
    async def test_answers_anything_else_with_the_json_404(
        self, served: httpx.AsyncClient, method: str, path: str
    ) -> None:
        response = await served.request(method, path)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"

    async def test_an_unknown_console_route_without_a_token_is_401_like_every_console_route(
        self, served: httpx.AsyncClient
    ) -> None:
        response = await served.get("/api/admin/no-such-endpoint")  # which routes exist is not disclosed
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"

    @pytest.mark.parametrize(
        "path", ["/admin", "/admin/", "/admin/index.html", "/admin/faqs", "/admin/conversations/1?x=1"]
    )
    async def test_every_console_path_is_the_console_page(self, served: httpx.AsyncClient, path: str) -> None:
        response = await served.get(path)
        assert response.status_code == 200
        assert 'id="admin-root"' in response.text
        assert response.headers["cache-control"] == frontend.REVALIDATE
        assert response.headers["x-frame-options"] == "DENY"

    @pytest.mark.parametrize(
        ("method", "path"), [("DELETE", "/health"), ("GET", "/api/chat"), ("PUT", "/metrics")]
    )
    async def test_a_wrong_method_on_a_route_is_still_405(
        self, served: httpx.AsyncClient, method: str, path: str
    ) -> None:
        response = await served.request(method, path)
        assert response.status_code == 405
        assert response.json()["error"]["code"] == "method_not_allowed"

    async def test_the_api_and_operations_endpoints_still_answer(self, served: httpx.AsyncClient) -> None:
        health = await served.get("/health/live")
        chat = await served.post("/api/chat", json={"message": "予約番号の有効期限は？"})
        metrics = await served.get("/metrics")
        assert health.status_code == 200
        assert chat.status_code == 200
        assert chat.json()["reply"]["text"]
        assert metrics.status_code == 200
        assert "http_requests_total" in metrics.text
