"""Console credentials (pure): short-lived JWT access tokens and opaque refresh tokens.

Access tokens are HS256 only, signed with a key derived from JWT_SECRET, and carry iss, aud, sub, typ,
sid (the sign-in session), jti, iat, nbf and exp; every one is required on decode. Headers that point at
other key material (jku, x5u, jwk, x5c, kid, …) are refused instead of followed. Refresh tokens are random
strings stored only as their SHA-256, rotated on every use.
"""

import datetime as dt
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

import jwt

ALGORITHM = "HS256"
ISSUER = "mnp-chatbot"
AUDIENCE = "mnp-chatbot-console"
ACCESS_TYPE = "access"
REQUIRED_CLAIMS = ["exp", "iat", "nbf", "iss", "aud", "sub", "jti"]
REFUSED_HEADERS = frozenset({"jku", "x5u", "jwk", "x5c", "x5t", "x5t#S256", "kid", "crit"})
LEEWAY_SECONDS = 5
REFRESH_TOKEN_BYTES = 32


class InvalidToken(Exception):
    """The token is malformed, forged, expired, or not an access token of this service."""


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: uuid.UUID
    role: str
    session_id: uuid.UUID
    token_id: str
    expires_at: dt.datetime


def signing_key(secret: bytes) -> bytes:
    """A 256-bit key for this one purpose, whatever the length and other uses of JWT_SECRET."""
    return hmac.new(secret, b"mnp-chatbot/jwt-access-token", hashlib.sha256).digest()


def issue_access_token(
    *, user_id: uuid.UUID, role: str, session_id: uuid.UUID, key: bytes, now: dt.datetime, ttl: dt.timedelta
) -> str:
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": str(user_id),
        "typ": ACCESS_TYPE,
        "role": role,
        "sid": str(session_id),
        "jti": uuid.uuid4().hex,
        "iat": now,
        "nbf": now,
        "exp": now + ttl,
    }
    return jwt.encode(claims, key, algorithm=ALGORITHM, headers={"typ": "JWT"})


def _check_header(token: str) -> None:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise InvalidToken("malformed token") from error
    if header.get("alg") != ALGORITHM or REFUSED_HEADERS.intersection(header):
        raise InvalidToken("token header not accepted")


def decode_access_token(token: str, *, key: bytes) -> AccessClaims:
    _check_header(token)
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            leeway=LEEWAY_SECONDS,
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.PyJWTError as error:
        raise InvalidToken(type(error).__name__) from error
    return _claims(claims)


def _claims(claims: dict[str, Any]) -> AccessClaims:
    if claims.get("typ") != ACCESS_TYPE or not isinstance(claims.get("role"), str):
        raise InvalidToken("not an access token")
    try:
        return AccessClaims(
            user_id=uuid.UUID(str(claims["sub"])),
            role=claims["role"],
            session_id=uuid.UUID(str(claims.get("sid"))),
            token_id=str(claims["jti"]),
            expires_at=dt.datetime.fromtimestamp(int(claims["exp"]), dt.UTC),
        )
    except (ValueError, TypeError) as error:
        raise InvalidToken("malformed claims") from error


def new_refresh_token() -> str:
    return secrets.token_urlsafe(REFRESH_TOKEN_BYTES)


def refresh_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
