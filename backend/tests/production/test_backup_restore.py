"""scripts/backup.sh and scripts/restore.sh: the restore drill (backup, drop, restore: every conversation,
message, FAQ and audit row is back, by count and checksum), retention of old dumps, and clear errors.

The drill runs as the app role made by database/bootstrap.sql, on the machine's PostgreSQL 15 with its own
client tools, and on the embedded PostgreSQL (with pgvector) with the client tools of its wheel."""

import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy.engine import make_url

from mnp_chatbot.core import embedded_db
from mnp_chatbot.core.config import Settings
from mnp_chatbot.main import create_app
from tests.fixtures.database import admin_execute
from tests.production.conftest import unique
from tests.production.test_bootstrap_sql import Bootstrapped, bootstrap

ROOT = Path(__file__).resolve().parents[3]
BACKUP = ROOT / "scripts" / "backup.sh"
RESTORE = ROOT / "scripts" / "restore.sh"
CLI = Path(sys.executable).parent / "mnp-chatbot"
DRILL_TABLES = ("conversations", "messages", "faqs", "audit_logs", "carriers", "users", "feedback")
QUESTIONS = ("ドコモからauに乗り換えたい", "MNP予約番号の有効期限は？", "手数料はかかりますか")


def app_url(db: Bootstrapped, *, driver: str = "postgresql") -> str:
    return make_url(db.app_url()).set(drivername=driver).render_as_string(hide_password=False)


def run(
    script: Path, *args: str, url: str, cwd: Path, pg_bin: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "DATABASE_URL": url}
    if pg_bin:
        env["PG_BIN"] = pg_bin
    return subprocess.run([str(script), *args], env=env, cwd=cwd, capture_output=True, text=True)


def cli(*args: str, url: str, cwd: Path, extra: dict[str, str] | None = None) -> str:
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": url, **(extra or {})}
    done = subprocess.run([str(CLI), *args], env=env, cwd=cwd, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


async def fingerprint(db: Bootstrapped) -> dict[str, tuple[int, str]]:
    """Row count and an md5 over every row's text, per table of the drill."""
    parts = []
    for table in DRILL_TABLES:
        parts.append(
            f"SELECT '{table}' AS name, count(*) AS n, "
            f"md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) AS sum FROM {table} t"
        )
    rows = await db.fetch(" UNION ALL ".join(parts), as_app=True)
    return {row["name"]: (row["n"], row["sum"]) for row in rows}


async def fill(db: Bootstrapped, tmp_path: Path) -> None:
    """Schema, knowledge, conversations through the real app, and audit rows through the CLI."""
    url = app_url(db)
    cli("migrate", url=url, cwd=tmp_path)
    cli("seed", url=url, cwd=tmp_path)
    admin = {"MNP_ADMIN_PASSWORD": "Drill-pass-9x7Q2w"}
    cli("create-admin", "--email", f"{db.name}@example.jp", url=url, cwd=tmp_path, extra=admin)
    cli("purge", url=url, cwd=tmp_path)
    settings = Settings(
        _env_file=None,
        ENVIRONMENT="test",
        DATABASE_URL=url,
        DATABASE_POOL_MIN=1,
        DATABASE_POOL_MAX=3,
        DATA_DIR=tmp_path,
        LOG_LEVEL="warning",
        RETENTION_PURGE_INTERVAL_SECONDS=0,
    )
    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=60) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            for _session in range(2):
                session_id = None
                for question in QUESTIONS:
                    body = {"message": question, **({"sessionId": session_id} if session_id else {})}
                    reply = await http.post("/api/chat", json=body)
                    assert reply.status_code == 200, reply.text
                    session_id = reply.json()["sessionId"]
                    message_id = reply.json()["messageId"]
                feedback = await http.post(
                    f"/api/messages/{message_id}/feedback", json={"rating": "up", "sessionId": session_id}
                )
                assert feedback.status_code < 300, feedback.text


