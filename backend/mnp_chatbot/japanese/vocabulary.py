"""Where a customer applies (online or at a shop) and which SIM they want, with the words that say so.

Every word list is in `squash()`ed form and read on squashed text, so 「ｅＳＩＭ」「いーしむ」 or
「オンライン」「おんらいん」 all match. The lists say which value comes first when a text names both.
"""

from enum import StrEnum
from typing import TypeVar

from mnp_chatbot.japanese.text import squash

T = TypeVar("T")


class ApplyChannel(StrEnum):
    ONLINE = "online"
    SHOP = "shop"


class SimType(StrEnum):
    ESIM = "esim"
    CARD = "card"


def _words(*words: str) -> tuple[str, ...]:
    return tuple(squash(word) for word in words)


# Any mention: an answer to 「オンラインと店頭のどちらで？」, or the channel a question is about.
# Online first: 「オンラインショップ」 is online. Not 窓口: 「予約番号の窓口」 is the desk that issues the
# number, by phone or on the web as well.
CHANNEL_WORDS: dict[ApplyChannel, tuple[str, ...]] = {
    ApplyChannel.ONLINE: _words("オンライン", "ウェブ", "web", "ネット", "サイト", "アプリ", "online"),
    ApplyChannel.SHOP: _words("店頭", "ショップ", "店舗", "お店", "店", "shop", "来店"),
}
# Stated outright in passing (「店頭で乗り換えたい」), without being asked.
CHANNEL_STATED: dict[ApplyChannel, tuple[str, ...]] = {
    ApplyChannel.ONLINE: _words("オンラインで", "ネットで", "ウェブで", "webで", "サイトで"),
    ApplyChannel.SHOP: _words("店頭で", "ショップで", "店舗で", "お店で"),
}
# The phone desk: a way to get a 予約番号, not a way to apply.
PHONE_WORDS = _words("電話", "コールセンター")

# Any mention: an answer to 「eSIMとSIMカードのどちらに？」 (「sim」 alone is a card).
SIM_WORDS: dict[SimType, tuple[str, ...]] = {
    SimType.ESIM: _words("esim", "イーシム"),
    SimType.CARD: _words("simカード", "カード", "物理", "nano", "sim", "シム"),
}
# Stated outright in passing.
SIM_STATED: dict[SimType, tuple[str, ...]] = {
    SimType.ESIM: _words("esim", "イーシム"),
    SimType.CARD: _words("simカード", "物理sim"),
}


def has_any(squashed: str, words: tuple[str, ...]) -> bool:
    return any(word in squashed for word in words)


def first_named(squashed: str, table: dict[T, tuple[str, ...]]) -> T | None:
    """The first value in `table` one of whose words occurs in `squashed`."""
    return next((value for value, words in table.items() if has_any(squashed, words)), None)


def channel_named(text: str, *, stated: bool = False) -> ApplyChannel | None:
    return first_named(squash(text), CHANNEL_STATED if stated else CHANNEL_WORDS)


def sim_named(text: str, *, stated: bool = False) -> SimType | None:
    return first_named(squash(text), SIM_STATED if stated else SIM_WORDS)
