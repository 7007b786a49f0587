"""Issue 16 item 14: the audit log under a runtime role that cannot switch off its append-only trigger, a
hash chain that shows tampering, and client addresses aged out by the retention purge."""

import asyncio
import base64
import datetime as dt
import hashlib
import hmac
import os
import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mnp_chatbot.audit.service import AuditTrail
from mnp_chatbot.core import embedded_db
from mnp_chatbot.main import create_app
from mnp_chatbot.privacy import retention
from tests.auth.support import Account, bearer, create_account, sign_in
from tests.fixtures.app import SettingsFactory

ROLES_SQL = Path(__file__).resolve().parents[3] / "database" / "roles.sql"
MACHINE_POSTGRES = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}


def connection_of(url: str) -> dict[str, str | int | None]:
    parsed = make_url(url)
    return {
        "host": parsed.query.get("host") or parsed.host,  # type: ignore[dict-item]
        "port": parsed.port or 5432,
        "user": parsed.username,
        "database": parsed.database,
    }


def psql_binary() -> str:
    embedded = embedded_db.client_bin_dir() / "psql"
    return str(embedded) if embedded.exists() else (shutil.which("psql") or "psql")


def run_roles_sql(psql: str, target: dict[str, str | int | None], app_user: str, password: str) -> None:
    command = [psql, "-X", "-q", "-h", str(target["host"]), "-p", str(target["port"])]
    command += ["-U", str(target["user"]), "-d", str(target["database"])]
    command += ["-v", f"app_user={app_user}", "-v", f"app_password={password}", "-f", str(ROLES_SQL)]
    subprocess.run(command, check=True, capture_output=True, text=True)


async def as_superuser(database_url: str, *statements: str) -> None:
    target = connection_of(database_url)
    connection = await asyncpg.connect(**target)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture
async def runtime_role(database_url: str) -> AsyncIterator[str]:
    """A login role made by database/roles.sql on the test database: what production's app connects as."""
    role = f"mnp_rt_{uuid.uuid4().hex[:10]}"
    await asyncio.to_thread(
        run_roles_sql, psql_binary(), connection_of(database_url), role, "runtime-password"
    )
    yield role
    await as_superuser(database_url, f'DROP OWNED BY "{role}"', f'DROP ROLE IF EXISTS "{role}"')


async def test_item14_roles_sql_refuses_a_runtime_role_that_owns_tables(database_url: str) -> None:
    """DEPLOYMENT.md's owner (bootstrap.sql's `mnp_app`) given to roles.sql as the runtime login by mistake:
    refused, since an owner can switch the audit log's triggers off."""
    owner = f"mnp_own_{uuid.uuid4().hex[:10]}"
    table = f"owned_{uuid.uuid4().hex[:10]}"
    await as_superuser(database_url, f'CREATE ROLE "{owner}" LOGIN', f'CREATE TABLE "{table}" (id int)')
    await as_superuser(database_url, f'ALTER TABLE "{table}" OWNER TO "{owner}"')
    try:
        with pytest.raises(subprocess.CalledProcessError) as refused:
            await asyncio.to_thread(
                run_roles_sql, psql_binary(), connection_of(database_url), owner, "owner-password"
            )
        assert "owns this database or its tables" in refused.value.stderr
    finally:
        await as_superuser(database_url, f'DROP TABLE "{table}"', f'DROP ROLE "{owner}"')


