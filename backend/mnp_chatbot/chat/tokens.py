"""Customer session tokens: random, shown once to the client, stored only as a keyed hash (pure)."""

import hashlib
import hmac
import secrets

TOKEN_BYTES = 32
TOKEN_PATTERN = r"^[A-Za-z0-9_-]{16,128}$"


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str, key: bytes) -> str:
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()
