"""Console users for the admin tests: created in the test database, signed in through the API."""

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from mnp_chatbot.audit.models import AuditLog
from mnp_chatbot.audit.service import AuditTrail
from mnp_chatbot.auth.schemas import UserCreate
from mnp_chatbot.auth.users import UserService

PASSWORD = "管理画面テスト用-パスワード-2026"


class Console:
    """Console users per role, created and signed in on first use (password hashing is slow on purpose)."""

    def __init__(self, client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]) -> None:
        self.client = client
        self.users = UserService(db, AuditTrail(enabled=True))
        self.ids: dict[str, uuid.UUID] = {}
        self._headers: dict[str, dict[str, str]] = {}

    async def headers(self, role: str) -> dict[str, str]:
        if role not in self._headers:
            email = f"{role}-{uuid.uuid4().hex[:8]}@example.jp"
            data = UserCreate.model_validate(
                {"email": email, "displayName": f"{role} 担当", "password": PASSWORD, "role": role}
            )
            self.ids[role] = (await self.users.create(None, data)).id
            self._headers[role] = await sign_in(self.client, email)
        return self._headers[role]


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_async_engine(database_url)
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


async def sign_in(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    response = await client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['accessToken']}"}


@pytest.fixture
def console(client: httpx.AsyncClient, db: async_sessionmaker[AsyncSession]) -> Console:
    return Console(client, db)


async def audit_rows(db: async_sessionmaker[AsyncSession], prefix: str) -> list[AuditLog]:
    async with db() as session:
        stmt = select(AuditLog).where(AuditLog.action.startswith(prefix)).order_by(AuditLog.id)
        return list((await session.scalars(stmt)).all())


def json_of(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()
