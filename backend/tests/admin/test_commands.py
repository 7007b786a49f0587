"""`mnp-chatbot export-faqs / import-faqs / export-carriers / import-carriers` against a real database."""

import asyncio
import copy
import csv
import io
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine
from typer.testing import CliRunner, Result

from mnp_chatbot import cli
from mnp_chatbot.audit.models import AuditLog
from mnp_chatbot.core.config import get_settings
from mnp_chatbot.faq.models import FaqEntry
from mnp_chatbot.knowledge import formats, loader
from mnp_chatbot.knowledge.schemas import CarrierDocument, FaqDocument
from mnp_chatbot.knowledge.sql_export import seed_sql

runner = CliRunner()


@pytest.fixture
def cli_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The CLI reads its settings from the environment: point it at this test's database, without Redis."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("REDIS_URL", raising=False)
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()


def run(*args: str) -> Result:
    return runner.invoke(cli.app, list(args))


def answer_of(url: str, slug: str) -> str:
    async def query() -> str:
        engine = create_async_engine(url)
        try:
            async with engine.connect() as connection:
                return str(await connection.scalar(select(FaqEntry.answer).where(FaqEntry.slug == slug)))
        finally:
            await engine.dispose()

    return asyncio.run(query())


def count_of(url: str, model: type[FaqEntry] | type[AuditLog]) -> int:
    async def query() -> int:
        engine = create_async_engine(url)
        try:
            async with engine.connect() as connection:
                return int(await connection.scalar(select(func.count()).select_from(model)) or 0)
        finally:
            await engine.dispose()

    return asyncio.run(query())


class TestExport:
    @pytest.mark.parametrize("suffix", ["yaml", "json", "csv"])
    def test_the_extension_picks_the_format(self, cli_database: str, tmp_path: Path, suffix: str) -> None:
        output = tmp_path / f"faqs.{suffix}"
        result = run("export-faqs", "--output", str(output))
        assert result.exit_code == 0, result.output
        exported = formats.parse(output.read_bytes(), formats.Format(suffix), FaqDocument)
        assert all(document.is_published is True for document in exported)  # the flag travels with the export
        contents = [document.model_copy(update={"is_published": None}) for document in exported]
        assert sorted(contents, key=lambda d: d.slug) == sorted(loader.load_faqs(), key=lambda d: d.slug)

    def test_without_output_yaml_goes_to_stdout(self, cli_database: str) -> None:
        result = run("export-carriers")
        assert result.exit_code == 0
        ids = [record["id"] for record in yaml.safe_load(result.stdout)]
        assert sorted(ids) == sorted(carrier.id for carrier in loader.load_carriers())

    def test_an_unknown_extension_is_a_usage_error(self, cli_database: str, tmp_path: Path) -> None:
        result = run("export-faqs", "--output", str(tmp_path / "faqs.xlsx"))
        assert result.exit_code == 2
        assert "拡張子" in result.stderr

    def test_the_export_regenerates_the_same_seed_sql(self, cli_database: str, tmp_path: Path) -> None:
        """`make sql` renders the knowledge files; the database's export renders the same statements."""
        assert run("export-faqs", "-o", str(tmp_path / "faqs.json")).exit_code == 0
        assert run("export-carriers", "-o", str(tmp_path / "carriers.json")).exit_code == 0
        faqs = formats.parse((tmp_path / "faqs.json").read_bytes(), formats.Format.JSON, FaqDocument)
        carriers = formats.parse(
            (tmp_path / "carriers.json").read_bytes(), formats.Format.JSON, CarrierDocument
        )
        assert all(faq.is_published is True for faq in faqs)
        faqs = [faq.model_copy(update={"is_published": None}) for faq in faqs]  # the files leave it implicit
        from_database = seed_sql(faqs, carriers).split("\n\n")
        from_files = seed_sql(loader.load_faqs(), loader.load_carriers()).split("\n\n")
        assert sorted(from_database) == sorted(from_files)


