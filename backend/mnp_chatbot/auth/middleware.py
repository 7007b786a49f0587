"""Console routes check the caller's access token before anything reads the request body.

FastAPI reads and parses a route's body before it resolves the route's dependencies, so without this an
anonymous client could make the server read and parse up to the route's body limit. This gate checks the
token's signature and lifetime only (no database); the route's own dependency then checks that the
sign-in is still live and the role.
"""

from starlette.types import ASGIApp, Receive, Scope, Send

from mnp_chatbot import container
from mnp_chatbot.auth import tokens
from mnp_chatbot.core.errors import Unauthorized
from mnp_chatbot.core.logging import get_logger
from mnp_chatbot.core.middleware import header, send_error

log = get_logger(__name__)
# Sign-out is not gated: like /api/auth/refresh it names its sign-in by the refresh token in its (small) body,
# and must work after the access token has expired.
CONSOLE_PREFIXES = ("/api/admin/", "/api/auth/me")


def bearer_token(scope: Scope) -> str | None:
    scheme, _, token = (header(scope, b"authorization") or "").partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None


class ConsoleAuthGate:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] == "OPTIONS" or not self._guarded(scope["path"]):
            await self.app(scope, receive, send)
            return
        token = bearer_token(scope)
        services = container.services_of(scope.get("state"))
        if token is None or services is None or not self._valid(token, services.auth.config.signing_key):
            await send_error(send, Unauthorized(headers={"WWW-Authenticate": "Bearer"}))
            return
        await self.app(scope, receive, send)

    @staticmethod
    def _guarded(path: str) -> bool:
        return path.startswith(CONSOLE_PREFIXES)

    @staticmethod
    def _valid(token: str, key: bytes) -> bool:
        try:
            tokens.decode_access_token(token, key=key)
        except tokens.InvalidToken as error:
            log.info("auth.token.rejected", reason=str(error)[:60], stage="gate")
            return False
        return True
