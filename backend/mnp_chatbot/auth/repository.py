import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from mnp_chatbot.auth.models import AuthSession, RefreshToken, User, UserRole


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: uuid.UUID) -> User | None:
        return await self.session.get(User, user_id)

    async def get_by_email(self, email: str) -> User | None:
        return await self.session.scalar(select(User).where(func.lower(User.email) == email.lower()))

    async def list_all(self) -> Sequence[User]:
        return (await self.session.scalars(select(User).order_by(User.created_at, User.email))).all()

    async def add(self, user: User) -> User:
        self.session.add(user)
        await self.session.flush()
        return user

    async def count_active_admins(self) -> int:
        stmt = select(func.count()).where(User.role == UserRole.ADMIN.value, User.is_active.is_(True))
        return int(await self.session.scalar(stmt) or 0)


class AuthSessionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, *, user_id: uuid.UUID, expires_at: dt.datetime) -> AuthSession:
        auth_session = AuthSession(user_id=user_id, expires_at=expires_at)
        self.session.add(auth_session)
        await self.session.flush()
        return auth_session

    async def get_with_user(self, session_id: uuid.UUID) -> tuple[AuthSession, User] | None:
        stmt = select(AuthSession, User).join(User, User.id == AuthSession.user_id)
        row = (await self.session.execute(stmt.where(AuthSession.id == session_id))).first()
        return (row[0], row[1]) if row is not None else None

    async def revoke(self, session_id: uuid.UUID, *, reason: str, now: dt.datetime) -> None:
        stmt = (
            update(AuthSession)
            .where(AuthSession.id == session_id, AuthSession.revoked_at.is_(None))
            .values(revoked_at=now, revoke_reason=reason)
        )
        await self.session.execute(stmt)

    async def revoke_all_for_user(self, user_id: uuid.UUID, *, reason: str, now: dt.datetime) -> int:
        stmt = (
            update(AuthSession)
            .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
            .values(revoked_at=now, revoke_reason=reason)
            .returning(AuthSession.id)
        )
        return len((await self.session.scalars(stmt)).all())


class RefreshTokenRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, *, session_id: uuid.UUID, token_hash: str, expires_at: dt.datetime) -> RefreshToken:
        token = RefreshToken(session_id=session_id, token_hash=token_hash, expires_at=expires_at)
        self.session.add(token)
        await self.session.flush()
        return token

    async def get_for_update(self, token_hash: str) -> RefreshToken | None:
        stmt = select(RefreshToken).where(RefreshToken.token_hash == token_hash).with_for_update()
        return await self.session.scalar(stmt)

    async def mark_used(self, token_id: uuid.UUID, *, now: dt.datetime) -> None:
        stmt = update(RefreshToken).where(RefreshToken.id == token_id).values(used_at=now)
        await self.session.execute(stmt)
