"""Knowledge import/export through the API: every format round-trips the shipped knowledge files."""

import csv
import io
import json
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mnp_chatbot.core.config import Settings
from mnp_chatbot.faq.models import FaqEntry
from mnp_chatbot.knowledge import formats, loader
from mnp_chatbot.knowledge.schemas import CarrierDocument, FaqDocument
from tests.admin.support import Console, audit_rows, json_of
from tests.fixtures.app import SettingsFactory

FORMATS = ["yaml", "json", "csv"]
CONTENT_TYPES = {"yaml": "application/yaml", "json": "application/json", "csv": "text/csv; charset=utf-8"}


@pytest.fixture
def settings(make_settings: SettingsFactory) -> Settings:
    return make_settings(MAX_BODY_BYTES=2_000_000)  # the whole knowledge base in one upload


def by_key(documents: list[Any], key: str) -> dict[str, Any]:
    return {getattr(document, key): document for document in documents}


async def export(client: httpx.AsyncClient, headers: dict[str, str], what: str, fmt: str) -> bytes:
    response = await client.get(f"/api/admin/{what}/export?format={fmt}", headers=headers)
    assert response.status_code == 200, response.text
    return response.content


async def upload(
    client: httpx.AsyncClient, headers: dict[str, str], what: str, fmt: str, data: bytes, query: str = ""
) -> httpx.Response:
    content_type = {"Content-Type": CONTENT_TYPES[fmt]}
    return await client.post(f"/api/admin/{what}/import{query}", content=data, headers=headers | content_type)


class TestExport:
    @pytest.mark.parametrize("fmt", FORMATS)
    async def test_export_holds_exactly_the_shipped_faqs(
        self, client: httpx.AsyncClient, console: Console, fmt: str
    ) -> None:
        data = await export(client, await console.headers("viewer"), "faqs", fmt)
        exported = formats.parse(data, formats.Format(fmt), FaqDocument)
        shipped = [document.model_copy(update={"is_published": True}) for document in loader.load_faqs()]
        assert by_key(exported, "slug") == by_key(shipped, "slug")

    @pytest.mark.parametrize("fmt", FORMATS)
    async def test_export_holds_exactly_the_shipped_carriers(
        self, client: httpx.AsyncClient, console: Console, fmt: str
    ) -> None:
        data = await export(client, await console.headers("viewer"), "carriers", fmt)
        exported = formats.parse(data, formats.Format(fmt), CarrierDocument)
        assert by_key(exported, "id") == by_key(loader.load_carriers(), "id")

    @pytest.mark.parametrize(
        ("fmt", "media_type"),
        [("yaml", "application/yaml"), ("json", "application/json"), ("csv", "text/csv")],
    )
    async def test_export_is_a_download(
        self, client: httpx.AsyncClient, console: Console, fmt: str, media_type: str
    ) -> None:
        response = await client.get(
            f"/api/admin/faqs/export?format={fmt}", headers=await console.headers("viewer")
        )
        assert response.headers["content-type"].startswith(media_type)
        assert response.headers["content-disposition"] == f'attachment; filename="faqs.{fmt}"'

    async def test_an_unknown_format_is_refused(self, client: httpx.AsyncClient, console: Console) -> None:
        response = await client.get(
            "/api/admin/faqs/export?format=xml", headers=await console.headers("viewer")
        )
        assert response.status_code == 422