async def drop_and_recreate(db: Bootstrapped) -> None:
    await admin_execute(db.server_url, f'DROP DATABASE "{db.name}" WITH (FORCE)')
    done = bootstrap(db.server_url, db.name)
    assert done.returncode == 0, done.stderr


@pytest.fixture
async def machine_db(machine_server_url: str) -> AsyncIterator[Bootstrapped]:
    db = Bootstrapped(machine_server_url, unique("mnp_drill"))
    assert bootstrap(machine_server_url, db.name).returncode == 0
    yield db
    await admin_execute(
        machine_server_url,
        f'DROP DATABASE IF EXISTS "{db.name}" WITH (FORCE)',
        f'DROP ROLE IF EXISTS "{db.name}"',
    )


@pytest.fixture
async def embedded_db_(server_url: str) -> AsyncIterator[Bootstrapped]:
    db = Bootstrapped(server_url, unique("mnp_drill"))
    assert bootstrap(server_url, db.name).returncode == 0
    yield db
    await admin_execute(
        server_url, f'DROP DATABASE IF EXISTS "{db.name}" WITH (FORCE)', f'DROP ROLE IF EXISTS "{db.name}"'
    )


async def drill(db: Bootstrapped, tmp_path: Path, pg_bin: str | None) -> Path:
    await fill(db, tmp_path)
    before = await fingerprint(db)
    for table in ("conversations", "messages", "faqs", "audit_logs", "feedback"):
        assert before[table][0] > 0, f"the drill needs {table} rows"
    backups = tmp_path / "backups"
    made = run(BACKUP, "--dir", str(backups), url=app_url(db), cwd=tmp_path, pg_bin=pg_bin)
    assert made.returncode == 0, made.stderr
    dump = Path(made.stdout.strip().splitlines()[-1])
    assert dump.parent == backups
    assert dump.name.startswith(f"{db.name}-")
    assert dump.suffix == ".dump"
    assert dump.read_bytes()[:5] == b"PGDMP", "custom format"

    await drop_and_recreate(db)
    assert await db.fetch("SELECT 1 FROM pg_tables WHERE schemaname = 'public'", as_app=True) == []
    restored = run(RESTORE, str(dump), url=app_url(db), cwd=tmp_path, pg_bin=pg_bin)
    assert restored.returncode == 0, restored.stderr
    assert f"messages={before['messages'][0]}" in restored.stdout
    assert await fingerprint(db) == before
    return dump


class TestRestoreDrill:
    async def test_machine_postgresql_backup_drop_restore(
        self, machine_db: Bootstrapped, tmp_path: Path
    ) -> None:
        dump = await drill(machine_db, tmp_path, pg_bin=None)
        again = run(RESTORE, str(dump), url=app_url(machine_db), cwd=tmp_path)
        assert again.returncode == 1
        assert "is not empty" in again.stderr
        # the restored database is a working one: the app role migrates it (a no-op at head) and the
        # append-only audit trigger came back with it
        cli("migrate", url=app_url(machine_db), cwd=tmp_path)
        with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError):
            await machine_db.fetch("DELETE FROM audit_logs", as_app=True)

    async def test_embedded_postgresql_with_pgvector_and_its_own_client_tools(
        self, embedded_db_: Bootstrapped, tmp_path: Path
    ) -> None:
        await drill(embedded_db_, tmp_path, pg_bin=str(embedded_db.client_bin_dir()))
        [row] = await embedded_db_.fetch(
            "SELECT count(*) AS n FROM information_schema.columns "
            "WHERE table_name = 'faqs' AND column_name = 'embedding'",
            as_app=True,
        )
        assert row["n"] == 1


def fake_dump(directory: Path, name: str, age_seconds: float) -> Path:
    path = directory / name
    path.write_bytes(b"PGDMP-fake")
    stamp = time.time() - age_seconds
    os.utime(path, (stamp, stamp))
    return path


