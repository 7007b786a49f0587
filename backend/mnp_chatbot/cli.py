"""Command line: `mnp-chatbot serve | migrate | seed | ...` (also `python -m mnp_chatbot`)."""

import asyncio
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from alembic import command
from alembic.config import Config

from mnp_chatbot.core import db
from mnp_chatbot.core.config import Settings, get_settings
from mnp_chatbot.core.logging import configure_logging
from mnp_chatbot.core.resources import database_url, start_embedded_if_needed
from mnp_chatbot.knowledge import loader, seeding

app = typer.Typer(help="MNP Chatbot: serve the app and run its maintenance tasks.", no_args_is_help=True)
ALEMBIC_INI = Path(__file__).resolve().parent.parent / "alembic.ini"


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
    """Apply every Alembic migration to the configured (or embedded) database."""
    settings = _settings()
    embedded = start_embedded_if_needed(settings)
    try:
        run_migrations(database_url(settings, embedded))
    finally:
        if embedded is not None:
            embedded.stop()
    typer.echo("database migrated")


async def _seed(url: str, settings: Settings) -> tuple[int, int]:
    engine = db.create_engine(url, db.PoolSettings(1, 2, settings.DATABASE_SSL))
    try:
        async with db.create_sessionmaker(engine).begin() as session:
            return await seeding.seed(session, loader.load_faqs(), loader.load_carriers())
    finally:
        await engine.dispose()


@app.command()
def seed() -> None:
    """Load the curated FAQ entries and carrier table into the database (idempotent)."""
    settings = _settings()
    embedded = start_embedded_if_needed(settings)
    try:
        faqs, carriers = asyncio.run(_seed(database_url(settings, embedded), settings))
    finally:
        if embedded is not None:
            embedded.stop()
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
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
        timeout_graceful_shutdown=10,
    )
