import datetime as dt

import pytest

from mnp_chatbot.japanese.brands import find_brands
from mnp_chatbot.japanese.vocabulary import ApplyChannel, SimType
from mnp_chatbot.navigator import parsing
from mnp_chatbot.navigator.parsing import NOT_YET, Command
from mnp_chatbot.navigator.schemas import Device
from tests.navigator.sample_carriers import CARRIERS

TODAY = dt.date(2026, 11, 29)


class TestWantsNavigator:
    @pytest.mark.parametrize(
        "text",
        [
            "乗り換えナビ",
            "のりかえナビを使いたい",
            "ドコモから楽天に乗り換えたい",
            "auからUQに変えたい",
            "楽天モバイルに乗り換えを考えています",
            "MNPしたい",
            "携帯会社を変えたい",
            "格安SIMに移りたい",
            "乗り換えの手順を教えて",
            "ahamoにしたい",
            "ｱﾊﾓにしたいです",
        ],
    )
    def test_recognises_a_wish_to_switch(self, text: str) -> None:
        assert parsing.wants_navigator(text, CARRIERS)

    @pytest.mark.parametrize(
        "text",
        [
            "予約番号の有効期限は？",
            "機種変更したい",
            "メールアドレスを変えたい",
            "乗り換えの手数料はいくら？",
            "ドコモの営業時間は？",
            "料金プランを見たい",
        ],
    )
    def test_ignores_other_questions(self, text: str) -> None:
        assert not parsing.wants_navigator(text, CARRIERS)


class TestBrands:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("楽天モバイルにしたい", ["rakuten"]),
            ("ＵＱモバイルとａｕ", ["uq_mobile", "au"]),
            ("audioの話", []),
            ("SBからラインモへ", ["softbank", "linemo"]),
        ],
    )
    def test_finds_mentions_in_reading_order(self, text: str, expected: list[str]) -> None:
        assert [mention.carrier.id for mention in find_brands(text, CARRIERS)] == expected

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("ドコモから楽天に乗り換えたい", {"from_brand": "docomo", "to_brand": "rakuten"}),
            ("auからUQへ", {"from_brand": "au", "to_brand": "uq_mobile"}),
            ("au→楽天", {"from_brand": "au", "to_brand": "rakuten"}),
            ("今はソフトバンクです", {"from_brand": "softbank"}),
            ("楽天にしたい", {"to_brand": "rakuten"}),
            ("ドコモから楽天", {"from_brand": "docomo", "to_brand": "rakuten"}),
            ("ドコモと楽天", {}),
            (
                "ドコモからeSIMで楽天に、店頭で",
                {"from_brand": "docomo", "to_brand": "rakuten", "sim": "esim", "channel": "shop"},
            ),
            ("オンラインでSIMカードにしたい", {"sim": "card", "channel": "online"}),
        ],
    )
    def test_extract_slots_reads_roles_and_explicit_choices(
        self, text: str, expected: dict[str, str]
    ) -> None:
        assert parsing.extract_slots(text, CARRIERS) == expected


class TestAnswers:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("今日", TODAY),
            ("本日取りました", TODAY),
            ("昨日", dt.date(2026, 11, 28)),
            ("おととい", dt.date(2026, 11, 27)),
            ("一昨日", dt.date(2026, 11, 27)),
            ("3日前", dt.date(2026, 11, 26)),
            ("11/20", dt.date(2026, 11, 20)),
            ("１１月２０日", dt.date(2026, 11, 20)),
            ("12/20", dt.date(2025, 12, 20)),  # no year: the latest such day up to today
            ("2026-11-20", dt.date(2026, 11, 20)),
            ("2026年11月3日に取得", dt.date(2026, 11, 3)),
            ("20日", dt.date(2026, 11, 20)),
            ("30日", dt.date(2026, 10, 30)),
            ("まだ取っていない", NOT_YET),
            ("これからです", NOT_YET),
            ("2/30", None),
            ("わからない", None),
            ("うーん", None),
        ],
    )
    def test_issue_date(self, text: str, expected: object) -> None:
        assert parsing.parse_issue_date(text, TODAY) == expected

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("同じ名義", True),
            ("はい", True),
            ("家族割あり", True),
            ("名義が違う", False),
            ("同じじゃないです", False),
            ("いいえ", False),
            ("家族割なし", False),
            ("入っていない", False),
            ("わからない", None),
            ("えっと", None),
        ],
    )
    def test_yes_no(self, text: str, expected: bool | None) -> None:
        assert parsing.parse_yes_no(text) is expected

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("今の端末を使う", Device.KEEP),
            ("そのままで", Device.KEEP),
            ("新しい端末", Device.NEW),
            ("SIMフリーのを買い替えます", Device.NEW),
            ("セットで購入", Device.BUNDLE),
            ("新しい端末を一緒に買う", Device.BUNDLE),
            ("未定", None),
        ],
    )
    def test_device(self, text: str, expected: Device | None) -> None:
        assert parsing.parse_device(text) is expected

    @pytest.mark.parametrize(
        ("text", "sim", "channel"),
        [
            ("eSIM", SimType.ESIM, None),
            ("ｅＳＩＭ", SimType.ESIM, None),
            ("いーしむ", SimType.ESIM, None),
            ("SIMカード", SimType.CARD, None),
            ("オンライン", None, ApplyChannel.ONLINE),
            ("ネットで", None, ApplyChannel.ONLINE),
            ("オンラインショップ", None, ApplyChannel.ONLINE),
            ("店頭", None, ApplyChannel.SHOP),
            ("ショップに行きます", None, ApplyChannel.SHOP),
        ],
    )
    def test_sim_and_channel(self, text: str, sim: SimType | None, channel: ApplyChannel | None) -> None:
        assert parsing.parse_sim(text) is sim
        assert parsing.parse_channel(text) is channel

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("次へ", Command.NEXT),
            ("つぎ", Command.NEXT),
            ("完了", Command.DONE),
            ("できました", Command.DONE),
            ("前へ", Command.BACK),
            ("全体を見る", Command.ROADMAP),
            ("1ステップずつ", Command.STEPWISE),
            ("やめる", Command.STOP),
            ("最初から", Command.RESTART),
            ("ドコモ", None),
        ],
    )
    def test_commands(self, text: str, expected: Command | None) -> None:
        assert parsing.parse_command(text) is expected