class TestRetentionAndErrors:
    async def test_retention_by_count_and_by_days(self, machine_db: Bootstrapped, tmp_path: Path) -> None:
        backups = tmp_path / "backups"
        backups.mkdir()
        prefix = machine_db.name
        recent = [fake_dump(backups, f"{prefix}-2026010{d}T000000Z.dump", 3600 * d) for d in (1, 2, 3)]
        old = fake_dump(backups, f"{prefix}-20250101T000000Z.dump", 40 * 86400)
        other = fake_dump(backups, "another_db-20250101T000000Z.dump", 40 * 86400)
        url = app_url(machine_db)
        first = run(BACKUP, "--dir", str(backups), "--keep", "10", "--keep-days", "30", url=url, cwd=tmp_path)
        assert first.returncode == 0, first.stderr
        newest = Path(first.stdout.strip().splitlines()[-1])
        assert "removed 1 old dump(s)" in first.stdout
        assert not old.exists()
        assert other.exists()
        assert all(p.exists() for p in recent)
        second = run(BACKUP, "--dir", str(backups), "--keep", "2", "--keep-days", "0", url=url, cwd=tmp_path)
        assert second.returncode == 0, second.stderr
        latest = Path(second.stdout.strip().splitlines()[-1])
        left = sorted(p.name for p in backups.glob(f"{prefix}-*.dump"))
        assert left == sorted([newest.name, latest.name])
        assert other.exists()

    async def test_unreachable_database_is_a_clear_error_and_leaves_no_file(self, tmp_path: Path) -> None:
        backups = tmp_path / "backups"
        url = "postgresql://nobody:x@127.0.0.1:1/mnp_chatbot"
        done = run(BACKUP, "--dir", str(backups), url=url, cwd=tmp_path)
        assert done.returncode == 1
        assert done.stderr.startswith("backup.sh: cannot connect to database mnp_chatbot on 127.0.0.1:1")
        assert not backups.exists() or not list(backups.iterdir())

    async def test_no_database_url_is_a_clear_error(self, tmp_path: Path) -> None:
        done = subprocess.run(
            [str(BACKUP)], env={"PATH": "/usr/bin:/bin"}, cwd=tmp_path, capture_output=True, text=True
        )
        assert done.returncode == 1
        assert "DATABASE_URL is not set" in done.stderr

    async def test_database_url_is_read_from_env_file(self, machine_db: Bootstrapped, tmp_path: Path) -> None:
        (tmp_path / ".env.production").write_text(
            f"NODE_ENV=production\nDATABASE_URL={app_url(machine_db)}\n"
        )
        env = {"PATH": "/usr/bin:/bin", "ENV_FILE": ".env.production"}
        done = subprocess.run(
            [str(BACKUP), "--dir", "b"], env=env, cwd=tmp_path, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        assert (tmp_path / done.stdout.strip().splitlines()[-1]).is_file()

    async def test_restore_refuses_what_is_not_a_dump(self, machine_db: Bootstrapped, tmp_path: Path) -> None:
        missing = run(RESTORE, str(tmp_path / "nope.dump"), url=app_url(machine_db), cwd=tmp_path)
        assert missing.returncode == 1
        assert "does not exist" in missing.stderr
        text = tmp_path / "plain.sql"
        text.write_text("SELECT 1;\n")
        wrong = run(RESTORE, str(text), url=app_url(machine_db), cwd=tmp_path)
        assert wrong.returncode == 1
        assert "is not a pg_dump custom-format archive" in wrong.stderr

    async def test_client_older_than_the_server_is_refused(
        self, embedded_db_: Bootstrapped, tmp_path: Path
    ) -> None:
        system = Path("/usr/bin/pg_dump")
        if not system.exists():
            pytest.skip("no system pg_dump to compare with the embedded server's version")
        version = subprocess.run([str(system), "--version"], capture_output=True, text=True).stdout
        if int(version.split()[-1].split(".")[0]) >= 18:
            pytest.skip(f"the system pg_dump is not older than the embedded server: {version.strip()}")
        done = run(
            BACKUP, "--dir", str(tmp_path / "b"), url=app_url(embedded_db_), cwd=tmp_path, pg_bin="/usr/bin"
        )
        assert done.returncode == 1
        assert "is older than the PostgreSQL 18 server" in done.stderr
