"""One JSON casing on the wire: every property of every body in the OpenAPI document is camelCase."""

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI

from mnp_chatbot.core.config import Settings
from mnp_chatbot.main import create_app


def openapi_document() -> dict[str, Any]:
    app: FastAPI = create_app(Settings(_env_file=None, ENVIRONMENT="test"))
    return app.openapi()


def property_names(node: Any, where: str = "#") -> Iterator[tuple[str, str]]:
    """(location, name) of every property of every schema, however deeply nested."""
    if isinstance(node, dict):
        properties = node.get("properties")
        if isinstance(properties, dict):
            yield from ((where, name) for name in properties)
        for key, value in node.items():
            yield from property_names(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from property_names(value, f"{where}/{index}")


def snake_case(names: Iterator[tuple[str, str]]) -> list[str]:
    return [f"{where}: {name}" for where, name in names if "_" in name]


def test_property_names_are_found_in_nested_and_inline_schemas() -> None:
    document: dict[str, Any] = {
        "a": {"properties": {"ok": {}, "not_ok": {"items": {"properties": {"deep_one": {}}}}}}
    }
    assert snake_case(property_names(document)) == [
        "#/a: not_ok",
        "#/a/properties/not_ok/items: deep_one",
    ]


def test_every_json_property_of_the_api_is_camel_case() -> None:
    document = openapi_document()
    assert len(document["components"]["schemas"]) > 50
    assert snake_case(property_names(document)) == []


def test_query_and_header_parameters_are_camel_case() -> None:
    operations = [op for path in openapi_document()["paths"].values() for op in path.values()]
    parameters = [p for op in operations for p in op.get("parameters", []) if p["in"] != "path"]
    assert parameters
    assert [p["name"] for p in parameters if "_" in p["name"]] == []
