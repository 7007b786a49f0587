"""database/bootstrap.sql: role, database, PostgreSQL 15+ schema privileges and extensions; then the app role
migrates and seeds (the machine's PostgreSQL 15), or applies schema.sql and the seed file with psql
(the embedded server, which has pgvector)."""

import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from mnp_chatbot.core import embedded_db
from mnp_chatbot.knowledge import loader
from tests.fixtures.database import admin_execute
from tests.production.conftest import server_has_pgvector, unique

ROOT = Path(__file__).resolve().parents[3]
BOOTSTRAP_SQL = ROOT / "database" / "bootstrap.sql"
SCHEMA_SQL = ROOT / "database" / "schema.sql"
SEED_SQL = ROOT / "database" / "seeds" / "mnp_faqs.sql"
CLI = Path(sys.executable).parent / "mnp-chatbot"
PASSWORD = "Bq7'x z9-Lm3pT6vR8sY1"


def psql_binary() -> str:
    return shutil.which("psql") or str(embedded_db.client_bin_dir() / "psql")


def host_of(url: str) -> str:
    parsed = make_url(url)
    return str(parsed.query.get("host") or parsed.host)


def psql(
    url: str, *args: str, user: str = "postgres", database: str = "postgres"
) -> subprocess.CompletedProcess[str]:
    parsed = make_url(url)
    command = [psql_binary(), "-X", "-h", host_of(url), "-U", user, "-d", database, *args]
    if parsed.port:
        command += ["-p", str(parsed.port)]
    return subprocess.run(
        command, capture_output=True, text=True, env={"PGPASSWORD": PASSWORD, "PATH": "/usr/bin:/bin"}
    )


def bootstrap(url: str, name: str, password: str = PASSWORD) -> subprocess.CompletedProcess[str]:
    variables = ["-v", f"app_user={name}", "-v", f"app_db={name}", "-v", f"app_password={password}"]
    return psql(url, *variables, "-f", str(BOOTSTRAP_SQL))


class Bootstrapped:
    def __init__(self, server_url: str, name: str) -> None:
        self.server_url = server_url
        self.name = name

    def app_url(self) -> str:
        parsed = make_url(self.server_url)
        return parsed.set(username=self.name, password=PASSWORD, database=self.name).render_as_string(
            hide_password=False
        )

    async def fetch(self, sql: str, *, as_app: bool = False) -> list[asyncpg.Record]:
        parsed = make_url(self.server_url)
        connection = await asyncpg.connect(
            user=self.name if as_app else parsed.username,
            password=PASSWORD if as_app else parsed.password,
            database=self.name,
            host=host_of(self.server_url),
            port=parsed.port,
        )
        try:
            return list(await connection.fetch(sql))
        finally:
            await connection.close()


async def _drop(server_url: str, name: str) -> None:
    await admin_execute(
        server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'DROP ROLE IF EXISTS "{name}"'
    )


@pytest.fixture
async def on_machine(machine_server_url: str) -> AsyncIterator[Bootstrapped]:
    name = unique("mnp_boot")
    yield Bootstrapped(machine_server_url, name)
    await _drop(machine_server_url, name)


@pytest.fixture
async def on_embedded(server_url: str) -> AsyncIterator[Bootstrapped]:
    name = unique("mnp_boot")
    yield Bootstrapped(server_url, name)
    await _drop(server_url, name)


def cli(*args: str, database_url: str, cwd: Path) -> str:
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": database_url}
    done = subprocess.run([str(CLI), *args], env=env, cwd=cwd, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


class TestBootstrapSql:
    async def test_creates_role_database_and_schema_privileges_and_is_rerunnable(
        self, on_machine: Bootstrapped
    ) -> None:
        first = bootstrap(on_machine.server_url, on_machine.name)
        assert first.returncode == 0, first.stderr
        assert f"role {on_machine.name}, database {on_machine.name}" in first.stdout
        again = bootstrap(on_machine.server_url, on_machine.name)
        assert again.returncode == 0, again.stderr
        [row] = await on_machine.fetch(
            f"""SELECT r.rolsuper, r.rolcreatedb, r.rolcreaterole, r.rolcanlogin,
                       pg_get_userbyid(d.datdba) AS owner, pg_encoding_to_char(d.encoding) AS encoding,
                       has_schema_privilege('{on_machine.name}', 'public', 'CREATE') AS can_create,
                       has_schema_privilege('public', 'public', 'CREATE') AS public_can_create,
                       has_database_privilege('public', '{on_machine.name}', 'CONNECT') AS public_can_connect
                FROM pg_roles r, pg_database d
                WHERE r.rolname = '{on_machine.name}' AND d.datname = '{on_machine.name}'"""
        )
        assert dict(row) == {
            "rolsuper": False,
            "rolcreatedb": False,
            "rolcreaterole": False,
            "rolcanlogin": True,
            "owner": on_machine.name,
            "encoding": "UTF8",
            "can_create": True,
            "public_can_create": False,
            "public_can_connect": False,
        }
        extensions = {r["extname"] for r in await on_machine.fetch("SELECT extname FROM pg_extension")}
        assert "uuid-ossp" in extensions
        assert ("vector" in extensions) == await server_has_pgvector(on_machine.server_url)

    async def test_an_empty_password_is_refused_with_a_clear_error(self, on_machine: Bootstrapped) -> None:
        done = bootstrap(on_machine.server_url, on_machine.name, password="")
        assert done.returncode != 0
        assert "app_password is empty" in done.stderr

    async def test_the_app_role_migrates_and_seeds_as_the_guide_says(
        self, on_machine: Bootstrapped, tmp_path: Path
    ) -> None:
        assert bootstrap(on_machine.server_url, on_machine.name).returncode == 0
        url = (
            make_url(on_machine.app_url()).set(drivername="postgresql").render_as_string(hide_password=False)
        )
        assert "database migrated" in cli("migrate", database_url=url, cwd=tmp_path)
        assert "seeded" in cli("seed", database_url=url, cwd=tmp_path)
        owners = await on_machine.fetch(
            "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'", as_app=True
        )
        assert [r["tableowner"] for r in owners] == [on_machine.name]
        [count] = await on_machine.fetch("SELECT count(*) AS n FROM faqs", as_app=True)
        assert count["n"] == len(loader.load_faqs())

    async def test_the_app_role_applies_schema_sql_and_the_seed_file_with_psql(
        self, on_embedded: Bootstrapped
    ) -> None:
        done = bootstrap(on_embedded.server_url, on_embedded.name)
        assert done.returncode == 0, done.stderr
        for path in (SCHEMA_SQL, SEED_SQL):
            applied = psql(
                on_embedded.server_url,
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-f",
                str(path),
                user=on_embedded.name,
                database=on_embedded.name,
            )
            assert applied.returncode == 0, applied.stderr
        [row] = await on_embedded.fetch(
            "SELECT (SELECT count(*) FROM faqs) AS faqs, "
            "(SELECT count(*) FROM pg_extension WHERE extname = 'vector') AS vector, "
            "(SELECT version_num FROM alembic_version) AS revision",
            as_app=True,
        )
        assert row["faqs"] == len(loader.load_faqs())
        assert row["vector"] == 1
        assert row["revision"]
