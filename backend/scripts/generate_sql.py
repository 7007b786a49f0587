"""Regenerates database/schema.sql (from the Alembic migrations) and database/seeds/mnp_faqs.sql.

Run with `make sql`. schema.sql is `pg_dump --schema-only` of a freshly migrated database, made portable
for `psql -f` on PostgreSQL >= 14, and ends by stamping the Alembic revision so that later migrations apply.
"""

import subprocess
import sys
import tempfile
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory

from mnp_chatbot.cli import ALEMBIC_INI, run_migrations
from mnp_chatbot.core import embedded_db
from mnp_chatbot.knowledge import loader
from mnp_chatbot.knowledge.sql_export import seed_sql

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_SQL = ROOT / "database" / "schema.sql"
SEED_SQL = ROOT / "database" / "seeds" / "mnp_faqs.sql"
SCRATCH_DATABASE = "mnp_schema_dump"

# psql meta-commands of new pg_dump versions, settings older servers lack, version banners, and the
# extension comment (only the extension's owner may set it; the guide creates extensions as postgres).
SKIPPED_LINES = ("\\restrict", "\\unrestrict", "SET transaction_timeout", "-- Dumped", "COMMENT ON EXTENSION")

SCHEMA_HEADER = """-- MNP Chatbot database schema (PostgreSQL >= 14 with the vector extension).
-- Generated from the Alembic migrations by `make sql`; do not edit by hand.
-- Apply with: psql -d mnp_chatbot -f database/schema.sql
"""


def head_revision() -> str:
    head = ScriptDirectory.from_config(Config(str(ALEMBIC_INI))).get_current_head()
    assert head is not None
    return head


def portable(dump: str) -> str:
    """Drop what older psql/pg versions reject and what makes the dump differ from run to run."""
    kept = []
    for line in dump.splitlines():
        if line.startswith(SKIPPED_LINES):
            continue
        kept.append(line)
    body = "\n".join(kept).strip() + "\n"
    stamp = (
        f"\nINSERT INTO public.alembic_version (version_num) VALUES ('{head_revision()}')\n"
        "ON CONFLICT DO NOTHING;\n"
    )
    return SCHEMA_HEADER + "\n" + body + stamp


def dump_schema(embedded: embedded_db.EmbeddedPostgres) -> str:
    embedded.psql(f'DROP DATABASE IF EXISTS "{SCRATCH_DATABASE}"')
    embedded.psql(f'CREATE DATABASE "{SCRATCH_DATABASE}"')
    try:
        run_migrations(embedded.url(SCRATCH_DATABASE))
        command = [
            str(embedded.bin_dir / "pg_dump"),
            "--schema-only",
            "--no-owner",
            "--no-privileges",
            "--exclude-table-data=*",
            "-h",
            embedded.socket_dir,
            "-U",
            "postgres",
            SCRATCH_DATABASE,
        ]
        dump = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        embedded.psql(f'DROP DATABASE IF EXISTS "{SCRATCH_DATABASE}"')
    return portable(dump)


def main() -> int:
    with tempfile.TemporaryDirectory() as scratch, embedded_db.running(Path(scratch)) as embedded:
        SCHEMA_SQL.parent.mkdir(parents=True, exist_ok=True)
        SCHEMA_SQL.write_text(dump_schema(embedded), encoding="utf-8")
    SEED_SQL.parent.mkdir(parents=True, exist_ok=True)
    SEED_SQL.write_text(seed_sql(loader.load_faqs(), loader.load_carriers()), encoding="utf-8")
    print(f"wrote {SCHEMA_SQL.relative_to(ROOT)} and {SEED_SQL.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
