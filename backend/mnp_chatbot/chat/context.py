"""What the conversation remembers between turns, and how a short follow-up becomes a full question (pure)."""

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from mnp_chatbot.japanese import vocabulary
from mnp_chatbot.japanese.text import normalize
from mnp_chatbot.japanese.vocabulary import ApplyChannel, SimType
from mnp_chatbot.knowledge.schemas import CarrierDocument

FOLLOW_UP_MAX_CHARS = 24
FOLLOW_UP = re.compile(
    r"^(?:じゃあ|じゃ|では|なら|それ(?:じゃ|で|なら)?|あと|ちなみに|で、)|"
    r"(?:の場合|だと|では|なら|の方|のほう|は|も)(?:どう(?:です|なります)?か?|は)?[?？。]*$"
)
CHANNEL_QUERY = {ApplyChannel.SHOP: "店頭で手続きする場合", ApplyChannel.ONLINE: "オンラインで手続きする場合"}
SIM_QUERY = {SimType.ESIM: "eSIMの場合", SimType.CARD: "SIMカードの場合"}


@dataclass(frozen=True, slots=True)
class Slots:
    from_brand: str | None = None
    to_brand: str | None = None
    sim: str | None = None
    device: str | None = None
    channel: str | None = None
    topic: str | None = None  # the last answered question, masked
    attribute: str | None = None  # the brand attribute the last structured answer was about
    brands: tuple[str, ...] = ()  # ids of the brands the customer named last
    low_confidence_streak: int = 0

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> "Slots":
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        if "brands" in known:
            known["brands"] = tuple(str(brand) for brand in known["brands"])
        return cls(**known)

    def as_dict(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if value is not None and value != ()}


def remember(slots: Slots, stated: Mapping[str, str]) -> Slots:
    """Slots updated with what this message states about the customer's switch (see navigator parsing)."""
    known: dict[str, Any] = {key: value for key, value in stated.items() if key in Slots.__dataclass_fields__}
    return replace(slots, **known)


def is_follow_up(normalized: str, elliptic: bool = True) -> bool:
    """A short message shaped like a follow-up that has no topic of its own (see `intent.Reading`)."""
    return elliptic and len(normalized) <= FOLLOW_UP_MAX_CHARS and FOLLOW_UP.search(normalized) is not None


def strip_brands(text: str, carriers: Sequence[CarrierDocument]) -> str:
    stripped = normalize(text)
    for carrier in carriers:
        for alias in sorted({normalize(n) for n in (carrier.name, *carrier.aliases)}, key=len, reverse=True):
            stripped = stripped.replace(alias, " ")
    return " ".join(stripped.split())


def expand_follow_up(
    normalized: str,
    slots: Slots,
    named: Sequence[CarrierDocument],
    carriers: Sequence[CarrierDocument],
    *,
    elliptic: bool = True,
) -> str | None:
    """The full question a short follow-up stands for (「じゃあauの場合は？」), or None if it is not one.

    Only a message with no topic of its own is a follow-up: 「ドコモの予約番号は？」 keeps its own topic."""
    if slots.topic is None or not is_follow_up(normalized, elliptic):
        return None
    additions = [carrier.name for carrier in named]
    channel = vocabulary.channel_named(normalized)
    sim = vocabulary.sim_named(normalized, stated=True)
    additions += [CHANNEL_QUERY[channel]] if channel else []
    additions += [SIM_QUERY[sim]] if sim else []
    if not additions:
        return None
    topic = strip_brands(slots.topic, carriers) if named else slots.topic
    return " ".join([*additions, topic])
