"""The carrier-table facts worth adding to a general answer when the customer named a brand (pure)."""

from collections.abc import Callable, Sequence

from mnp_chatbot.knowledge.schemas import CarrierDocument, Channel, PortOutChannel

MAX_LINES_PER_BRAND = 3


def _port_out(carrier: CarrierDocument) -> list[str]:
    return [_describe_channel(channel) for channel in carrier.port_out]


def _describe_channel(channel: PortOutChannel) -> str:
    detail = channel.name
    if channel.phone_numbers:
        detail += "（" + "、".join(channel.phone_numbers) + "）"
    if channel.hours:
        detail += f" 受付 {channel.hours}"
    if channel.note and not channel.verification.is_verified:
        detail += f"（{channel.note}）"  # the desk's own hedge (「古い情報です」…) reaches the customer
    label = {Channel.WEB: "Web", Channel.PHONE: "電話", Channel.SHOP: "店頭"}[channel.channel]
    return f"{label}: {detail}"


def _fees(carrier: CarrierDocument) -> list[str]:
    return [fee.text for fee in carrier.fees]


def _one_stop(carrier: CarrierDocument) -> list[str]:
    if carrier.one_stop.participates and carrier.one_stop.verification.is_verified:
        since = f"（{carrier.one_stop.since:%Y年%m月%d日}〜）" if carrier.one_stop.since else ""
        return [f"ワンストップ方式に対応{since}"]
    if carrier.one_stop.participates:
        return ["ワンストップ方式に対応しているとする情報がありますが、公式には確認できていません（未確認）"]
    return ["ワンストップ方式への対応は確認できていません"]


def _side_effects(carrier: CarrierDocument) -> list[str]:
    return [text for text in (carrier.carrier_mail, carrier.billing_note) if text]


def _requirements(carrier: CarrierDocument) -> list[str]:
    return [requirement.text for requirement in carrier.reservation_requirements]


FACTS: dict[str, Callable[[CarrierDocument], list[str]]] = {
    "reservation": _port_out,
    "fees": _fees,
    "one_stop": _one_stop,
    "side_effects": _side_effects,
    "requirements": _requirements,
}


def lines(category: str, brands: Sequence[CarrierDocument]) -> list[str]:
    facts = FACTS.get(category)
    if facts is None:
        return []
    result = []
    for carrier in brands:
        found = facts(carrier)[:MAX_LINES_PER_BRAND]
        if found:
            result.append(f"【{carrier.name}の場合】" + " / ".join(found))
    return result


def is_verified_for(category: str, carrier: CarrierDocument) -> bool:
    """Whether the facts `lines` would add for this brand are all confirmed officially or by the press."""
    if category == "reservation":
        return all(channel.verification.is_verified for channel in carrier.port_out)
    if category == "fees":
        return all(fee.verification.is_verified for fee in carrier.fees)
    if category == "one_stop":
        return carrier.one_stop.verification.is_verified
    if category == "requirements":
        return all(item.verification.is_verified for item in carrier.reservation_requirements)
    return True
