"""What the readiness check reads from the database (one short-lived connection, no pool)."""

from dataclasses import dataclass

import asyncpg


@dataclass(frozen=True, slots=True)
class DatabaseFacts:
    server_version: int  # e.g. 150020
    extensions: frozenset[str]
    revision: str | None  # alembic_version, None before the first migration
    has_embedding_column: bool
    audit_append_only: bool


async def read_facts(connection: asyncpg.Connection) -> DatabaseFacts:
    version = int(await connection.fetchval("SHOW server_version_num"))
    extensions = frozenset(r["extname"] for r in await connection.fetch("SELECT extname FROM pg_extension"))
    has_version_table = await connection.fetchval("SELECT to_regclass('alembic_version') IS NOT NULL")
    revision = (
        await connection.fetchval("SELECT max(version_num) FROM alembic_version")
        if has_version_table
        else None
    )
    column = await connection.fetchval(
        "SELECT 1 FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = 'faqs' AND column_name = 'embedding'"
    )
    triggers = await connection.fetchval(
        "SELECT count(*) FROM pg_trigger "
        "WHERE tgname IN ('audit_logs_no_update_delete', 'audit_logs_no_truncate')"
    )
    return DatabaseFacts(version, extensions, revision, column is not None, triggers == 2)
