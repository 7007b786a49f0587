"""Console sign-in: login, refresh-token rotation with reuse detection, logout, and access-token checks.

A sign-in is an `AuthSession`; access tokens name it in `sid`, and every request checks that it is neither
revoked nor expired and that its user is still active, so logout and disabling a user take effect at once
(not only when the short-lived access token expires). Presenting a refresh token that was already rotated
revokes its whole session: one of the two holders is a thief.
"""

import asyncio
import contextlib
import datetime as dt
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mnp_chatbot.audit.service import AuditAction, AuditEvent, AuditTrail
from mnp_chatbot.auth import passwords, tokens
from mnp_chatbot.auth.exceptions import InvalidCredentials, InvalidRefreshToken
from mnp_chatbot.auth.models import AuthSession, RefreshToken, User
from mnp_chatbot.auth.repository import AuthSessionRepository, RefreshTokenRepository, UserRepository
from mnp_chatbot.auth.throttle import LoginThrottle
from mnp_chatbot.core.config import Settings
from mnp_chatbot.core.errors import Unauthorized
from mnp_chatbot.core.logging import get_logger

log = get_logger(__name__)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class AuthConfig:
    signing_key: bytes
    access_ttl: dt.timedelta
    refresh_ttl: dt.timedelta
    session_max_age: dt.timedelta
    idle_timeout: dt.timedelta = dt.timedelta(minutes=15)

    @property
    def refresh_lifetime(self) -> dt.timedelta:
        """A refresh token lives until the console has been idle for the idle timeout: it is used once the
        access token has expired, so an idle console has not refreshed for access TTL + idle timeout."""
        return min(self.refresh_ttl, self.access_ttl + self.idle_timeout)

    @classmethod
    def from_settings(cls, settings: Settings) -> "AuthConfig":
        if settings.JWT_SECRET is None:
            log.warning("auth.jwt_secret_missing", effect="random key: console sign-ins end at restart")
            secret = secrets.token_bytes(32)
        else:
            secret = settings.JWT_SECRET.get_secret_value().encode()
        return cls(
            signing_key=tokens.signing_key(secret),
            access_ttl=dt.timedelta(seconds=settings.ACCESS_TOKEN_TTL_SECONDS),
            refresh_ttl=dt.timedelta(seconds=settings.REFRESH_TOKEN_TTL_SECONDS),
            session_max_age=dt.timedelta(seconds=settings.AUTH_SESSION_MAX_SECONDS),
            idle_timeout=dt.timedelta(seconds=settings.CONSOLE_IDLE_TIMEOUT_SECONDS),
        )


@dataclass(frozen=True, slots=True)
class Principal:
    user: User
    session_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class IssuedTokens:
    access_token: str
    refresh_token: str
    expires_in: int
    idle_timeout: int
    user: User


def _session_usable(auth_session: AuthSession, user: User, now: dt.datetime) -> bool:
    return auth_session.revoked_at is None and auth_session.expires_at > now and user.is_active


