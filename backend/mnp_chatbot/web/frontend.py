"""The built front end (`frontend/dist`), served by the app itself: the chat at `/`, the widget loader at
`/widget.js`, hashed bundles under `/assets/`.

Mounted at `/` after every router, so it only sees paths no API route claimed. It answers GET and HEAD for
files that exist and 404 for anything else; `/api/...` stays the API's (a JSON 404, never the chat page).
"""

import os
from pathlib import Path

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

DIST = Path(__file__).resolve().parents[3] / "frontend" / "dist"
MOUNT_NAME = "frontend"
HASHED_ASSETS = "assets" + os.sep
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
NOT_SERVED = ("api", "admin")


def cache_control(path: str) -> str:
    """Hashed bundles never change under their name; everything else is revalidated on each load."""
    return IMMUTABLE if path.startswith(HASHED_ASSETS) else REVALIDATE


def is_reserved(path: str) -> bool:
    first = path.split(os.sep, 1)[0]
    return first in NOT_SERVED


class FrontendFiles(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        if scope["method"] not in ("GET", "HEAD") or is_reserved(path):
            raise HTTPException(status_code=404)
        return await super().get_response(path, scope)

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


def mount(app: FastAPI, dist: Path | None = None) -> bool:
    """Serve `dist` (default: the repository's `frontend/dist`) at `/` when it holds a build; call after every
    router. True when mounted."""
    dist = dist or DIST
    if not (dist / "index.html").is_file():
        return False
    app.mount("/", FrontendFiles(directory=dist, html=True), name=MOUNT_NAME)
    return True
