"""Wiring of the security controls: middleware on the app, and the services the lifespan hands to routers.

Outer to inner, an HTTP request passes: security headers → request id/access log → CORS → rate limit →
console token check → body-size limit → routes. So every response, a 401, 413 or 429 included, carries the
headers, is logged and counted, and is readable by an allowed origin. LINE's webhook is answered before all
of them, by its own endpoint (channels/line/webhook.py), which sets the same headers and counts itself.
"""

import datetime as dt
from dataclasses import dataclass

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp

from mnp_chatbot.audit.service import AuditTrail
from mnp_chatbot.auth.service import AuthConfig, AuthService
from mnp_chatbot.auth.throttle import LoginThrottle
from mnp_chatbot.auth.users import UserService
from mnp_chatbot.chat.tokens import SESSION_TOKEN_HEADER
from mnp_chatbot.core.config import Settings
from mnp_chatbot.core.logging import get_logger
from mnp_chatbot.core.ratelimit import RateLimitMiddleware, RateLimits
from mnp_chatbot.core.resources import Resources
from mnp_chatbot.core.security_headers import HeaderPolicy, SecurityHeadersMiddleware
from mnp_chatbot.privacy.encryption import Encryptor
from mnp_chatbot.privacy.retention import RetentionSchedule
from mnp_chatbot.privacy.service import DataRightsConfig, DataRightsService
from mnp_chatbot.realtime.handlers import room_of
from mnp_chatbot.realtime.server import Realtime

log = get_logger(__name__)
CORS_HEADERS = ["Authorization", "Content-Type", "X-Request-ID", SESSION_TOKEN_HEADER]
CORS_METHODS = ["GET", "POST", "PATCH", "PUT", "DELETE"]


def add_inner_middleware(app: FastAPI, settings: Settings, rate_limits: RateLimits) -> None:
    """Rate limit and CORS; call after the body-size limit and before the request-context middleware."""
    app.add_middleware(RateLimitMiddleware, limits=rate_limits, trusted_proxies=settings.TRUSTED_PROXIES)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.CORS_ORIGIN,
        allow_methods=CORS_METHODS,
        allow_headers=CORS_HEADERS,
        expose_headers=["Retry-After", "X-Request-ID"],
        allow_credentials=False,
        max_age=600,
    )


def add_outer_middleware(app: FastAPI, settings: Settings) -> None:
    """Security headers; call last, so that they wrap everything."""
    app.state.header_policy = HeaderPolicy.from_settings(settings)
    app.add_middleware(SecurityHeadersMiddleware, policy=app.state.header_policy)


def with_headers(outer: ASGIApp, app: FastAPI) -> ASGIApp:
    """`outer` (socket.io around `app`) with the same headers on its own responses (long-polling)."""
    return SecurityHeadersMiddleware(outer, policy=app.state.header_policy)


@dataclass(frozen=True, slots=True)
class SecurityServices:
    audit: AuditTrail
    auth: AuthService
    users: UserService
    encryptor: Encryptor
    data_rights: DataRightsService


def encryptor(settings: Settings) -> Encryptor:
    if settings.ENCRYPTION_KEY is None:
        log.warning("privacy.encryption_key_missing", effect="development key; set ENCRYPTION_KEY")
    return Encryptor.from_secret(settings.encryption_secret)


def services(resources: Resources, rate_limits: RateLimits, *, realtime: Realtime) -> SecurityServices:
    settings = resources.settings
    audit = AuditTrail(enabled=settings.ENABLE_AUDIT_LOGS)
    sealed = encryptor(settings)

    async def forget_live(token: str) -> None:
        await realtime.sio.close_room(room_of(token))

    data_rights = DataRightsService(
        resources.sessionmaker,
        DataRightsConfig(
            token_key=settings.session_key,
            enabled=settings.GDPR_COMPLIANCE,
            session_idle=dt.timedelta(hours=settings.SESSION_IDLE_TIMEOUT_HOURS),
        ),
        audit,
        sealed,
        resources.store,
        forget_live=forget_live,
    )
    auth = AuthService(
        resources.sessionmaker,
        AuthConfig.from_settings(settings),
        audit,
        LoginThrottle(rate_limits.login, rate_limits.login_account),
    )
    users = UserService(resources.sessionmaker, audit)
    return SecurityServices(audit, auth, users, sealed, data_rights)


def retention_schedule(resources: Resources, audit: AuditTrail) -> RetentionSchedule:
    settings = resources.settings
    return RetentionSchedule(
        resources.engine,
        resources.sessionmaker,
        audit,
        days=settings.DATA_RETENTION_DAYS,
        interval=settings.RETENTION_PURGE_INTERVAL_SECONDS,
    )
