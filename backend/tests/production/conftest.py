"""The machine's own PostgreSQL service (127.0.0.1:5432 by default, no pgvector), for the production tests.

Each test gets a database of its own with a unique name, dropped afterwards. Where no such server answers,
the tests skip naming the address, or fail under MNP_E2E_REQUIRED=1 (`make test`).
"""

import asyncio
import os
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from tests.fixtures.database import _asyncpg_dsn, admin_execute, with_database
from tests.fixtures.openai_server import openai_server, openai_server_session

__all__ = ["openai_server", "openai_server_session"]

MACHINE_DATABASE_URL = os.environ.get(
    "TEST_MACHINE_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)


async def _reachable(url: str) -> str | None:
    try:
        connection = await asyncio.wait_for(asyncpg.connect(**_asyncpg_dsn(url, "postgres")), 5)
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    await connection.close()
    return None


@pytest.fixture(scope="session")
def machine_server_url() -> str:
    """URL of the machine's PostgreSQL service (a superuser login, trust or password in the URL)."""
    problem = asyncio.run(_reachable(MACHINE_DATABASE_URL))
    if problem is not None:
        reason = (
            f"the machine's PostgreSQL at {make_url(MACHINE_DATABASE_URL).host} does not answer: {problem}"
        )
        if os.environ.get("MNP_E2E_REQUIRED") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return MACHINE_DATABASE_URL


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


@pytest.fixture
async def machine_database(machine_server_url: str) -> AsyncIterator[str]:
    """An empty database on the machine's server (owned by the superuser), dropped after the test."""
    name = unique("mnp_prod")
    await admin_execute(machine_server_url, f'CREATE DATABASE "{name}"')
    yield with_database(machine_server_url, name)
    await admin_execute(machine_server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def server_has_pgvector(server_url: str) -> bool:
    connection = await asyncpg.connect(**_asyncpg_dsn(server_url, "postgres"))
    try:
        found = await connection.fetchval("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")
    finally:
        await connection.close()
    return found is not None
