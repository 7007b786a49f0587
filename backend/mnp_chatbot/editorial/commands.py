"""`mnp-chatbot export-faqs | import-faqs | export-carriers | import-carriers`: the knowledge as files.

Imports validate the whole file first and write nothing when any entry is invalid; then they upsert by
slug (carriers: by id) in one transaction, skip entries that are already identical, and tell running
replicas to rebuild their index (through Redis when REDIS_URL is set).
"""

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mnp_chatbot.audit.service import AuditTrail
from mnp_chatbot.core import db
from mnp_chatbot.core import redis as store_module
from mnp_chatbot.core.config import Settings, get_settings
from mnp_chatbot.core.resources import command_database
from mnp_chatbot.editorial.service import ImportReport, KnowledgeEditor
from mnp_chatbot.faq.index import CHANGES_CHANNEL
from mnp_chatbot.knowledge import formats
from mnp_chatbot.knowledge.schemas import CarrierDocument, Document, FaqDocument

errors = Console(stderr=True)
D = TypeVar("D", FaqDocument, CarrierDocument)
ProgressCallback = Callable[[int], None]
Writer = Callable[[KnowledgeEditor, ProgressCallback], Awaitable[ImportReport]]
FormatOption = Annotated[
    formats.Format | None,
    typer.Option("--format", "-f", help="yaml, json or csv (default: from --output, else yaml)"),
]
OutputOption = Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default: stdout)")]
InputArgument = Annotated[
    Path, typer.Argument(exists=True, dir_okay=False, help="A .yaml/.yml, .json or .csv file")
]
DryRunOption = Annotated[bool, typer.Option("--dry-run", help="Validate and count only; write nothing")]


class StoreAnnouncer:
    """Tells the running replicas that the knowledge changed (a no-op without Redis)."""

    def __init__(self, store: store_module.Store) -> None:
        self.store = store

    async def announce_change(self) -> None:
        await self.store.publish(CHANGES_CHANNEL, "cli")


@contextlib.asynccontextmanager
async def _editor(url: str, settings: Settings) -> AsyncIterator[KnowledgeEditor]:
    engine = db.create_engine(url, db.PoolSettings(1, 2, settings.DATABASE_SSL))
    password = settings.REDIS_PASSWORD.get_secret_value() if settings.REDIS_PASSWORD else None
    store = store_module.connect(settings.REDIS_URL, password)
    sessionmaker: async_sessionmaker[AsyncSession] = db.create_sessionmaker(engine)
    try:
        yield KnowledgeEditor(
            sessionmaker, AuditTrail(enabled=settings.ENABLE_AUDIT_LOGS), StoreAnnouncer(store)
        )
    finally:
        await store.close()
        await engine.dispose()


def _output_format(fmt: formats.Format | None, output: Path | None) -> formats.Format:
    if fmt is not None:
        return fmt
    if output is None:
        return formats.Format.YAML
    try:
        return formats.Format.of_path(output)
    except formats.UnknownFormat as error:
        raise typer.BadParameter(str(error), param_hint="--output") from None


def _write(data: bytes, output: Path | None) -> None:
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        output.write_bytes(data)
        typer.echo(f"wrote {output}", err=True)


async def _export(model: type[Document], fmt: formats.Format, settings: Settings) -> bytes:
    with command_database(settings) as url:
        async with _editor(url, settings) as editor:
            documents = await (editor.export_faqs() if model is FaqDocument else editor.export_carriers())
    return formats.dump(documents, fmt, model)


def _read(path: Path, fmt: formats.Format | None, model: type[D]) -> list[D]:
    """The file's documents, or every problem on stderr and exit status 1."""
    try:
        chosen = fmt or formats.Format.of_path(path)
        return formats.parse(path.read_bytes(), chosen, model)
    except formats.UnknownFormat as error:
        raise typer.BadParameter(str(error), param_hint="PATH") from None
    except formats.KnowledgeFileInvalid as invalid:
        for problem in invalid.problems:
            errors.print(f"[red]✗[/red] {path.name}: {problem}", markup=True, highlight=False)
        errors.print(f"{len(invalid.problems)}件のエラーがあるため、何も書き込みませんでした。")
        raise typer.Exit(1) from None


async def _import(total: int, settings: Settings, write: Writer) -> ImportReport:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with command_database(settings) as url, Progress(*columns, console=errors, transient=True) as progress:
        task = progress.add_task("importing", total=total)
        async with _editor(url, settings) as editor:
            report = await write(editor, lambda count: progress.advance(task, count))
        progress.update(task, completed=total)
    return report


def _summary(report: ImportReport, noun: str) -> str:
    verb = "would import" if report.dry_run else "imported"
    return (
        f"{verb} {report.total} {noun}: {report.created} created, {report.updated} updated, "
        f"{report.unchanged} unchanged"
    )


def export_faqs(fmt: FormatOption = None, output: OutputOption = None) -> None:
    """Write every FAQ entry (published or not) in the knowledge file format."""
    chosen = _output_format(fmt, output)
    _write(asyncio.run(_export(FaqDocument, chosen, get_settings())), output)


def import_faqs(path: InputArgument, fmt: FormatOption = None, dry_run: DryRunOption = False) -> None:
    """Upsert FAQ entries by slug from a file (all-or-nothing; entries missing from the file are kept)."""
    documents = _read(path, fmt, FaqDocument)

    async def write(editor: KnowledgeEditor, progress: ProgressCallback) -> ImportReport:
        return await editor.import_faqs(None, documents, dry_run=dry_run, progress=progress)

    typer.echo(_summary(asyncio.run(_import(len(documents), get_settings(), write)), "FAQ entries"))


def export_carriers(fmt: FormatOption = None, output: OutputOption = None) -> None:
    """Write the carrier table in the knowledge file format."""
    chosen = _output_format(fmt, output)
    _write(asyncio.run(_export(CarrierDocument, chosen, get_settings())), output)


def import_carriers(path: InputArgument, fmt: FormatOption = None, dry_run: DryRunOption = False) -> None:
    """Upsert carriers by id from a file (all-or-nothing)."""
    documents = _read(path, fmt, CarrierDocument)

    async def write(editor: KnowledgeEditor, progress: ProgressCallback) -> ImportReport:
        return await editor.import_carriers(None, documents, dry_run=dry_run, progress=progress)

    typer.echo(_summary(asyncio.run(_import(len(documents), get_settings(), write)), "carriers"))


def register(app: typer.Typer) -> None:
    app.command("export-faqs")(export_faqs)
    app.command("import-faqs")(import_faqs)
    app.command("export-carriers")(export_carriers)
    app.command("import-carriers")(import_carriers)