async def test_item14_runtime_role_cannot_disable_the_append_only_trigger(
    database_url: str, runtime_role: str, make_settings: SettingsFactory, db: async_sessionmaker[AsyncSession]
) -> None:
    target = {**connection_of(database_url), "user": runtime_role}
    connection = await asyncpg.connect(**target)
    try:
        row = await connection.fetchrow(
            "INSERT INTO audit_logs (action, details, client_address) "
            "VALUES ('test.inserted', '{}', '203.0.113.1') RETURNING chain_seq, row_hash"
        )
        assert row is not None
        assert len(row["row_hash"]) == 64
        refused = [
            "ALTER TABLE audit_logs DISABLE TRIGGER audit_logs_no_update_delete",
            "ALTER TABLE audit_logs DISABLE TRIGGER ALL",
            "DROP TRIGGER audit_logs_no_update_delete ON audit_logs",
            "ALTER TABLE audit_logs OWNER TO CURRENT_USER",
            "UPDATE audit_logs SET action = 'test.rewritten'",
            "UPDATE audit_logs SET client_address = '198.51.100.1'",
            "DELETE FROM audit_logs",
            "TRUNCATE audit_logs",
            "SET ROLE postgres",
        ]
        for statement in refused:
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await connection.execute(statement)
        aged = await connection.execute(
            "UPDATE audit_logs SET client_address = NULL WHERE action = 'test.inserted'"
        )
        assert aged == "UPDATE 1"
    finally:
        await connection.close()

    runtime_url = make_url(database_url).set(username=runtime_role).render_as_string(hide_password=False)
    admin = await create_account(db, "admin")
    app = create_app(make_settings(DATABASE_URL=runtime_url))
    async with LifespanManager(app, startup_timeout=60) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            tokens = await sign_in(client, admin)
            page = (await client.get("/api/admin/audit-logs", headers=bearer(tokens))).json()
            chain = (await client.get("/api/admin/audit-logs/verify", headers=bearer(tokens))).json()
    assert page["items"][0]["action"] == "auth.login"
    assert page["items"][0]["clientAddress"] == "127.0.0.1"
    assert chain["ok"] is True


async def test_item14_the_hash_chain_shows_a_changed_or_removed_entry(
    client: httpx.AsyncClient, accounts: dict[str, Account], database_url: str
) -> None:
    admin = await sign_in(client, accounts["admin"])
    for _ in range(3):
        await client.post(
            "/api/auth/login", json={"email": accounts["viewer"].email, "password": "wrong-pass"}
        )
    intact = (await client.get("/api/admin/audit-logs/verify", headers=bearer(admin))).json()
    assert intact["ok"] is True
    assert intact["checked"] >= 7  # three users created, a sign-in, three failures
    assert len(intact["headHash"]) == 64

    await as_superuser(
        database_url,
        "ALTER TABLE audit_logs DISABLE TRIGGER audit_logs_no_update_delete",
        "DELETE FROM audit_logs WHERE chain_seq = 5",
        "ALTER TABLE audit_logs ENABLE TRIGGER audit_logs_no_update_delete",
    )
    removed = (await client.get("/api/admin/audit-logs/verify", headers=bearer(admin))).json()
    assert removed == {**removed, "ok": False, "brokenAt": 6, "reason": "missing_entry"}

    await as_superuser(
        database_url,
        "ALTER TABLE audit_logs DISABLE TRIGGER audit_logs_no_update_delete",
        """UPDATE audit_logs SET details = '{"reason": "nothing to see"}' WHERE chain_seq = 2""",
        "ALTER TABLE audit_logs ENABLE TRIGGER audit_logs_no_update_delete",
    )
    changed = (await client.get("/api/admin/audit-logs/verify", headers=bearer(admin))).json()
    assert changed == {**changed, "ok": False, "brokenAt": 2, "reason": "content_changed"}


async def test_item14_client_addresses_age_out_with_the_retention_period(
    client: httpx.AsyncClient, accounts: dict[str, Account], db: async_sessionmaker[AsyncSession]
) -> None:
    await client.post("/api/auth/login", json={"email": accounts["viewer"].email, "password": "wrong-pass"})
    await asyncio.sleep(1.1)
    boundary = dt.datetime.now(dt.UTC)
    await asyncio.sleep(0.1)
    await sign_in(client, accounts["operator"])
    async with db() as session:
        rows = (
            await session.execute(
                text(
                    "SELECT action, client_address, details FROM audit_logs "
                    "WHERE action LIKE 'auth.%' ORDER BY id"
                )
            )
        ).all()
    assert [(row.action, row.client_address) for row in rows] == [
        ("auth.login_failed", "127.0.0.1"),
        ("auth.login", "127.0.0.1"),
    ]
    assert all("client" not in row.details for row in rows)

    trail = AuditTrail(enabled=True)
    report = await retention.purge(db, trail, now=boundary + dt.timedelta(days=30), days=30)
    assert report.deleted["audit_client_addresses"] >= 1
    async with db() as session:
        after = (
            await session.execute(
                text("SELECT action, client_address FROM audit_logs WHERE action LIKE 'auth.%' ORDER BY id")
            )
        ).all()
        chain = await trail.verify(session)
    assert [(row.action, row.client_address) for row in after] == [
        ("auth.login_failed", None),
        ("auth.login", "127.0.0.1"),
    ]
    assert chain.ok


