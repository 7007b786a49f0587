"""Entries of the carrier table (port-out desks, fees) as plan lines and their sources."""

from collections.abc import Iterable, Sequence

from mnp_chatbot.knowledge import schemas as knowledge
from mnp_chatbot.navigator import references as refs
from mnp_chatbot.navigator.schemas import SourceRef

CHANNEL_LABELS = {
    knowledge.Channel.WEB: "Web",
    knowledge.Channel.PHONE: "電話",
    knowledge.Channel.SHOP: "店頭",
}
# The fee table has no "when is it charged" field; the customary names tell joining from leaving fees.
JOIN_FEE_WORDS = ("事務手数料",)
LEAVE_FEE_WORDS = ("転出", "解除", "解約")


def port_out_lines(channels: Sequence[knowledge.PortOutChannel]) -> list[str]:
    if not channels:
        return ["取得の窓口（会員ページ・電話・店頭）と受付時間は、公式サイトで確認してください。"]
    return ["取得できる窓口:", *(f"・{describe_port_out(channel)}" for channel in channels)]


def describe_port_out(channel: knowledge.PortOutChannel) -> str:
    details = [f"電話 {'／'.join(channel.phone_numbers)}" if channel.phone_numbers else ""]
    details += [f"受付 {channel.hours}" if channel.hours else "", channel.note or ""]
    head = f"{channel.name}（{CHANNEL_LABELS[channel.channel]}）"
    rest = "、".join(part for part in details if part)
    return f"{head}：{rest}" if rest else head


def port_out_sources(channel: knowledge.PortOutChannel) -> list[SourceRef]:
    found = refs.from_sources(channel.sources, channel.verification)
    if channel.url is not None:
        verified = channel.verification.is_verified
        found.append(SourceRef(title=channel.name, url=str(channel.url), verified=verified))
    return found


def fees_named(
    carrier: knowledge.CarrierDocument, words: tuple[str, ...], channel: knowledge.Channel
) -> list[knowledge.Fee]:
    """The brand's fees whose name has one of `words` and that apply to `channel` (or to every channel)."""
    return [
        fee
        for fee in carrier.fees
        if fee.channel in (None, channel) and any(word in fee.name for word in words)
    ]


def fee_lines(fees: Iterable[knowledge.Fee]) -> list[str]:
    return [
        f"{fee.name}：{fee.text}（{fee.as_of.year}年{fee.as_of.month}月{fee.as_of.day}日時点）"
        for fee in fees
    ]


def fee_sources(fees: Iterable[knowledge.Fee]) -> list[SourceRef]:
    found: list[SourceRef] = []
    for fee in fees:
        found += refs.from_sources(fee.sources, fee.verification) or [
            SourceRef(title=fee.name, as_of=fee.as_of.isoformat(), verified=fee.verification.is_verified)
        ]
    return found