class TestImport:
    @pytest.mark.parametrize("fmt", FORMATS)
    async def test_restoring_an_export_keeps_a_hidden_entry_hidden(
        self, client: httpx.AsyncClient, console: Console, db: async_sessionmaker[AsyncSession], fmt: str
    ) -> None:
        headers = await console.headers("admin")
        async with db.begin() as session:
            await session.execute(
                update(FaqEntry).where(FaqEntry.slug == "mnp-what-is").values(is_published=False)
            )
        data = await export(client, headers, "faqs", fmt)
        exported = by_key(formats.parse(data, formats.Format(fmt), FaqDocument), "slug")
        assert exported["mnp-what-is"].is_published is False
        assert exported["mnp-start-date"].is_published is True
        deleted = await client.delete("/api/admin/faqs/mnp-what-is", headers=headers)
        assert deleted.status_code == 204, deleted.text
        report = json_of(await upload(client, headers, "faqs", fmt, data))
        assert (report["created"], report["updated"]) == (1, 0)
        entry = json_of(await client.get("/api/admin/faqs/mnp-what-is", headers=headers))
        assert entry["isPublished"] is False

    async def test_a_file_without_the_flag_keeps_the_stored_one(
        self, client: httpx.AsyncClient, console: Console, db: async_sessionmaker[AsyncSession]
    ) -> None:
        headers = await console.headers("admin")
        async with db.begin() as session:
            await session.execute(
                update(FaqEntry).where(FaqEntry.slug == "mnp-what-is").values(is_published=False)
            )
        shipped = [d for d in loader.load_faqs() if d.slug == "mnp-what-is"]
        edited = shipped[0].model_copy(update={"answer": "ファイルで直した回答です。"})
        data = formats.dump([edited], formats.Format.YAML, FaqDocument)
        assert json_of(await upload(client, headers, "faqs", "yaml", data))["updated"] == 1
        entry = json_of(await client.get("/api/admin/faqs/mnp-what-is", headers=headers))
        assert (entry["answer"], entry["isPublished"]) == ("ファイルで直した回答です。", False)

    @pytest.mark.parametrize("fmt", FORMATS)
    @pytest.mark.parametrize("what", ["faqs", "carriers"])
    async def test_importing_an_export_changes_nothing(
        self, client: httpx.AsyncClient, console: Console, fmt: str, what: str
    ) -> None:
        headers = await console.headers("admin")  # a FAQ file publishes at once: admins only (SECURITY.md)
        data = await export(client, headers, what, fmt)
        report = json_of(await upload(client, headers, what, fmt, data))
        assert report["created"] == report["updated"] == 0
        assert report["unchanged"] == report["total"] > 10
        assert await export(client, headers, what, fmt) == data

    async def test_an_edited_csv_row_updates_that_entry_only(
        self, client: httpx.AsyncClient, console: Console, db: async_sessionmaker[AsyncSession]
    ) -> None:
        headers = await console.headers("admin")
        rows = list(
            csv.DictReader(io.StringIO((await export(client, headers, "faqs", "csv")).decode("utf-8-sig")))
        )
        edited = next(row for row in rows if row["slug"] == "mnp-what-is")
        edited["answer"] = "CSVで編集した回答です。"
        edited["alternates"] += "\nエムエヌピーってどういう意味？"
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
        report = json_of(await upload(client, headers, "faqs", "csv", buffer.getvalue().encode()))
        assert (report["created"], report["updated"], report["unchanged"]) == (0, 1, len(rows) - 1)
        entry = json_of(await client.get("/api/admin/faqs/mnp-what-is", headers=headers))
        assert entry["answer"] == "CSVで編集した回答です。"
        assert entry["alternates"][-1] == "エムエヌピーってどういう意味？"
        (audit,) = await audit_rows(db, "faq.")
        assert (audit.target_type, audit.details) == (
            "faq_import",
            {"total": len(rows), "created": 0, "updated": 1},
        )

    async def test_a_new_entry_is_created_once(self, client: httpx.AsyncClient, console: Console) -> None:
        headers = await console.headers("admin")
        document = loader.load_faqs()[0].model_copy(update={"slug": "imported-entry", "answer": "取り込み。"})
        data = formats.dump([document], formats.Format.YAML, FaqDocument)
        first = json_of(await upload(client, headers, "faqs", "yaml", data))
        second = json_of(await upload(client, headers, "faqs", "yaml", data))
        assert (first["created"], second["created"], second["unchanged"]) == (1, 0, 1)
        assert (
            json_of(await client.get("/api/admin/faqs/imported-entry", headers=headers))["answer"]
            == "取り込み。"
        )

    async def test_one_invalid_entry_stops_the_whole_file(
        self, client: httpx.AsyncClient, console: Console
    ) -> None:
        headers = await console.headers("admin")
        records = yaml.safe_load(await export(client, headers, "faqs", "yaml"))
        records[0]["answer"] = "書き込まれてはいけない回答です。"
        records[2]["alternates"] = ["ひとつだけ"]
        records[4]["verification"] = "unverified"
        records[4].pop("official_url", None)
        response = await upload(
            client, headers, "faqs", "json", json.dumps(records, ensure_ascii=False).encode()
        )
        assert response.status_code == 422
        problems = response.json()["error"]["problems"]
        assert [(p["row"], p["key"], p["field"]) for p in problems] == [
            (3, records[2]["slug"], "alternates"),
            (5, records[4]["slug"], "official_url"),
        ]
        untouched = json_of(await client.get(f"/api/admin/faqs/{records[0]['slug']}", headers=headers))
        assert untouched["answer"] != "書き込まれてはいけない回答です。"

    @pytest.mark.parametrize(
        ("fmt", "data", "message"),
        [
            ("yaml", b"- slug: [unclosed", "YAML"),
            ("json", b'{"slug": "x"}', "リスト"),
            ("csv", b"slug,category\nonly-one", "列"),
            ("csv", "slug\n".encode("utf-16"), "UTF-8"),
        ],
    )
    async def test_unreadable_files_are_explained(
        self, client: httpx.AsyncClient, console: Console, fmt: str, data: bytes, message: str
    ) -> None:
        response = await upload(client, await console.headers("admin"), "faqs", fmt, data)
        assert response.status_code == 422
        assert message in response.json()["error"]["message"]

    async def test_a_dry_run_counts_without_writing(
        self, client: httpx.AsyncClient, console: Console
    ) -> None:
        headers = await console.headers("admin")
        document = loader.load_faqs()[0].model_copy(update={"slug": "dry-run-entry"})
        data = formats.dump([document], formats.Format.JSON, FaqDocument)
        report = json_of(await upload(client, headers, "faqs", "json", data, "?dryRun=true"))
        assert (report["created"], report["dryRun"]) == (1, True)
        assert (await client.get("/api/admin/faqs/dry-run-entry", headers=headers)).status_code == 404

    @pytest.mark.parametrize(
        ("content_type", "query", "status"),
        [("text/plain", "", 415), ("application/xml", "", 415), ("text/plain", "?format=json", 200)],
    )
    async def test_the_format_comes_from_the_query_or_the_content_type(
        self, client: httpx.AsyncClient, console: Console, content_type: str, query: str, status: int
    ) -> None:
        headers = await console.headers("admin") | {"Content-Type": content_type}
        response = await client.post(f"/api/admin/faqs/import{query}", content=b"[]", headers=headers)
        assert response.status_code == status

    async def test_a_carrier_file_cannot_be_imported_as_faqs(
        self, client: httpx.AsyncClient, console: Console
    ) -> None:
        headers = await console.headers("admin")
        data = await export(client, headers, "carriers", "json")
        response = await upload(client, headers, "faqs", "json", data)
        assert response.status_code == 422
        assert response.json()["error"]["problems"][0]["row"] == 1
