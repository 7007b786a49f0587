"""Console users for tests: created straight in the test database, signed in through the API."""

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from mnp_chatbot.audit.service import AuditTrail
from mnp_chatbot.auth.schemas import UserCreate
from mnp_chatbot.auth.users import UserService

PASSWORD = "テスト用のパスワード-2026"


@dataclass(frozen=True, slots=True)
class Account:
    id: uuid.UUID
    email: str
    role: str
    password: str = PASSWORD


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_async_engine(database_url)
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


async def create_account(
    db: async_sessionmaker[AsyncSession], role: str, email: str | None = None
) -> Account:
    email = email or f"{role}-{uuid.uuid4().hex[:8]}@example.jp"
    data = UserCreate.model_validate(
        {"email": email, "displayName": f"{role} さん", "password": PASSWORD, "role": role}
    )
    user = await UserService(db, AuditTrail(enabled=True)).create(None, data)
    return Account(user.id, email, role)


@pytest.fixture
async def accounts(db: async_sessionmaker[AsyncSession]) -> dict[str, Account]:
    return {role: await create_account(db, role) for role in ("admin", "operator", "viewer")}


async def sign_in(client: httpx.AsyncClient, account: Account, **headers: str) -> dict[str, Any]:
    response = await client.post(
        "/api/auth/login", json={"email": account.email, "password": account.password}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['accessToken']}"}
