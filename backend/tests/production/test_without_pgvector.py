"""PostgreSQL without pgvector (the machine's stock PostgreSQL 15): migrations pass, the seed loads, chats are
answered by lexical retrieval, and /health says that dense retrieval is off. With pgvector (the embedded
server) the schema keeps its embedding column and /health says so."""

import asyncio
import subprocess
import sys
from pathlib import Path

import asyncpg
import httpx
import pytest
from alembic import command
from alembic.config import Config
from asgi_lifespan import LifespanManager
from sqlalchemy.engine import make_url

from mnp_chatbot.cli import ALEMBIC_INI
from mnp_chatbot.core.config import Settings
from mnp_chatbot.knowledge import loader
from mnp_chatbot.main import create_app
from tests.core.test_schema_sql import canonical, catalog
from tests.fixtures.database import _asyncpg_dsn
from tests.fixtures.openai_server import FakeOpenAI
from tests.production.conftest import server_has_pgvector

CLI = Path(sys.executable).parent / "mnp-chatbot"
VECTOR_ONLY = ("embedding", "idx_faqs_embedding_hnsw", "vector")


def plain(url: str) -> str:
    """The seed's form of a URL: postgresql://user@host:port/db."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def cli(*args: str, env: dict[str, str], cwd: Path) -> str:
    done = subprocess.run(
        [str(CLI), *args], env={"PATH": "/usr/bin:/bin", **env}, cwd=cwd, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def without_vector(rows: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    return [row for row in rows if not any(str(value) in VECTOR_ONLY for value in row)]


def without_not_null(rows: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    """PostgreSQL 18 lists NOT NULL as constraints, 15 does not (columns.is_nullable compares them)."""
    return [row for row in rows if not str(row[-1]).startswith("NOT NULL")]


@pytest.fixture
async def no_vector_database(machine_server_url: str, machine_database: str) -> str:
    if await server_has_pgvector(machine_server_url):
        pytest.skip("the machine's PostgreSQL has pgvector: there is no server without it to test against")
    return machine_database


class TestWithoutPgvector:
    async def test_migrate_and_seed_pass_and_the_schema_is_the_same_but_for_the_vector(
        self, no_vector_database: str, template_url: str, tmp_path: Path
    ) -> None:
        env = {"DATABASE_URL": plain(no_vector_database)}
        assert "database migrated" in cli("migrate", env=env, cwd=tmp_path)
        assert f"seeded {len(loader.load_faqs())} FAQ entries" in cli("seed", env=env, cwd=tmp_path)
        built, embedded = await catalog(no_vector_database), await catalog(template_url)
        for part in ("columns", "indexes", "constraints", "revision"):
            expected = without_not_null(without_vector(embedded[part]))
            assert canonical(without_not_null(built[part])) == canonical(expected), part
        assert built["extensions"] == []
        assert ("faqs", "embedding") in {row[:2] for row in embedded["columns"]}

    async def test_downgrade_to_base_and_upgrade_again(self, no_vector_database: str, tmp_path: Path) -> None:
        env = {"DATABASE_URL": plain(no_vector_database)}
        cli("migrate", env=env, cwd=tmp_path)
        config = Config(str(ALEMBIC_INI))
        config.attributes["url"] = no_vector_database
        await asyncio.to_thread(command.downgrade, config, "base")
        name = make_url(no_vector_database).database or ""
        connection = await asyncpg.connect(**_asyncpg_dsn(no_vector_database, name))
        try:
            tables = await connection.fetchval(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' "
                "AND table_name <> 'alembic_version'"
            )
        finally:
            await connection.close()
        assert tables == 0
        cli("migrate", env=env, cwd=tmp_path)

    async def test_chat_is_answered_and_health_says_dense_retrieval_is_off(
        self, no_vector_database: str, tmp_path: Path, openai_server: FakeOpenAI
    ) -> None:
        env = {"DATABASE_URL": plain(no_vector_database)}
        cli("migrate", env=env, cwd=tmp_path)
        cli("seed", env=env, cwd=tmp_path)
        settings = Settings(
            _env_file=None,
            ENVIRONMENT="test",
            DATABASE_URL=plain(no_vector_database),
            DATABASE_POOL_MIN=1,
            DATABASE_POOL_MAX=3,
            DATA_DIR=tmp_path,
            LOG_LEVEL="warning",
            OPENAI_API_KEY="sk-test-k9Qw2xZ",
            OPENAI_BASE_URL=openai_server.url,
        )
        app = create_app(settings)
        async with LifespanManager(app, startup_timeout=60) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
                chat = await http.post("/api/chat", json={"message": "MNP予約番号の有効期限は何日ですか？"})
                health = await http.get("/health")
                search = await http.get("/api/faqs/search", params={"q": "予約番号 有効期限"})
        assert chat.status_code == 200, chat.text
        reply = chat.json()["reply"]
        assert reply["text"]
        assert reply["sources"], reply
        assert search.status_code == 200
        assert search.json()["results"], search.json()
        database = health.json()["checks"]["database"]
        assert health.status_code == 200
        assert database["status"] == "ok"
        assert database["vector"] is False
        assert "dense retrieval is off" in database["note"]
        assert not [r for r in openai_server.requests if "input" in r.body], "no embeddings without pgvector"


class TestWithPgvector:
    async def test_health_says_vector_is_on(self, client: httpx.AsyncClient) -> None:
        database = (await client.get("/health")).json()["checks"]["database"]
        assert database["vector"] is True
        assert "note" not in database
