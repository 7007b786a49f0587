"""The one vocabulary of application channels and SIM types."""

import pytest

from mnp_chatbot.japanese.text import squash
from mnp_chatbot.japanese.vocabulary import (
    PHONE_WORDS,
    ApplyChannel,
    SimType,
    channel_named,
    has_any,
    sim_named,
)


@pytest.mark.parametrize(
    ("text", "channel"),
    [
        ("おんらいんで", ApplyChannel.ONLINE),
        ("ＷＥＢから申し込む", ApplyChannel.ONLINE),
        ("オンラインショップ", ApplyChannel.ONLINE),
        ("お店でも同じ？", ApplyChannel.SHOP),
        ("ショップに行きます", ApplyChannel.SHOP),
        ("予約番号の窓口は？", None),
        ("手数料はいくら？", None),
    ],
)
def test_any_mention_of_a_channel(text: str, channel: ApplyChannel | None) -> None:
    assert channel_named(text) is channel


@pytest.mark.parametrize(
    ("text", "channel"),
    [
        ("店頭で乗り換えたい", ApplyChannel.SHOP),
        ("ネットで手続き", ApplyChannel.ONLINE),
        ("店頭の営業時間", None),
    ],
)
def test_a_channel_stated_in_passing(text: str, channel: ApplyChannel | None) -> None:
    assert channel_named(text, stated=True) is channel


@pytest.mark.parametrize(
    ("text", "sim", "stated"),
    [
        ("ｅＳＩＭ", SimType.ESIM, SimType.ESIM),
        ("いーしむにしたい", SimType.ESIM, SimType.ESIM),
        ("SIMカードで", SimType.CARD, SimType.CARD),
        ("物理SIM", SimType.CARD, SimType.CARD),
        ("nano", SimType.CARD, None),
        ("シムで", SimType.CARD, None),
    ],
)
def test_sim_types(text: str, sim: SimType, stated: SimType | None) -> None:
    assert sim_named(text) is sim
    assert sim_named(text, stated=True) is stated


def test_the_phone_desk_is_not_a_channel_to_apply_through() -> None:
    assert has_any(squash("コールセンターに電話"), PHONE_WORDS)
    assert channel_named("コールセンターに電話") is None
