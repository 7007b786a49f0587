"""Customer session tokens: random, shown once to the client, stored only as a keyed hash (pure).

A token travels in a JSON body (`sessionId`) or the `X-Session-Token` header, never in a URL path or query,
where proxies and CDNs would log it; a session is usable until it has been idle for the idle timeout."""

import datetime as dt
import hashlib
import hmac
import secrets

TOKEN_BYTES = 32
TOKEN_PATTERN = r"^[A-Za-z0-9_-]{16,128}$"


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


SESSION_TOKEN_HEADER = "X-Session-Token"


def token_hash(token: str, key: bytes) -> str:
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()


def is_idle(last_message_at: dt.datetime, *, now: dt.datetime, idle: dt.timedelta) -> bool:
    return now - last_message_at > idle
