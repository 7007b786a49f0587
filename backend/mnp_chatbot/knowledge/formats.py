"""Knowledge files in and out: YAML, JSON and CSV for lists of FAQ or carrier documents (pure).

YAML and JSON hold a list of documents exactly as the curated files in `data/` do. CSV holds one document
per row, one column per field: scalars as text, lists of strings one item per line of the cell, anything
nested (sources, fees, port-out channels …) as JSON; a cell a spreadsheet would run as a formula is written
with a leading apostrophe (removed again on reading). Every format reads back what it writes.

Problems are reported per entry: `row` counts entries from 1 (for CSV, data rows after the header).
"""

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePath
from typing import Annotated, Any, TypeVar, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from mnp_chatbot.core import validation
from mnp_chatbot.core.field_errors import location_of, message_of
from mnp_chatbot.knowledge.schemas import CarrierDocument, Document, FaqDocument

D = TypeVar("D", bound=Document)
SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
KEY_FIELDS: dict[type[Document], str] = {FaqDocument: "slug", CarrierDocument: "id"}
_WORD = re.compile(r"[a-z_]+")
UNSTORABLE_MESSAGE = validation.MESSAGE
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "'")
MAX_ENTRIES = 5_000  # entries in one file (the shipped base has about 200 FAQ entries and 20 carriers)
MAX_NODES = 500_000  # YAML nodes (scalars, lists, mappings) in one file
MAX_DEPTH = 32  # nesting of lists and mappings


class Format(StrEnum):
    YAML = "yaml"
    JSON = "json"
    CSV = "csv"

    @classmethod
    def of_path(cls, path: PurePath) -> "Format":
        """The format a file name says: .yaml/.yml, .json or .csv."""
        suffix = path.suffix.lower().lstrip(".")
        if suffix == "yml":
            return cls.YAML
        try:
            return cls(suffix)
        except ValueError:
            raise UnknownFormat(
                f"{path.name}: 拡張子は .yaml / .yml / .json / .csv のいずれかにしてください"
            ) from None

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self]


MEDIA_TYPES = {
    Format.YAML: "application/yaml; charset=utf-8",
    Format.JSON: "application/json",
    Format.CSV: "text/csv; charset=utf-8",
}


MEDIA_TYPE_FORMATS = {
    "application/yaml": Format.YAML,
    "application/x-yaml": Format.YAML,
    "text/yaml": Format.YAML,
    "text/x-yaml": Format.YAML,
    "application/json": Format.JSON,
    "text/csv": Format.CSV,
}


def format_of_media_type(content_type: str | None) -> Format | None:
    """The format a Content-Type header names, parameters such as charset ignored."""
    if not content_type:
        return None
    return MEDIA_TYPE_FORMATS.get(content_type.split(";", 1)[0].strip().lower())


class UnknownFormat(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Problem:
    row: int  # 1-based entry number; 0 for the file as a whole
    key: str | None  # the entry's slug or id, when it has one
    field: str | None  # dotted path of the offending field, e.g. "fees.0.amount_yen"
    message: str

    def __str__(self) -> str:
        where = "ファイル" if self.row == 0 else f"{self.row}件目"
        if self.key:
            where += f" ({self.key})"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class KnowledgeFileInvalid(ValueError):
    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(str(problem) for problem in self.problems[:5]))


def key_field(model: type[Document]) -> str:
    return KEY_FIELDS[model]


def dump(documents: Iterable[Document], fmt: Format, model: type[Document]) -> bytes:
    records = [document.model_dump(mode="json", exclude_none=True) for document in documents]
    if fmt is Format.YAML:
        text = yaml.safe_dump(records, allow_unicode=True, sort_keys=False, width=1000)
        return text.encode()
    if fmt is Format.JSON:
        return (json.dumps(records, ensure_ascii=False, indent=2) + "\n").encode()
    return _dump_csv(records, model)


