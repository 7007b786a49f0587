"""Command line: `mnp-chatbot serve | migrate | seed | ...` (also `python -m mnp_chatbot`)."""

import asyncio
import contextlib
import datetime as dt
import json
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from alembic import command
from alembic.config import Config
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mnp_chatbot import security
from mnp_chatbot.audit.service import AuditAction, AuditEvent, AuditTrail, ChainReport
from mnp_chatbot.auth.models import UserRole
from mnp_chatbot.auth.schemas import UserCreate, UserUpdate
from mnp_chatbot.auth.users import UserService
from mnp_chatbot.core import db
from mnp_chatbot.core.config import Environment, MissingEnvFile, Settings, env_file, get_settings
from mnp_chatbot.core.logging import configure_logging
from mnp_chatbot.core.resources import async_url, command_database
from mnp_chatbot.editorial import commands as knowledge_commands
from mnp_chatbot.knowledge import loader, seeding
from mnp_chatbot.operations import readiness
from mnp_chatbot.privacy import encryption, retention
from mnp_chatbot.privacy.service import reencrypt_contacts

app = typer.Typer(help="MNP Chatbot: serve the app and run its maintenance tasks.", no_args_is_help=True)
ALEMBIC_INI = Path(__file__).resolve().parent.parent / "alembic.ini"
knowledge_commands.register(app)


def _settings() -> Settings:
    settings = get_settings()
    configure_logging(settings.LOG_LEVEL, settings.LOG_DIR)
    return settings


def run_migrations(url: str) -> None:
    config = Config(str(ALEMBIC_INI))
    config.attributes["url"] = url
    command.upgrade(config, "head")


@app.command()
def migrate() -> None:
    """Apply every Alembic migration to the configured (or embedded) database, as the tables' owner
    (DATABASE_MIGRATION_URL when the app itself runs as a runtime role)."""
    settings = _settings()
    with command_database(settings) as url:
        owner = settings.DATABASE_MIGRATION_URL
        run_migrations(async_url(owner) if owner and not settings.uses_embedded_database else url)
    typer.echo("database migrated")


async def _seed(url: str, settings: Settings) -> tuple[int, int]:
    engine = db.create_engine(url, db.PoolSettings(1, 2, settings.DATABASE_SSL))
    try:
        async with db.create_sessionmaker(engine).begin() as session:
            return await seeding.seed(session, loader.load_faqs(), loader.load_carriers())
    finally:
        await engine.dispose()


@app.command("line-worker")
def line_worker() -> None:
    """Process queued LINE webhook events (beside web processes run with LINE_WORKER_IN_PROCESS=false)."""
    settings = _settings().model_copy(update={"LINE_WORKER_IN_PROCESS": True})
    if not settings.line_enabled or settings.uses_embedded_database:
        typer.echo(
            "line-worker needs LINE_CHANNEL_SECRET, LINE_CHANNEL_ACCESS_TOKEN and DATABASE_URL", err=True
        )
        raise typer.Exit(1)
    asyncio.run(_run_line_worker(settings))


async def _run_line_worker(settings: Settings) -> None:
    from mnp_chatbot.main import create_app  # the app's lifespan builds the chat engine and the worker

    application = create_app(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    async with application.router.lifespan_context(application):
        await stop.wait()


@app.command()
def seed() -> None:
    """Load the curated FAQ entries and carrier table into the database (idempotent)."""
    settings = _settings()
    with command_database(settings) as url:
        faqs, carriers = asyncio.run(_seed(url, settings))
    typer.echo(f"seeded {faqs} FAQ entries and {carriers} carriers")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default PORT, or HTTPS_PORT with TLS)")] = None,
) -> None:
    """Serve the API, socket.io and the front end (HTTPS when SSL_CERT_PATH and SSL_KEY_PATH are set)."""
    settings = _settings()
    tls = settings.SSL_CERT_PATH is not None and settings.SSL_KEY_PATH is not None
    uvicorn.run(
        "mnp_chatbot.main:create_asgi_app",
        factory=True,
        host=host or settings.HOST,
        port=port or (settings.HTTPS_PORT if tls else settings.PORT),
        ssl_certfile=str(settings.SSL_CERT_PATH) if tls else None,
        ssl_keyfile=str(settings.SSL_KEY_PATH) if tls else None,
        log_config=None,
        access_log=False,
        proxy_headers=bool(settings.TRUSTED_PROXIES),
        forwarded_allow_ips=",".join(settings.TRUSTED_PROXIES) or None,
        timeout_graceful_shutdown=10,
    )


