"""Renders the curated knowledge as `database/seeds/mnp_faqs.sql`, for `psql -f` as in the seed's guide."""

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any

from mnp_chatbot.knowledge.schemas import CarrierDocument, FaqDocument
from mnp_chatbot.knowledge.seeding import carrier_row, faq_row

JSON_COLUMNS = {"sources", "document"}
HEADER = """-- MNP Chatbot knowledge base: FAQ entries and the carrier table.
-- Generated from backend/mnp_chatbot/knowledge/data by `make sql`; do not edit by hand.
-- Idempotent: re-running it updates the rows in place.
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
"""


def literal(value: Any, *, json_column: bool = False) -> str:
    if value is None:
        return "NULL"
    if json_column:
        return quote(json.dumps(value, ensure_ascii=False, sort_keys=True)) + "::jsonb"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.date):
        return quote(value.isoformat()) + "::date"
    if isinstance(value, list):
        return "ARRAY[" + ", ".join(quote(str(item)) for item in value) + "]::text[]"
    return quote(str(value))


def quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def upsert(table: str, key: str, row: Mapping[str, Any]) -> str:
    columns = list(row)
    values = [literal(row[column], json_column=column in JSON_COLUMNS) for column in columns]
    updates = ", ".join(f"{column} = EXCLUDED.{column}" for column in columns if column != key)
    return (
        f"INSERT INTO {table} ({', '.join(columns)})\nVALUES ({', '.join(values)})\n"
        f"ON CONFLICT ({key}) DO UPDATE SET {updates}, updated_at = now();\n"
    )


def seed_sql(faqs: Sequence[FaqDocument], carriers: Sequence[CarrierDocument]) -> str:
    parts = [HEADER, "BEGIN;\n"]
    parts += [upsert("carriers", "id", carrier_row(document)) for document in carriers]
    parts += [upsert("faqs", "slug", faq_row(document)) for document in faqs]
    parts.append("COMMIT;\n")
    return "\n".join(parts)
