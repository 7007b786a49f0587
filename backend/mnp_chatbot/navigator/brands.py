"""Brands of the carrier table by what a customer calls them, and stand-ins for brands the table lacks
(finding them in free text is `japanese.brands`)."""

import re
from collections.abc import Iterable
from typing import Any

from mnp_chatbot.japanese.brands import names_of
from mnp_chatbot.japanese.text import nfkc, squash
from mnp_chatbot.knowledge import schemas as knowledge
from mnp_chatbot.navigator.exceptions import UnknownBrand

OTHER_PREFIX = "other:"  # a brand the customer named that the carrier table does not hold: "other:QTモバイル"
COMPANY_WORDS = (
    "モバイル",
    "mobile",
    "sim",
    "シム",
    "通信",
    "テレコム",
    "telecom",
    "ケータイ",
    "携帯",
    "ワイヤレス",
)
GENERIC_WORDS = frozenset(
    {
        "格安sim",
        "格安スマホ",
        "格安モバイル",
        "sim",
        "esim",
        "simカード",
        "simフリー",
        "mvno",
        "モバイル",
        "携帯",
    }
)
NOT_A_NAME = re.compile(r"[?？。、]|って|とは|何|なに|どう|ですか|ません")


def unknown_brand_named(text: str) -> str | None:
    """The slot value for a company the table does not hold (「QTモバイル」 → "other:QTモバイル"), when the
    text reads as a company name rather than a question or a sentence."""
    name = nfkc(text).strip()
    if not 2 <= len(name) <= 20 or NOT_A_NAME.search(name) or "\n" in name:
        return None
    squashed = squash(name)
    if squashed in GENERIC_WORDS or not any(word in squashed for word in COMPANY_WORDS):
        return None
    return OTHER_PREFIX + name


def is_unknown(carrier: knowledge.CarrierDocument) -> bool:
    return carrier.id.startswith(OTHER_PREFIX)


def unknown_carrier(value: str) -> knowledge.CarrierDocument:
    """A stand-in for a brand without data: no one-stop, no fees, no shop information, nothing verified."""
    name = value.removeprefix(OTHER_PREFIX)
    one_stop = knowledge.OneStop(participates=None, verification=knowledge.Verification.UNVERIFIED)
    fields: dict[str, Any] = {  # unvalidated on purpose: it has no site, no date, no sources
        "id": value,
        "name": name,
        "group": value,
        "kind": knowledge.CarrierKind.MVNO,
        "aliases": [name],
        "official_url": None,
        "mnp_page_url": None,
        "port_out": [],
        "accepts_shop_signup": None,
        "one_stop": one_stop,
        "fees": [],
        "reservation_requirements": [],
        "group_moves": [],
        "after_switch": [],
        "carrier_mail": None,
        "billing_note": None,
        "as_of": None,
        "sources": [],
    }
    return knowledge.CarrierDocument.model_construct(**fields)


def resolve_brand(
    text: str, carriers: Iterable[knowledge.CarrierDocument], *, field: str = "brand"
) -> knowledge.CarrierDocument:
    """The brand whose id, name or alias equals `text` once squashed, a stand-in for an "other:" brand,
    else `UnknownBrand(field, text)`."""
    if text.startswith(OTHER_PREFIX) and len(text) > len(OTHER_PREFIX):
        return unknown_carrier(text)
    wanted = squash(text)
    for carrier in carriers:
        if wanted in names_of(carrier):
            return carrier
    raise UnknownBrand(field, text)
