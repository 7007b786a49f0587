"""The built front end (`frontend/dist`), served by the app itself: the chat at `/`, the widget loader at
`/widget.js`, the operators' console at `/admin` (a single-page app: every `/admin/*` path is its page),
hashed bundles under `/assets/`.

It is the router's default app, not a route: it only sees requests that no route matched, even partly, so a
wrong method on an API path is still the API's 405 and a route added later is never shadowed. It answers GET
and HEAD for files that exist (and the console's page for `/admin/*`); anything else, and every path under
`/api`, is the usual JSON 404.
"""

import os
from pathlib import Path

from fastapi import FastAPI
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

DIST = Path(__file__).resolve().parents[3] / "frontend" / "dist"
HASHED_ASSETS = "assets" + os.sep
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
NOT_SERVED = frozenset({"api"})
CONSOLE = "admin"
CONSOLE_PAGE = "/admin/index.html"


def first_segment(scope: Scope) -> str:
    path: str = scope["path"]
    return path.lstrip("/").split("/", 1)[0]


def cache_control(path: str) -> str:
    """Hashed bundles never change under their name; everything else is revalidated on each load."""
    return IMMUTABLE if path.startswith(HASHED_ASSETS) else REVALIDATE


def is_served(scope: Scope) -> bool:
    """Only GET and HEAD, and never the API's paths."""
    if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
        return False
    return first_segment(scope) not in NOT_SERVED


class FrontendFiles(StaticFiles):
    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = cache_control(self.get_path(scope))
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


class FrontendFallback:
    """The router's default: the build for what it serves, the router's own 404 for the rest."""

    def __init__(self, files: ASGIApp, not_found: ASGIApp) -> None:
        self.files = files
        self.not_found = not_found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not is_served(scope):
            await self.not_found(scope, receive, send)
            return
        if first_segment(scope) == CONSOLE:
            # The console routes in the browser: its one page answers for every path under /admin.
            scope = {**scope, "path": CONSOLE_PAGE, "raw_path": CONSOLE_PAGE.encode()}
        await self.files(scope, receive, send)


def mount(app: FastAPI, dist: Path | None = None) -> bool:
    """Serve `dist` (default: the repository's `frontend/dist`) for paths no route matches, when it holds a
    build. True when mounted."""
    dist = dist or DIST
    if not (dist / "index.html").is_file():
        return False
    app.router.default = FrontendFallback(FrontendFiles(directory=dist, html=True), app.router.default)
    return True
