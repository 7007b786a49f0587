"""`mnp-chatbot create-admin` and `new-encryption-key`, run as the operator would."""

import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mnp_chatbot.auth.models import User
from mnp_chatbot.main import create_app
from mnp_chatbot.privacy.encryption import parse_keyring
from tests.fixtures.app import SettingsFactory

PASSWORD = "最初の管理者パスワード-2026"


def cli(
    *args: str, database_url: str, cwd: Path, password: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {"DATABASE_URL": database_url, "NODE_ENV": "test", "LOG_LEVEL": "warning", "PATH": "/usr/bin:/bin"}
    if password is not None:
        env["MNP_ADMIN_PASSWORD"] = password
    return subprocess.run(
        [sys.executable, "-m", "mnp_chatbot", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_create_admin_makes_an_admin_who_can_sign_in(
    database_url: str, tmp_path: Path, db: async_sessionmaker[AsyncSession], make_settings: SettingsFactory
) -> None:
    created = cli(
        "create-admin",
        "--email",
        "Boss@Example.JP",
        database_url=database_url,
        cwd=tmp_path,
        password=PASSWORD,
    )
    assert created.returncode == 0, created.stderr
    assert "created admin" in created.stdout
    async with db() as session:
        user = (await session.scalars(select(User).where(User.email == "boss@example.jp"))).one()
    assert user.role == "admin"
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in created.stdout + created.stderr
    again = cli(
        "create-admin",
        "--email",
        "boss@example.jp",
        database_url=database_url,
        cwd=tmp_path,
        password=PASSWORD,
    )
    assert again.returncode != 0
    app = create_app(make_settings())
    async with LifespanManager(app, startup_timeout=60) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            login = await client.post(
                "/api/auth/login", json={"email": "boss@example.jp", "password": PASSWORD}
            )
    assert login.status_code == 200


@pytest.mark.parametrize("password", ["short", ""])
def test_create_admin_refuses_weak_passwords(database_url: str, tmp_path: Path, password: str) -> None:
    result = cli(
        "create-admin",
        "--email",
        "weak@example.jp",
        database_url=database_url,
        cwd=tmp_path,
        password=password,
    )
    assert result.returncode != 0


def test_new_encryption_key_prints_a_usable_keyring_entry(database_url: str, tmp_path: Path) -> None:
    result = cli("new-encryption-key", "--kid", "k2", database_url=database_url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert parse_keyring(result.stdout.strip()).primary == "k2"