def parse(data: bytes, fmt: Format, model: type[D]) -> list[D]:
    """Every document of the file, validated; raises KnowledgeFileInvalid listing every problem found."""
    records = _records(data, fmt, model)
    documents: list[D] = []
    problems: list[Problem] = []
    for row, record in enumerate(records, start=1):
        key = _key_of(record, model)
        found = []
        try:
            documents.append(model.model_validate(record))
        except ValidationError as error:
            found = problems_of(error, model, row=row, key=key)
        reported = {problem.field for problem in found}
        found += [
            Problem(row, key, path, UNSTORABLE_MESSAGE) for path in unstorable(record) if path not in reported
        ]
        problems += found
    problems += _duplicates(documents, model)
    if problems:
        raise KnowledgeFileInvalid(problems)
    return documents


def unstorable(value: Any, path: str = "") -> list[str]:
    """Dotted paths of the strings `validation.refused` (control characters other than tab and line
    breaks, lone surrogates, invisible formatting characters)."""
    if isinstance(value, str):
        return [path] if validation.refused(value) else []
    if isinstance(value, Mapping):
        return [found for key, item in value.items() for found in unstorable(item, _join(path, str(key)))]
    if isinstance(value, list | tuple):
        return [
            found for index, item in enumerate(value) for found in unstorable(item, _join(path, str(index)))
        ]
    return []


def _join(path: str, part: str) -> str:
    return f"{path}.{part}" if path else part


def problems_of(error: ValidationError, model: type[Document], *, row: int, key: str | None) -> list[Problem]:
    """One problem per validation error, naming the field even for the cross-field rules."""
    found = []
    for detail in error.errors(include_url=False):
        path = ".".join(str(part) for part in location_of(detail))
        message = message_of(detail)
        found.append(Problem(row, key, path or field_named_in(message, model), message))
    return found


def field_named_in(message: str, model: type[BaseModel]) -> str | None:
    """The field a model-level rule talks about ("an unverified fact needs official_url" → official_url)."""
    words = set(_WORD.findall(message.split(": ", 1)[-1]))
    for name in model.model_fields:
        if name in words or name.removesuffix("s") in words:
            return name
    return None


def _key_of(record: Any, model: type[Document]) -> str | None:
    if isinstance(record, Mapping):
        value = record.get(key_field(model))
        return str(value) if value not in (None, "") else None
    return None


def _duplicates(documents: Sequence[Document], model: type[Document]) -> list[Problem]:
    name = key_field(model)
    first_row: dict[str, int] = {}
    problems = []
    for row, document in enumerate(documents, start=1):
        key = str(getattr(document, name))
        if key in first_row:
            message = f"同じ {name} が {first_row[key]}件目にもあります"
            problems.append(Problem(row, key, name, message))
        first_row.setdefault(key, row)
    return problems


def _records(data: bytes, fmt: Format, model: type[Document]) -> list[Any]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise KnowledgeFileInvalid([Problem(0, None, None, "UTF-8 のテキストではありません")]) from None
    if fmt is Format.CSV:
        return _parse_csv(text, model)
    try:
        loaded = load_yaml(text) if fmt is Format.YAML else json.loads(text)
    except (yaml.YAMLError, json.JSONDecodeError) as error:
        problem = Problem(0, None, None, f"{fmt.value.upper()} として読めません: {error}")
        raise KnowledgeFileInvalid([problem]) from None
    except RecursionError:
        raise _file_problem("入れ子が深すぎます") from None
    if loaded is None:
        return []
    if not isinstance(loaded, list):
        raise KnowledgeFileInvalid([Problem(0, None, None, "エントリーのリスト（配列）にしてください")])
    return _capped(loaded)