def scram_matches(verifier: str, password: str) -> bool:
    """Whether a pg_authid SCRAM-SHA-256 verifier was made from this password (RFC 5802's StoredKey)."""
    method, rest = verifier.split("$", 1)
    iterations_salt, keys = rest.split("$")
    iterations, salt = iterations_salt.split(":")
    stored_key = keys.split(":")[0]
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(salt), int(iterations))
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    return (
        method == "SCRAM-SHA-256"
        and base64.b64encode(hashlib.sha256(client_key).digest()).decode() == stored_key
    )


async def test_item14_roles_sql_reads_the_password_from_the_environment_without_v(database_url: str) -> None:
    """The compose file's db-roles service passes APP_DB_PASSWORD in its environment, not on argv."""
    role = f"mnp_rt_{uuid.uuid4().hex[:10]}"
    target = connection_of(database_url)
    command = [psql_binary(), "-X", "-q", "-h", str(target["host"]), "-p", str(target["port"])]
    command += ["-U", str(target["user"]), "-d", str(target["database"]), "-v", f"app_user={role}"]
    environment = {**os.environ, "APP_DB_PASSWORD": "from-the-environment"}
    await asyncio.to_thread(
        subprocess.run, [*command, "-f", str(ROLES_SQL)], check=True, capture_output=True, env=environment
    )
    connection = await asyncpg.connect(**target)
    try:
        verifier = await connection.fetchval("SELECT rolpassword FROM pg_authid WHERE rolname = $1", role)
    finally:
        await connection.close()
    try:
        assert scram_matches(verifier, "from-the-environment")
        assert not scram_matches(verifier, "another-password")
    finally:
        await as_superuser(database_url, f'DROP OWNED BY "{role}"', f'DROP ROLE IF EXISTS "{role}"')


def test_item14_roles_sql_runs_on_the_machines_postgresql_15() -> None:
    psql = shutil.which("psql")
    ready = shutil.which("pg_isready")
    if psql is None or ready is None or subprocess.run([ready, "-h", "127.0.0.1", "-p", "5432"]).returncode:
        pytest.skip("the machine's PostgreSQL is not running on 127.0.0.1:5432")
    database = f"mnp_roles_{uuid.uuid4().hex[:10]}"
    role = f"mnp_rt_{uuid.uuid4().hex[:10]}"
    admin = [psql, "-X", "-q", "-tA", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c"]
    had_group = subprocess.run(
        [*admin, "SELECT 1 FROM pg_roles WHERE rolname = 'mnp_runtime'"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    subprocess.run([*admin, f'CREATE DATABASE "{database}"'], check=True)
    try:
        target = {**MACHINE_POSTGRES, "database": database}
        run_roles_sql(psql, target, role, "first-password")  # type: ignore[arg-type]
        run_roles_sql(psql, target, role, "second-password")  # type: ignore[arg-type]
        found = subprocess.run(
            [
                *admin,
                f"SELECT r.rolcanlogin, r.rolsuper, pg_has_role('{role}', 'mnp_runtime', 'MEMBER') "
                f"FROM pg_roles r WHERE r.rolname = '{role}'",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        assert found == "t|f|t"
    finally:
        subprocess.run([*admin, f'DROP DATABASE IF EXISTS "{database}"'], check=True)
        subprocess.run([*admin, f'DROP ROLE IF EXISTS "{role}"'], check=True)
        if not had_group:
            subprocess.run([*admin, "DROP ROLE IF EXISTS mnp_runtime"], check=True)
