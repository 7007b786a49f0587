"""The number guard (pure): every number in an LLM reply must come from its sources."""

import pytest

from mnp_chatbot.chat import guard

URL = "https://www.soumu.go.jp/main_sosiki/joho_tsusin/top/tel_number/mnp.html"
SOURCES = [
    "MNP予約番号の有効期限は、取得した日を含めて15日間です。予約番号は10桁の数字です。",
    "ドコモ インフォメーションセンター（ドコモの携帯から151、一般電話から0120-800-000）"
    "受付時間は9:00〜20:00です。LINEMOの契約事務手数料は3,850円（税込）です。",
    f"総務省のガイドライン改正は2021年4月1日に施行されました。上限は千円以下の額です。詳細: {URL}",
    "（2025年10月1日時点の情報です）",
]


class TestCheck:
    @pytest.mark.parametrize(
        "reply",
        [
            "有効期限は15日間です[1]。",
            "有効期限は15日です。",  # 日間 and 日 are both days
            "有効期限は15日間です【1】［2］。",  # citations in other brackets
            "予約番号は１０桁です。",  # full-width digits
            "手数料は3,850円です[2]。",
            "手数料は3850円です。",  # comma between digits dropped
            "手数料は３，８５０円です。",
            "0120-800-000 にお電話ください。",
            "０１２０－８００－０００にお電話ください。",
            "0120800000 にお電話ください。",
            "ドコモの携帯からは151です。",
            "受付は9:00から20:00までです。",
            "受付は9時から20時までです。",  # 9時 is 9:00
            "受付時間は09:00〜20:00です。",
            "2021年4月1日に施行されました[3]。",
            "2021-04-01 に施行されました。",
            "2021/4/1 に施行されました。",
            "4月1日から無料です。",  # the month and day of a sourced date
            "2021年から無料です。",  # the year of a sourced date
            "2025年10月時点の情報です。",
            "上限は1,000円以下です。",  # 千円 in the source
            "上限は千円以下です。",
            "上限は1千円以下です。",
            "上限は0.1万円以下です。",
            "十五日以内に手続きしてください。",  # kanji numeral before a counter
            f"詳しくは {URL} をご覧ください。",
            "1. 予約番号を取得します\n2. 乗り換え先で申し込みます",  # list markers are not facts
            "①予約番号を取得し、②申し込みます。",
            "一般的には当日中に切り替わります。",  # 一 that is no number
            "数万円かかる場合もあります。",  # a vague amount, not a figure
            "番号ポータビリティの手続きをご案内します。",
        ],
    )
    def test_accepts_a_reply_whose_numbers_are_all_in_the_sources(self, reply: str) -> None:
        assert guard.check(reply, SOURCES) == guard.GuardResult(True)

    @pytest.mark.parametrize(
        ("reply", "offending"),
        [
            ("有効期限は30日間です。", ("30日間",)),
            ("有効期限は１４日間です。", ("１４日間",)),
            ("有効期限は十四日です。", ("十四日",)),
            ("手数料は3,300円です。", ("3,300円",)),
            ("手数料は15円です。", ("15円",)),  # a sourced number with another unit
            ("受付時間は9:00〜21:00です。", ("21:00",)),
            ("受付は10時からです。", ("10時",)),
            ("0120-800-001 にお電話ください。", ("0120-800-001",)),
            ("2021年5月1日に施行されました。", ("2021年5月1日",)),
            ("2022-04-01 に施行されました。", ("2022-04-01",)),
            ("3月31日までに手続きしてください。", ("3月31日",)),
            ("2024年に改正されました。", ("2024年",)),
            ("予約番号は11桁です。", ("11桁",)),
            ("有効期限は15日間、手数料は500円です。", ("500円",)),
            ("24時間受付です。", ("24時間",)),
            ("成功率は95%です。", ("95%",)),
            ("上限は1万円です。", ("1万円",)),
            ("上限は2千円です。", ("2千円",)),
            ("詳しくは https://example.com/mnp/2024 をご覧ください。", ("https://example.com/mnp/2024",)),
            ("有効期限は15日間です[5]。", ("[5]",)),  # only four sources
            ("有効期限は15日間です[0]。", ("[0]",)),
            ("有効期限は15日間です【7】。", ("【7】",)),
        ],
    )
    def test_rejects_a_number_the_sources_do_not_contain(
        self, reply: str, offending: tuple[str, ...]
    ) -> None:
        assert guard.check(reply, SOURCES) == guard.GuardResult(False, offending)

    def test_reports_every_offending_number(self) -> None:
        result = guard.check("30日以内に、500円を、03-1234-5678 へ。", SOURCES)
        assert result.offending == ("30日", "500円", "03-1234-5678")

    def test_without_sources_any_number_is_rejected(self) -> None:
        assert not guard.check("有効期限は15日間です。", []).ok


