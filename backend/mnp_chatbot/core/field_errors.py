"""Pydantic's validation errors in Japanese, for the people who read them: customers' clients, operators in
the console and whoever imports a knowledge file. A rule of our own (`raise ValueError("…")`) keeps its
words, so it is written in Japanese; pydantic's built-in checks ("Field required", "String should have at
most 500 characters") are said in Japanese with their limits. A rule across fields of a model raises
`FieldRuleError` to name the field it is about, so the message can be shown next to that field.
"""

from collections.abc import Mapping
from typing import Any

from pydantic.alias_generators import to_camel

_TEMPLATES = {
    "missing": "必須の項目です",
    "string_too_short": "{min_length}文字以上で入力してください",
    "string_too_long": "{max_length}文字以内で入力してください",
    "too_short": "{min_length}件以上必要です",
    "too_long": "{max_length}件以内にしてください",
    "string_type": "文字列で指定してください",
    "string_pattern_mismatch": "形式が正しくありません",
    "int_type": "整数で指定してください",
    "int_parsing": "整数で指定してください",
    "int_from_float": "整数で指定してください",
    "float_type": "数値で指定してください",
    "float_parsing": "数値で指定してください",
    "bool_type": "true か false で指定してください",
    "bool_parsing": "true か false で指定してください",
    "greater_than": "{gt}より大きい値にしてください",
    "greater_than_equal": "{ge}以上にしてください",
    "less_than": "{lt}より小さい値にしてください",
    "less_than_equal": "{le}以下にしてください",
    "literal_error": "次のいずれかを指定してください: {expected}",
    "enum": "次のいずれかを指定してください: {expected}",
    "url_parsing": "正しいURLを指定してください",
    "url_type": "正しいURLを指定してください",
    "url_scheme": "URLは {expected_schemes} で始めてください",
    "date_type": "日付は YYYY-MM-DD の形式で指定してください",
    "date_parsing": "日付は YYYY-MM-DD の形式で指定してください",
    "date_from_datetime_parsing": "日付は YYYY-MM-DD の形式で指定してください",
    "datetime_type": "日時の形式が正しくありません",
    "datetime_parsing": "日時の形式が正しくありません",
    "uuid_type": "正しいIDではありません",
    "uuid_parsing": "正しいIDではありません",
    "extra_forbidden": "この項目は使えません",
    "list_type": "リストで指定してください",
    "dict_type": "オブジェクトで指定してください",
    "model_type": "オブジェクトで指定してください",
    "model_attributes_type": "オブジェクトで指定してください",
    "json_invalid": "正しいJSONではありません",
    "json_type": "正しいJSONではありません",
}


class FieldRuleError(ValueError):
    """A model-level rule that one field breaks (「店頭で申し込めない」 without how that was confirmed)."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


_OWN_RULES = ("value_error", "assertion_error")
FALLBACK = "値が正しくありません"


def message_of(detail: Mapping[str, Any]) -> str:
    """One validation error (an item of `ValidationError.errors()`) in Japanese."""
    kind = str(detail.get("type", ""))
    if kind in _OWN_RULES:
        own = str(detail.get("msg", FALLBACK))
        return own.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    template = _TEMPLATES.get(kind)
    if template is None:
        return FALLBACK
    context = {key: str(value).replace(" or ", "、") for key, value in (detail.get("ctx") or {}).items()}
    try:
        return template.format(**context)
    except (KeyError, IndexError):
        return template.split("{", 1)[0].rstrip(": ") or FALLBACK


def location_of(detail: Mapping[str, Any], *, camel: bool = False) -> tuple[str | int, ...]:
    """Where the error is: pydantic's location, with the field a `FieldRuleError` names added to it (in
    camelCase for the HTTP API, whose documents travel in camelCase; as named in Python for the files)."""
    loc = tuple(detail.get("loc", ()))
    error = (detail.get("ctx") or {}).get("error")
    if isinstance(error, FieldRuleError):
        parts = error.field.split(".")
        return (*loc, *(to_camel(part) if camel else part for part in parts))
    return loc