@contextlib.asynccontextmanager
async def _sessionmaker(url: str, settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = db.create_engine(url, db.PoolSettings(1, 2, settings.DATABASE_SSL))
    try:
        yield db.create_sessionmaker(engine)
    finally:
        await engine.dispose()


async def _create_admin(url: str, settings: Settings, data: UserCreate, *, update_existing: bool) -> str:
    async with _sessionmaker(url, settings) as sessionmaker:
        users = UserService(sessionmaker, AuditTrail(enabled=settings.ENABLE_AUDIT_LOGS))
        existing = [user for user in await users.list_users() if user.email == data.email]
        if not existing:
            return f"created admin {(await users.create(None, data)).id}"
        if not update_existing:
            raise typer.BadParameter(f"{data.email} already exists (use --update-existing to reset it)")
        changes = UserUpdate(role=UserRole.ADMIN.value, is_active=True, password=data.password)
        await users.update(existing[0], existing[0].id, changes)
        return f"reset admin {existing[0].id}"


@app.command("create-admin")
def create_admin(
    email: Annotated[str, typer.Option(help="The admin's e-mail (the sign-in name)")],
    name: Annotated[str, typer.Option(help="Display name")] = "管理者",
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            envvar="MNP_ADMIN_PASSWORD",
            help="At least 12 characters; asked for when not given",
        ),
    ] = "",
    update_existing: Annotated[
        bool, typer.Option(help="Make an existing user an active admin with this password")
    ] = False,
) -> None:
    """Create a console admin (argon2id-hashed password), or reset one with --update-existing."""
    settings = _settings()
    try:
        data = UserCreate(email=email, display_name=name, password=password, role=UserRole.ADMIN.value)
    except ValidationError as error:
        raise typer.BadParameter("; ".join(str(e["msg"]) for e in error.errors())) from error
    with command_database(settings) as url:
        typer.echo(asyncio.run(_create_admin(url, settings, data, update_existing=update_existing)))


async def _purge(url: str, settings: Settings, days: int, batch_size: int) -> retention.PurgeReport:
    async with _sessionmaker(url, settings) as sessionmaker:
        audit = AuditTrail(enabled=settings.ENABLE_AUDIT_LOGS)
        now = dt.datetime.now(dt.UTC)
        return await retention.purge(sessionmaker, audit, now=now, days=days, batch_size=batch_size)


@app.command()
def purge(
    days: Annotated[
        int | None, typer.Option(min=1, help="Keep this many days (default DATA_RETENTION_DAYS)")
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1, help="Rows deleted per transaction")] = 500,
) -> None:
    """Delete conversations, messages, hand-offs and webhook events older than the retention period."""
    settings = _settings()
    with command_database(settings) as url:
        report = asyncio.run(_purge(url, settings, days or settings.DATA_RETENTION_DAYS, batch_size))
    counts = ", ".join(f"{kind}={count}" for kind, count in report.deleted.items())
    typer.echo(f"purged data older than {report.cutoff.isoformat()}: {counts}")


async def _verify_audit(url: str, settings: Settings) -> ChainReport:
    async with _sessionmaker(url, settings) as sessionmaker, sessionmaker() as session:
        return await AuditTrail(enabled=True).verify(session)