class TestKanjiValue:
    @pytest.mark.parametrize(
        ("kanji", "value"),
        [
            ("一", 1),
            ("十", 10),
            ("十五", 15),
            ("二十", 20),
            ("百", 100),
            ("三千五百", 3500),
            ("千", 1000),
            ("一万五千", 15000),
            ("二〇二三", 2023),
        ],
    )
    def test_reads_kanji_numerals(self, kanji: str, value: int) -> None:
        assert guard.kanji_value(kanji) == value


class TestFold:
    def test_keeps_offsets_while_normalising_width(self) -> None:
        text = "ｹｰﾀｲ０１２０－８００"
        folded = guard.fold(text)
        assert len(folded) == len(text)
        assert folded.endswith("0120-800")


def stream(deltas: list[str], sources: list[str] = SOURCES) -> tuple[list[str], guard.NumberGate]:
    gate = guard.NumberGate(sources)
    released = []
    for delta in deltas:
        released.append(gate.feed(delta))
        if gate.failed:
            return released, gate
    released.append(gate.finish())
    return released, gate


class TestNumberGate:
    def test_text_without_numbers_goes_out_as_it_arrives(self) -> None:
        released, gate = stream(["予約番号は", "乗り換え先に", "伝えます。"])
        assert released == ["予約番号は", "乗り換え先に", "伝えます。", ""]
        assert not gate.failed

    def test_holds_a_number_until_it_is_complete_and_checked(self) -> None:
        released, gate = stream(["有効期限は", "1", "5", "日", "間です。"])
        assert released == ["有効期限は", "", "", "", "15日間です。", ""]
        assert not gate.failed

    def test_a_number_split_across_deltas_is_read_whole(self) -> None:
        released, _ = stream(["電話は0120-", "800-", "000です。"])
        assert "".join(released) == "電話は0120-800-000です。"

    def test_a_number_at_the_very_end_is_released_by_finish(self) -> None:
        released, gate = stream(["手数料は3,850円"])
        assert released == ["手数料は", "3,850円"]
        assert not gate.failed

    def test_a_failing_number_is_never_released(self) -> None:
        released, gate = stream(["有効期限は", "3", "0日間", "です。"])
        assert "30" not in "".join(released)
        assert gate.failed
        assert gate.offending == ("30日間",)

    def test_a_failing_number_at_the_end_fails_on_finish(self) -> None:
        released, gate = stream(["有効期限は30日"])
        assert released == ["有効期限は", ""]
        assert gate.failed

    def test_nothing_more_is_released_after_a_failure(self) -> None:
        gate = guard.NumberGate(SOURCES)
        gate.feed("手数料は500円で")
        assert gate.failed
        assert gate.feed("す。") == ""
        assert gate.finish() == ""

    @pytest.mark.parametrize(
        "reply",
        [
            "有効期限は15日間です[1]。手数料は3,850円です[2]。",
            "受付は9:00〜20:00、0120-800-000 へどうぞ。",
            "有効期限は30日間です。",
            "2021年4月1日から無料です。上限は千円以下です。",
        ],
    )
    def test_agrees_with_check_however_the_text_is_split(self, reply: str) -> None:
        expected = guard.check(reply, SOURCES)
        for size in (1, 2, 3, 5, 8):
            deltas = [reply[i : i + size] for i in range(0, len(reply), size)]
            released, gate = stream(deltas)
            assert gate.failed is not expected.ok
            if expected.ok:
                assert "".join(released) == reply


class TestEchoes:
    PROMPT = "あなたはMNPの案内係です。\n- 出典に書かれていることだけで答え、推測で補わないでください。"

    @pytest.mark.parametrize(
        ("reply", "expected"),
        [
            ("出典に書かれていることだけで答え、推測で補わないでください。", True),
            ("出典に書かれている ことだけで答え", True),
            ("予約番号の有効期限は15日間です[1]。", False),
            ("出典に書かれています。", False),
        ],
    )
    def test_flags_replies_that_repeat_the_instructions(self, reply: str, expected: bool) -> None:
        assert guard.echoes(reply, self.PROMPT) is expected

    def test_wording_the_sources_share_with_the_prompt_is_allowed(self) -> None:
        source = "推測で補わないでください。という注意書きがあります"
        assert not guard.echoes("推測で補わないでください。", self.PROMPT, allowed=[source])