def load_yaml(text: str) -> Any:
    """YAML without anchors or aliases (an alias bomb expands a few hundred bytes into billions of
    nodes), and with at most MAX_NODES nodes nested at most MAX_DEPTH deep: checked on libyaml's event
    stream before anything is built."""
    nodes = depth = 0
    for event in yaml.parse(text, Loader=SafeLoader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _file_problem("YAML のアンカー（&）とエイリアス（*）は使えません")
        if isinstance(event, yaml.NodeEvent):
            nodes += 1
            if nodes > MAX_NODES:
                raise _file_problem(f"YAML の要素が多すぎます（{MAX_NODES}個まで）")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise _file_problem(f"入れ子が深すぎます（{MAX_DEPTH}段まで）")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return yaml.load(text, Loader=SafeLoader)  # a safe loader; aliases were refused above


def _capped(records: list[Any]) -> list[Any]:
    if len(records) > MAX_ENTRIES:
        raise _too_many()
    return records


def _too_many() -> KnowledgeFileInvalid:
    return _file_problem(f"エントリーが多すぎます（1ファイル{MAX_ENTRIES}件まで）")


def _file_problem(message: str) -> KnowledgeFileInvalid:
    return KnowledgeFileInvalid([Problem(0, None, None, message)])


def _lines_field(info: FieldInfo) -> bool:
    """A list of plain strings (aliases, alternates …): one item per line in a CSV cell."""
    if get_origin(info.annotation) is not list:
        return False
    (item,) = get_args(info.annotation)
    if get_origin(item) is Annotated:
        item = get_args(item)[0]
    return item is str


def _scalar_field(info: FieldInfo) -> bool:
    annotation = info.annotation
    options = get_args(annotation) if get_origin(annotation) is not None else (annotation,)
    return not any(isinstance(option, type) and issubclass(option, BaseModel) for option in options) and (
        get_origin(annotation) is not list
    )


def _cell(value: Any, info: FieldInfo) -> str:
    if value is None:
        return ""
    if _lines_field(info):
        return "\n".join(str(item) for item in value)
    if not _scalar_field(info):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def inert(cell: str) -> str:
    """A cell a spreadsheet app will not run as a formula: one starting with = + - @, a tab or a carriage
    return gets a leading apostrophe (as does one that starts with an apostrophe, so `revived` can undo
    exactly what this did)."""
    return "'" + cell if cell.startswith(FORMULA_TRIGGERS) else cell


def revived(cell: str) -> str:
    return cell[1:] if cell.startswith("'") else cell


def _dump_csv(records: Sequence[Mapping[str, Any]], model: type[Document]) -> bytes:
    fields = model.model_fields
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(list(fields))
    for record in records:
        writer.writerow([inert(_cell(record.get(name), info)) for name, info in fields.items()])
    return buffer.getvalue().encode("utf-8-sig")  # the BOM lets spreadsheet apps read the Japanese


def _parse_csv(text: str, model: type[Document]) -> list[Any]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    records: list[Any] = []
    problems: list[Problem] = []
    try:
        for row, raw in enumerate(reader, start=1):
            if row > MAX_ENTRIES:
                raise _too_many()
            record, found = _record_of(raw, model, row)
            records.append(record)
            problems += found
    except csv.Error as error:
        raise _file_problem(f"CSV として読めません: {error}") from None
    if problems:
        raise KnowledgeFileInvalid(problems)
    return records


def _record_of(
    raw: Mapping[str | None, Any], model: type[Document], row: int
) -> tuple[dict[str, Any], list[Problem]]:
    fields = model.model_fields | {info.alias: info for info in model.model_fields.values() if info.alias}
    record: dict[str, Any] = {}
    problems = []
    key = raw.get(key_field(model)) or None
    for column, cell in raw.items():
        if column is None or not isinstance(cell, str):
            problems.append(Problem(row, key, None, "列の数がヘッダーと合いません"))
            continue
        if not cell.strip():
            continue
        info = fields.get(column)
        try:
            record[column] = _value_of(revived(cell), info)
        except json.JSONDecodeError as error:
            problems.append(Problem(row, key, column, f"JSON として読めません: {error.msg}"))
    return record, problems


def _value_of(cell: str, info: FieldInfo | None) -> Any:
    if info is None or _scalar_field(info):
        return cell  # an unknown column is left for the model to reject by name
    if _lines_field(info) and not cell.lstrip().startswith("["):
        return [line.strip() for line in cell.splitlines() if line.strip()]
    return json.loads(cell)
