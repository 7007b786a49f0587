"""Managing console users: create, change role or password, disable, and end their sign-ins."""

import asyncio
import datetime as dt
import uuid
from collections.abc import Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mnp_chatbot.audit.service import AuditAction, AuditEvent, AuditTrail, DetailValue
from mnp_chatbot.auth import passwords
from mnp_chatbot.auth.exceptions import EmailAlreadyRegistered, LastAdminRequired, UserNotFound
from mnp_chatbot.auth.models import User, UserRole
from mnp_chatbot.auth.repository import AuthSessionRepository, UserRepository
from mnp_chatbot.auth.schemas import UserCreate, UserUpdate
from mnp_chatbot.auth.service import utc_now


class UserService:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        audit: AuditTrail,
        *,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.audit = audit
        self.clock = clock

    async def list_users(self) -> Sequence[User]:
        async with self.sessionmaker() as session:
            return await UserRepository(session).list_all()

    async def create(self, actor: User | None, data: UserCreate) -> User:
        password_hash = await asyncio.to_thread(passwords.hash_password, data.password)
        async with self.sessionmaker.begin() as session:
            users = UserRepository(session)
            if await users.get_by_email(data.email) is not None:
                raise EmailAlreadyRegistered()
            user = await users.add(
                User(
                    email=data.email,
                    display_name=data.display_name,
                    password_hash=password_hash,
                    role=data.role,
                )
            )
            details = {"role": data.role}
            event = AuditEvent(
                AuditAction.USER_CREATED, actor.id if actor else None, "user", str(user.id), details
            )
            await self.audit.record(session, event)
            return user

    async def update(self, actor: User, user_id: uuid.UUID, changes: UserUpdate) -> User:
        password_hash = (
            await asyncio.to_thread(passwords.hash_password, changes.password) if changes.password else None
        )
        async with self.sessionmaker.begin() as session:
            user = await UserRepository(session).get(user_id)
            if user is None:
                raise UserNotFound()
            await self._keep_an_admin(session, user, changes)
            changed = _apply(user, changes, password_hash)
            if password_hash is not None or changes.is_active is False:
                reason = "user_disabled" if changes.is_active is False else "password_changed"
                await AuthSessionRepository(session).revoke_all_for_user(
                    user.id, reason=reason, now=self.clock()
                )
            action = AuditAction.USER_DISABLED if changes.is_active is False else AuditAction.USER_UPDATED
            details: dict[str, DetailValue] = {
                "fields": ",".join(changed),
                "role": user.role,
                "active": user.is_active,
            }
            await self.audit.record(session, AuditEvent(action, actor.id, "user", str(user.id), details))
            return user

    @staticmethod
    async def _keep_an_admin(session: AsyncSession, user: User, changes: UserUpdate) -> None:
        demoted = changes.role is not None and changes.role != UserRole.ADMIN.value
        loses_admin = (
            user.role == UserRole.ADMIN and user.is_active and (demoted or changes.is_active is False)
        )
        if loses_admin and await UserRepository(session).count_active_admins() <= 1:
            raise LastAdminRequired()

    async def revoke_sessions(self, actor: User, user_id: uuid.UUID) -> int:
        async with self.sessionmaker.begin() as session:
            if await UserRepository(session).get(user_id) is None:
                raise UserNotFound()
            revoked = await AuthSessionRepository(session).revoke_all_for_user(
                user_id, reason="revoked_by_admin", now=self.clock()
            )
            event = AuditEvent(
                AuditAction.SESSIONS_REVOKED, actor.id, "user", str(user_id), {"sessions": revoked}
            )
            await self.audit.record(session, event)
            return revoked


def _apply(user: User, changes: UserUpdate, password_hash: str | None) -> list[str]:
    changed = []
    if changes.display_name is not None:
        user.display_name = changes.display_name
        changed.append("displayName")
    if changes.role is not None:
        user.role = changes.role
        changed.append("role")
    if changes.is_active is not None:
        user.is_active = changes.is_active
        changed.append("isActive")
    if password_hash is not None:
        user.password_hash = password_hash
        changed.append("password")
    return changed
