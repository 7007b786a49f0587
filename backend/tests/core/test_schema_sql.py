"""database/schema.sql and database/seeds/mnp_faqs.sql work with `psql -f` and match the migrations."""

import re
import subprocess
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from mnp_chatbot.core import embedded_db
from mnp_chatbot.knowledge import loader
from mnp_chatbot.knowledge.sql_export import seed_sql
from tests.fixtures.database import _asyncpg_dsn, admin_execute

ROOT = Path(__file__).resolve().parents[3]
SCHEMA_SQL = ROOT / "database" / "schema.sql"
SEED_SQL = ROOT / "database" / "seeds" / "mnp_faqs.sql"

CATALOG_QUERIES = {
    "columns": """
        SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default,
               character_maximum_length
        FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2""",
    "indexes": "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1",
    "constraints": """
        SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
        FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2""",
    "extensions": "SELECT extname FROM pg_extension WHERE extname IN ('vector') ORDER BY 1",
    "revision": "SELECT version_num FROM alembic_version",
}


CASTS = re.compile(r"::(?:character varying|text)(?:\[\])?|[()\s]")


def canonical(rows: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    """Catalog rows with casts and parentheses dropped: PostgreSQL prints a CHECK over varchar differently
    after a dump and reload (`ANY (ARRAY[...]::text[])` vs `ANY (ARRAY[(...)::text])`), meaning the same."""
    return sorted(tuple(CASTS.sub("", v) if isinstance(v, str) else v for v in row) for row in rows)


def psql_file(url: str, path: Path) -> None:
    parsed = make_url(url)
    host = parsed.query.get("host") or parsed.host or "localhost"
    command = [
        str(embedded_db.client_bin_dir() / "psql"),
        "-X",
        "-q",
        "-v",
        "ON_ERROR_STOP=1",
        "-h",
        str(host),
    ]
    command += ["-U", parsed.username or "postgres", "-d", parsed.database or "", "-f", str(path)]
    if parsed.port:
        command += ["-p", str(parsed.port)]
    env = {"PGPASSWORD": parsed.password or ""}
    subprocess.run(command, check=True, capture_output=True, text=True, env=env)


async def catalog(url: str) -> dict[str, list[tuple[object, ...]]]:
    connection = await asyncpg.connect(**_asyncpg_dsn(url, make_url(url).database or ""))
    try:
        return {
            name: [tuple(row) for row in await connection.fetch(sql)] for name, sql in CATALOG_QUERIES.items()
        }
    finally:
        await connection.close()


@pytest.fixture
async def psql_database(server_url: str) -> AsyncIterator[str]:
    name = f"mnp_psql_{uuid.uuid4().hex[:10]}"
    await admin_execute(server_url, f'CREATE DATABASE "{name}"')
    yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    await admin_execute(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class TestSchemaSql:
    async def test_schema_sql_builds_the_same_schema_as_the_migrations(
        self, psql_database: str, template_url: str
    ) -> None:
        psql_file(psql_database, SCHEMA_SQL)
        built, migrated = await catalog(psql_database), await catalog(template_url)
        for part in CATALOG_QUERIES:
            assert canonical(built[part]) == canonical(migrated[part]), part

    async def test_seed_sql_loads_every_faq_and_carrier_and_can_be_rerun(self, psql_database: str) -> None:
        psql_file(psql_database, SCHEMA_SQL)
        psql_file(psql_database, SEED_SQL)
        psql_file(psql_database, SEED_SQL)
        connection = await asyncpg.connect(
            **_asyncpg_dsn(psql_database, make_url(psql_database).database or "")
        )
        try:
            faqs = await connection.fetchval("SELECT count(*) FROM faqs")
            carriers = await connection.fetchval("SELECT count(*) FROM carriers")
            gin = await connection.fetchval("SELECT count(*) FROM faqs WHERE keywords @> ARRAY['MNP']")
        finally:
            await connection.close()
        assert faqs == len(loader.load_faqs())
        assert carriers == len(loader.load_carriers())
        assert gin >= 0

    def test_seed_sql_is_up_to_date_with_the_knowledge_files(self) -> None:
        expected = seed_sql(loader.load_faqs(), loader.load_carriers())
        assert SEED_SQL.read_text(encoding="utf-8") == expected, "run `make sql` to regenerate"

    def test_schema_sql_names_the_seed_indexes(self) -> None:
        text = SCHEMA_SQL.read_text(encoding="utf-8")
        for index in ("idx_messages_session_id", "idx_messages_created_at", "idx_faqs_keywords_gin"):
            assert f"CREATE INDEX {index}" in text
