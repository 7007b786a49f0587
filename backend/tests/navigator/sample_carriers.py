"""A small hand-made carrier table, so the planner tests do not depend on the shipped data."""

import datetime as dt
from typing import Any

from mnp_chatbot.knowledge.schemas import CarrierDocument

AS_OF = dt.date(2025, 10, 19)


def _source(title: str) -> dict[str, Any]:
    return {"title": title, "url": f"https://example.jp/{title}", "date": "2025-10-19"}


def _carrier(id_: str, name: str, group: str, kind: str, aliases: list[str], **extra: Any) -> CarrierDocument:
    data: dict[str, Any] = {
        "id": id_,
        "name": name,
        "group": group,
        "kind": kind,
        "aliases": aliases,
        "official_url": f"https://{id_}.example.jp/",
        "one_stop": {
            "participates": True,
            "verification": "official",
            "sources": [_source(f"{id_}-onestop")],
        },
        "as_of": AS_OF,
    }
    data.update(extra)
    return CarrierDocument.model_validate(data)


def _move(to: str, kind: str) -> dict[str, Any]:
    return {"to": to, "kind": kind, "note": f"{to}へは{kind}です。", "verification": "press"}


def _fee(channel: str, text: str, verification: str = "press") -> dict[str, Any]:
    return {
        "name": "契約事務手数料",
        "channel": channel,
        "text": text,
        "as_of": AS_OF,
        "verification": verification,
        "sources": [_source(f"fee-{text}")],
    }


DOCOMO_PORT_OUT = [
    {
        "channel": "web",
        "name": "My docomo",
        "hours": "9:00〜21:30",
        "url": "https://docomo.example.jp/mnp",
        "verification": "official",
        "sources": [_source("docomo-mnp")],
    },
    {
        "channel": "phone",
        "name": "ドコモ インフォメーションセンター",
        "phone_numbers": ["151（ドコモ携帯から）", "0120-800-000"],
        "hours": "9:00〜20:00",
        "verification": "secondary",
    },
]

CARRIERS = [
    _carrier(
        "docomo",
        "ドコモ",
        "docomo",
        "mno",
        ["docomo", "NTTドコモ"],
        port_out=DOCOMO_PORT_OUT,
        fees=[_fee("shop", "4,950円"), _fee("web", "無料")],
        group_moves=[_move("ahamo", "plan_change")],
        carrier_mail="ドコモメール持ち運びは解約から31日以内に申し込みます。",
    ),
    _carrier(
        "ahamo",
        "ahamo",
        "docomo",
        "online_brand",
        ["アハモ"],
        accepts_shop_signup=False,
        shop_signup_verification="official",
        shop_signup_sources=[_source("online-only")],
        fees=[_fee("web", "無料")],
    ),
    _carrier("au", "au", "kddi", "mno", ["エーユー"], group_moves=[_move("uq_mobile", "number_transfer")]),
    _carrier("uq_mobile", "UQ mobile", "kddi", "sub_brand", ["UQモバイル", "UQ"]),
    _carrier(
        "softbank",
        "ソフトバンク",
        "softbank",
        "mno",
        ["SoftBank", "SB"],
        group_moves=[_move("linemo", "brand_switch")],
    ),
    _carrier(
        "linemo",
        "LINEMO",
        "softbank",
        "online_brand",
        ["ラインモ"],
        accepts_shop_signup=False,
        shop_signup_verification="official",
    ),
    _carrier(
        "rakuten",
        "楽天モバイル",
        "rakuten",
        "mno",
        ["楽天", "rakuten mobile"],
        reservation_requirements=[
            {
                "channel": "web",
                "min_days_left": 7,
                "text": "有効期限が7日以上残った予約番号が必要です。",
                "verification": "official",
            },
            {"channel": "shop", "text": "有効期限内に来店してください。", "verification": "official"},
        ],
    ),
    _carrier(
        "tiny",
        "タイニーSIM",
        "tiny",
        "mvno",
        ["タイニー"],
        one_stop={"participates": None, "verification": "unverified"},
        accepts_shop_signup=False,
        shop_signup_verification="official",
        shop_signup_sources=[_source("online-only")],
        reservation_requirements=[
            {"channel": "web", "min_days_left": 10, "text": "10日以上必要です。", "verification": "secondary"}
        ],
        after_switch=["APN プロファイルをインストールします。"],
    ),
    _carrier(
        "mini",
        "ミニモバイル",
        "mini",
        "mvno",
        ["ミニ"],
        accepts_shop_signup=False,
        shop_signup_verification="official",
    ),
]