class AuthService:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        config: AuthConfig,
        audit: AuditTrail,
        throttle: LoginThrottle,
        *,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.config = config
        self.audit = audit
        self.throttle = throttle
        self.clock = clock

    async def login(self, email: str, password: str, *, client: str) -> IssuedTokens:
        """Tokens for a new sign-in; one 401 for an unknown e-mail, a wrong password or a disabled user.

        The attempt is counted before the (slow) password check, so parallel guesses cannot all get in
        before the first failure is counted."""
        account = email.strip().lower()
        await self.throttle.attempt(account, client)
        issued: IssuedTokens | None = None
        async with self.sessionmaker.begin() as session:
            user = await UserRepository(session).get_by_email(email.strip())
            verified = await self._verify(user, password)
            if user is not None and verified and user.is_active:
                issued = await self._start(session, user, password, client=client)
        if issued is not None:
            await self.throttle.succeeded(account, client)
            return issued
        await self._failed(user, reason="disabled" if verified else "bad_credentials", client=client)
        raise InvalidCredentials()

    @staticmethod
    async def _verify(user: User | None, password: str) -> bool:
        if user is None:
            await asyncio.to_thread(passwords.burn_verification, password)
            return False
        return await asyncio.to_thread(passwords.verify_password, user.password_hash, password)

    async def _failed(self, user: User | None, *, reason: str, client: str) -> None:
        log.warning("auth.login.failed", reason=reason, known_user=user is not None)
        async with self.sessionmaker.begin() as session:
            await self.audit.record(
                session,
                AuditEvent(
                    AuditAction.LOGIN_FAILED,
                    actor_id=user.id if user else None,
                    target_type="user" if user else None,
                    target_id=str(user.id) if user else None,
                    details={"reason": reason},
                    client=client,
                ),
            )

    async def _start(self, session: AsyncSession, user: User, password: str, *, client: str) -> IssuedTokens:
        now = self.clock()
        auth_session = await AuthSessionRepository(session).add(
            user_id=user.id, expires_at=now + self.config.session_max_age
        )
        refresh = await self._new_refresh_token(session, auth_session, now)
        user.last_login_at = now
        if passwords.needs_rehash(user.password_hash):
            user.password_hash = await asyncio.to_thread(passwords.hash_password, password)
        event = AuditEvent(
            AuditAction.LOGIN,
            user.id,
            "user",
            str(user.id),
            {"session": str(auth_session.id)},
            client=client,
        )
        await self.audit.record(session, event)
        log.info("auth.login.succeeded", user_id=str(user.id))
        return self._issued(user, auth_session.id, refresh, now)

    async def _new_refresh_token(
        self, session: AsyncSession, auth_session: AuthSession, now: dt.datetime
    ) -> str:
        token = tokens.new_refresh_token()
        expires_at = min(now + self.config.refresh_lifetime, auth_session.expires_at)
        await RefreshTokenRepository(session).add(
            session_id=auth_session.id, token_hash=tokens.refresh_token_hash(token), expires_at=expires_at
        )
        return token

    def _issued(self, user: User, session_id: uuid.UUID, refresh: str, now: dt.datetime) -> IssuedTokens:
        access = tokens.issue_access_token(
            user_id=user.id,
            role=user.role,
            session_id=session_id,
            key=self.config.signing_key,
            now=now,
            ttl=self.config.access_ttl,
        )
        idle = int(self.config.idle_timeout.total_seconds())
        return IssuedTokens(access, refresh, int(self.config.access_ttl.total_seconds()), idle, user)

    async def refresh(self, refresh_token: str) -> IssuedTokens:
        """A new token pair; the presented refresh token is used up. Reusing one revokes the session, and
        so does presenting one past its (idle) expiry."""
        now = self.clock()
        async with self.sessionmaker.begin() as session:
            stored = await RefreshTokenRepository(session).get_for_update(
                tokens.refresh_token_hash(refresh_token)
            )
            found = await AuthSessionRepository(session).get_with_user(stored.session_id) if stored else None
            if stored is None or found is None:
                raise InvalidRefreshToken()
            auth_session, user = found
            if stored.used_at is not None:
                await self._revoke_reused(session, auth_session, user, now)
            elif stored.expires_at <= now:
                await self._revoke_idle(session, auth_session, user, now)
            elif _session_usable(auth_session, user, now):
                return await self._rotate(session, stored, auth_session, user, now)
        raise InvalidRefreshToken()

    async def _revoke_idle(
        self, session: AsyncSession, auth_session: AuthSession, user: User, now: dt.datetime
    ) -> None:
        if auth_session.revoked_at is not None:
            return
        await AuthSessionRepository(session).revoke(auth_session.id, reason="idle", now=now)
        event = AuditEvent(
            AuditAction.LOGOUT, user.id, "auth_session", str(auth_session.id), {"reason": "idle"}
        )
        await self.audit.record(session, event)
        log.info("auth.session.idle_expired", user_id=str(user.id))

    async def _rotate(
        self,
        session: AsyncSession,
        stored: RefreshToken,
        auth_session: AuthSession,
        user: User,
        now: dt.datetime,
    ) -> IssuedTokens:
        await RefreshTokenRepository(session).mark_used(stored.id, now=now)
        refresh = await self._new_refresh_token(session, auth_session, now)
        return self._issued(user, auth_session.id, refresh, now)

    async def _revoke_reused(
        self, session: AsyncSession, auth_session: AuthSession, user: User, now: dt.datetime
    ) -> None:
        if auth_session.revoked_at is not None:
            return
        await AuthSessionRepository(session).revoke(auth_session.id, reason="refresh_reused", now=now)
        event = AuditEvent(AuditAction.REFRESH_REUSED, user.id, "auth_session", str(auth_session.id))
        await self.audit.record(session, event)
        log.warning("auth.refresh.reused", user_id=str(user.id))

    async def logout(self, *, access_token: str | None, refresh_token: str | None) -> None:
        """End the sign-in named by the access token or by the refresh token (which still works once the
        access token has expired, e.g. after the console sat idle); 401 when neither names one."""
        principal = None
        if access_token is not None:
            with contextlib.suppress(Unauthorized):
                principal = await self.authenticate(access_token)
        now = self.clock()
        async with self.sessionmaker.begin() as session:
            ended: dict[uuid.UUID, uuid.UUID] = {}
            if principal is not None:
                ended[principal.session_id] = principal.user.id
            if refresh_token is not None:
                stored = await RefreshTokenRepository(session).get_for_update(
                    tokens.refresh_token_hash(refresh_token)
                )
                found = (
                    await AuthSessionRepository(session).get_with_user(stored.session_id) if stored else None
                )
                if found is not None:
                    ended[found[0].id] = found[1].id
            if not ended:
                raise Unauthorized(headers={"WWW-Authenticate": "Bearer"})
            for session_id, user_id in ended.items():
                await AuthSessionRepository(session).revoke(session_id, reason="logout", now=now)
                await self.audit.record(
                    session, AuditEvent(AuditAction.LOGOUT, user_id, "auth_session", str(session_id))
                )

    async def authenticate(self, access_token: str) -> Principal:
        """The user behind a valid access token whose sign-in is still live."""
        try:
            claims = tokens.decode_access_token(access_token, key=self.config.signing_key)
        except tokens.InvalidToken as error:
            log.info("auth.token.rejected", reason=str(error)[:60])
            raise Unauthorized(headers={"WWW-Authenticate": "Bearer"}) from error
        async with self.sessionmaker() as session:
            found = await AuthSessionRepository(session).get_with_user(claims.session_id)
        if found is None or found[1].id != claims.user_id or not _session_usable(*found, self.clock()):
            log.info("auth.token.rejected", reason="session_ended")
            raise Unauthorized(headers={"WWW-Authenticate": "Bearer"})
        return Principal(user=found[1], session_id=claims.session_id)