class TestImport:
    @pytest.mark.parametrize("suffix", ["yaml", "json", "csv"])
    def test_reimporting_an_export_changes_nothing(
        self, cli_database: str, tmp_path: Path, suffix: str
    ) -> None:
        path = tmp_path / f"faqs.{suffix}"
        assert run("export-faqs", "-o", str(path)).exit_code == 0
        result = run("import-faqs", str(path))
        assert result.exit_code == 0, result.output
        total = len(loader.load_faqs())
        assert f"imported {total} FAQ entries: 0 created, 0 updated, {total} unchanged" in result.stdout

    def test_an_edited_file_updates_by_slug_and_is_audited(self, cli_database: str, tmp_path: Path) -> None:
        path = tmp_path / "faqs.yaml"
        assert run("export-faqs", "-o", str(path)).exit_code == 0
        records = yaml.safe_load(path.read_text(encoding="utf-8"))
        records[0]["answer"] = "CLIで更新した回答です。"
        records.append(copy.deepcopy(records[1]) | {"slug": "cli-new-entry"})  # no shared nodes: no aliases
        path.write_text(yaml.safe_dump(records, allow_unicode=True), encoding="utf-8")
        audits_before = count_of(cli_database, AuditLog)
        result = run("import-faqs", str(path))
        assert result.exit_code == 0, result.output
        assert "1 created, 1 updated" in result.stdout
        assert answer_of(cli_database, records[0]["slug"]) == "CLIで更新した回答です。"
        assert count_of(cli_database, AuditLog) == audits_before + 1
        again = run("import-faqs", str(path))
        assert "0 created, 0 updated" in again.stdout

    def test_an_invalid_row_is_reported_and_nothing_is_written(
        self, cli_database: str, tmp_path: Path
    ) -> None:
        path = tmp_path / "faqs.csv"
        assert run("export-faqs", "-o", str(path)).exit_code == 0
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
        first, second = rows[0], rows[1]
        original = first["answer"]
        first["answer"] = "書き込まれてはいけない回答。"
        second["as_of"] = "いつか"
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(first))
            writer.writeheader()
            writer.writerows(rows)
        entries_before = count_of(cli_database, FaqEntry)
        result = run("import-faqs", str(path))
        assert result.exit_code == 1
        assert f"2件目 ({second['slug']}): as_of:" in result.stderr
        assert "何も書き込みませんでした" in result.stderr
        assert answer_of(cli_database, first["slug"]) == original
        assert count_of(cli_database, FaqEntry) == entries_before

    def test_a_dry_run_writes_nothing(self, cli_database: str, tmp_path: Path) -> None:
        path = tmp_path / "new.json"
        document = loader.load_faqs()[0].model_copy(update={"slug": "dry-run-cli"})
        path.write_bytes(formats.dump([document], formats.Format.JSON, FaqDocument))
        before = count_of(cli_database, FaqEntry)
        result = run("import-faqs", str(path), "--dry-run")
        assert "would import 1 FAQ entries: 1 created" in result.stdout
        assert count_of(cli_database, FaqEntry) == before

    def test_carriers_round_trip_through_csv(self, cli_database: str, tmp_path: Path) -> None:
        path = tmp_path / "carriers.csv"
        assert run("export-carriers", "-o", str(path)).exit_code == 0
        result = run("import-carriers", str(path))
        assert result.exit_code == 0, result.output
        total = len(loader.load_carriers())
        assert f"imported {total} carriers: 0 created, 0 updated, {total} unchanged" in result.stdout

    def test_a_missing_file_is_a_usage_error(self, cli_database: str, tmp_path: Path) -> None:
        assert run("import-faqs", str(tmp_path / "nothing.yaml")).exit_code == 2


def test_the_installed_command_lists_the_knowledge_commands() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mnp_chatbot", "--help"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    for command in ("export-faqs", "import-faqs", "export-carriers", "import-carriers"):
        assert command in result.stdout