@app.command("verify-audit-log")
def verify_audit_log() -> None:
    """Walk the audit log's hash chain; exit 1 naming the first entry that was changed or removed."""
    settings = _settings()
    with command_database(settings) as url:
        report = asyncio.run(_verify_audit(url, settings))
    if report.ok:
        typer.echo(f"audit log intact: {report.checked} entries, head {report.head_hash}")
        return
    typer.echo(f"audit log broken at entry {report.broken_at} ({report.reason})", err=True)
    raise typer.Exit(1)


async def _reencrypt(url: str, settings: Settings, batch_size: int) -> str:
    sealed = security.encryptor(settings)
    async with _sessionmaker(url, settings) as sessionmaker:
        report = await reencrypt_contacts(sessionmaker, sealed, batch_size=batch_size)
        details = {"scanned": report.scanned, "rotated": report.rotated, "failed": report.failed}
        async with sessionmaker.begin() as session:
            trail = AuditTrail(enabled=settings.ENABLE_AUDIT_LOGS)
            await trail.record(
                session, AuditEvent(AuditAction.KEYS_ROTATED, details={"kid": sealed.primary_kid, **details})
            )
    return f"re-encrypted under key {sealed.primary_kid}: " + ", ".join(
        f"{k}={v}" for k, v in details.items()
    )


@app.command()
def reencrypt(batch_size: Annotated[int, typer.Option(min=1, help="Rows per transaction")] = 500) -> None:
    """Seal stored personal data again under the first key of ENCRYPTION_KEY (after adding a new key)."""
    settings = _settings()
    with command_database(settings) as url:
        typer.echo(asyncio.run(_reencrypt(url, settings, batch_size)))


@app.command("check-production")
def check_production(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document instead of lines")] = False,
    cert: Annotated[
        Path | None, typer.Option(help="The certificate nginx serves (default SSL_CERT_PATH)")
    ] = None,
    cert_min_days: Annotated[int, typer.Option(min=0, help="Fail when it expires sooner")] = 14,
    disk_path: Annotated[Path | None, typer.Option(help="Where free space counts (default DATA_DIR)")] = None,
) -> None:
    """Check that this server is ready for production; one line per check, exit 0 only when all pass."""
    settings, error = readiness_settings()
    options = readiness.Options(cert_path=cert, cert_min_days=cert_min_days, disk_path=disk_path)
    checks = asyncio.run(readiness.run_checks(settings, options, settings_error=error))
    ok = all(check.ok for check in checks)
    if as_json:
        document = {"ok": ok, "envFile": settings.ENV_FILE, "checks": [c.as_json() for c in checks]}
        typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        for check in checks:
            typer.echo(check.line())
        failed = sum(not check.ok for check in checks)
        typer.echo("ready for production" if ok else f"NOT ready: {failed} of {len(checks)} checks failed")
    raise typer.Exit(0 if ok else 1)


def readiness_settings() -> tuple[Settings, str | None]:
    """The settings, or — when they do not load (e.g. a production secret missing) — the same settings read
    outside production, so that every other check still runs, and the reason they did not load."""
    try:
        return get_settings(), None
    except MissingEnvFile as missing:
        return Settings(_env_file=None), str(missing)
    except ValidationError as error:
        message = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in error.errors())
        path = env_file()
        settings = Settings(_env_file=path, ENV_FILE=str(path), ENVIRONMENT="staging")
        if "NODE_ENV=production" in message:  # only production refuses to load: keep its name in the report
            settings = settings.model_copy(update={"ENVIRONMENT": Environment.PRODUCTION})
        return settings, message


@app.command("new-encryption-key")
def new_encryption_key(kid: Annotated[str, typer.Option(help="Id of the new key, e.g. k2")]) -> None:
    """Print a fresh `kid:base64key` entry: put it first in ENCRYPTION_KEY, keep the old ones after it."""
    typer.echo(encryption.new_key_entry(kid))
