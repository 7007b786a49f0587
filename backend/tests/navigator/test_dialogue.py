import datetime as dt
from collections.abc import Mapping, Sequence

import pytest

from mnp_chatbot.japanese.vocabulary import ApplyChannel, SimType
from mnp_chatbot.knowledge.loader import load_carriers
from mnp_chatbot.knowledge.schemas import CarrierDocument
from mnp_chatbot.navigator import dialogue
from mnp_chatbot.navigator.exceptions import InvalidSituation
from mnp_chatbot.navigator.schemas import Device, Mode, NavigatorState, PlanKind, Question, Slots, Turn
from tests.navigator.sample_carriers import CARRIERS

TODAY = dt.date(2026, 11, 29)


def start(known: Mapping[str, object] | None = None, carriers: Sequence[CarrierDocument] = CARRIERS) -> Turn:
    return dialogue.start(known or {}, carriers, today=TODAY)


def say(turn: Turn, *messages: str, carriers: Sequence[CarrierDocument] = CARRIERS) -> Turn:
    for message in messages:
        turn = dialogue.advance(turn.state, message, carriers, today=TODAY)
    return turn


ANSWERS_TO_SHOP_PLAN = (
    "ドコモ",
    "楽天モバイル",
    "店頭",
    "今の端末を使う",
    "eSIM",
    "同じ名義",
    "家族割なし",
    "11/20",
)


class TestSlotFilling:
    @pytest.mark.parametrize(
        ("known", "from_brand", "to_brand"),
        [
            ({"from_brand": "ﾄﾞｺﾓ", "to_brand": "楽天"}, "docomo", "rakuten"),
            ({"from_brand": "ワイモバ", "to_brand": "楽天"}, None, "rakuten"),  # not in this table
            ({"from_brand": "au", "to_brand": "エーユー"}, "au", None),
            ({"from_brand": 3, "unrelated": "x"}, None, None),
        ],
    )
    def test_known_slots_are_resolved_and_cleaned(
        self, known: dict[str, object], from_brand: str | None, to_brand: str | None
    ) -> None:
        slots = start(known).state.slots
        assert (slots.from_brand, slots.to_brand) == (from_brand, to_brand)

    def test_a_remembered_issue_date_in_the_future_is_asked_again(self) -> None:
        known = {
            "from_brand": "docomo",
            "to_brand": "rakuten",
            "channel": "shop",
            "device": "keep",
            "sim": "esim",
        }
        turn = start(
            {
                **known,
                "same_holder": True,
                "family_discount": False,
                "reservation_answered": True,
                "reservation_issued_on": "2026-12-24",
            }
        )
        assert turn.state.question is Question.RESERVATION
        assert turn.state.slots.reservation_issued_on is None

    def test_asks_every_question_in_order_then_offers_the_plan(self) -> None:
        turn = start()
        asked = [turn.state.question]
        for message in ANSWERS_TO_SHOP_PLAN:
            turn = say(turn, message)
            asked.append(turn.state.question)
        assert asked == [*list(Question)[:8], Question.MODE]
        assert turn.plan is not None
        assert turn.plan.kind is PlanKind.TWO_STEP
        assert turn.plan.reservation.expires_on == dt.date(2026, 12, 4)
        assert "12月4日" in turn.text
        assert turn.quick_replies == ["全体を見る", "1ステップずつ", "やめる"]
        slots = turn.state.slots
        assert (slots.channel, slots.device, slots.sim, slots.same_holder) == (
            ApplyChannel.SHOP,
            Device.KEEP,
            SimType.ESIM,
            True,
        )

    def test_skips_what_the_conversation_already_knows(self) -> None:
        known = dialogue.extract_slots("ドコモから楽天にオンラインで乗り換えたい", CARRIERS)
        turn = start(known)
        assert turn.state.question is Question.DEVICE
        assert turn.text.startswith("乗り換えナビを始めます")

    def test_one_stop_needs_no_issue_date(self) -> None:
        turn = say(
            start(), "ドコモ", "楽天", "オンライン", "新しい端末", "SIMカード", "同じ名義", "家族割あり"
        )
        assert turn.state.question is Question.MODE
        assert turn.plan is not None
        assert turn.plan.kind is PlanKind.ONE_STOP

    def test_online_only_target_skips_the_channel_question_and_says_why(self) -> None:
        turn = say(start(), "au", "LINEMO")
        assert turn.state.question is Question.DEVICE
        assert turn.state.slots.channel is ApplyChannel.ONLINE
        assert "オンライン専用" in turn.text

    def test_plan_change_skips_the_sim_question(self) -> None:
        turn = say(start(), "ドコモ", "ahamo", "今の端末を使う")
        assert turn.state.question is Question.HOLDER

    def test_one_message_can_answer_two_questions(self) -> None:
        turn = say(start(), "ドコモから楽天に変えたい")
        assert turn.state.question is Question.CHANNEL
        assert (turn.state.slots.from_brand, turn.state.slots.to_brand) == ("docomo", "rakuten")

    def test_target_given_while_asked_for_the_current_brand_is_kept(self) -> None:
        turn = say(start(), "楽天にしたい")
        assert turn.state.question is Question.FROM
        assert turn.state.slots.to_brand == "rakuten"
        turn = say(turn, "ドコモ")
        assert turn.state.question is Question.CHANNEL

    @pytest.mark.parametrize(
        ("answers", "question"),
        [
            (("えーと",), Question.FROM),
            (("ドコモ", "どこか安いところ"), Question.TO),
            (("ドコモ", "楽天", "どっちでも"), Question.CHANNEL),
            (("ドコモ", "楽天", "店頭", "未定"), Question.DEVICE),
            (("ドコモ", "楽天", "店頭", "新しい端末", "？"), Question.SIM),
            (("ドコモ", "楽天", "店頭", "新しい端末", "eSIM", "わからない"), Question.HOLDER),
            ((*ANSWERS_TO_SHOP_PLAN[:-1], "2/30"), Question.RESERVATION),
        ],
    )
    def test_unclear_answers_are_asked_again(self, answers: tuple[str, ...], question: Question) -> None:
        turn = say(start(), *answers)
        assert turn.state.question is question
        assert turn.text.startswith("すみません")

    def test_same_brand_twice_is_asked_again(self) -> None:
        turn = say(start(), "ドコモ", "docomo")
        assert turn.state.question is Question.TO
        assert turn.state.slots.to_brand is None
        assert "同じ" in turn.text

    def test_issue_date_in_the_future_is_asked_again(self) -> None:
        turn = say(start(), *ANSWERS_TO_SHOP_PLAN[:-1], "2026-12-01")
        assert turn.state.question is Question.RESERVATION
        assert "未来" in turn.text

    def test_not_yet_issued_gives_a_plan_without_expiry(self) -> None:
        turn = say(start(), *ANSWERS_TO_SHOP_PLAN[:-1], "まだ取っていない")
        assert turn.plan is not None
        assert turn.plan.reservation.needed is True
        assert turn.plan.reservation.expires_on is None
        assert "15日間" in turn.text


def test_every_quick_reply_is_a_valid_answer() -> None:
    turn = start()
    while turn.state.question in list(Question)[:8]:
        for label in turn.quick_replies:
            if label == "やめる":
                continue
            answered = say(turn, label)
            assert not answered.text.startswith("すみません"), (turn.state.question, label)
        assert len(turn.quick_replies) <= 13
        turn = say(turn, turn.quick_replies[0] if turn.state.question is not Question.TO else "楽天モバイル")


def test_brand_quick_replies_of_the_real_table_fit_line_and_resolve() -> None:
    carriers = load_carriers()
    turn = start(carriers=carriers)
    assert len(turn.quick_replies) == 13
    assert turn.quick_replies[:4] == ["ドコモ", "au", "ソフトバンク", "楽天モバイル"]
    for label in turn.quick_replies[:-1]:
        assert say(turn, label, carriers=carriers).state.question is Question.TO


def plan_ready() -> Turn:
    return say(start(), *ANSWERS_TO_SHOP_PLAN)


class TestWalkingThePlan:
    def test_roadmap_shows_every_step_numbered_with_the_checklist(self) -> None:
        turn = say(plan_ready(), "全体を見る")
        assert turn.plan is not None
        assert turn.state.mode is Mode.ROADMAP
        for number, step in enumerate(turn.plan.steps, start=1):
            assert f"{number}. {step.title}" in turn.text
        assert "【乗り換え後に確認すること】" in turn.text
        assert "1ステップずつ" in turn.quick_replies

    def test_step_mode_moves_with_next_and_marks_done(self) -> None:
        turn = say(plan_ready(), "1ステップずつ")
        assert turn.plan is not None
        assert turn.text.startswith(f"ステップ 1/{len(turn.plan.steps)}：事前確認")
        assert turn.quick_replies[:2] == ["次へ", "完了"]
        turn = say(turn, "次へ", "完了")
        assert (turn.state.step_index, turn.state.completed) == (2, (1,))
        turn = say(turn, "前へ")
        assert turn.state.step_index == 1
        assert "（完了）" in turn.text.splitlines()[0]

    def test_last_step_leads_to_the_checklist(self) -> None:
        turn = say(plan_ready(), "1ステップずつ")
        assert turn.plan is not None
        step_count = len(turn.plan.steps)
        turn = say(turn, *["完了"] * step_count)
        assert turn.state.question is Question.REVIEW
        assert "手順は以上です" in turn.text
        assert set(turn.state.completed) == set(range(step_count))

    def test_switching_to_the_roadmap_keeps_progress(self) -> None:
        turn = say(plan_ready(), "1ステップずつ", "完了", "全体を見る")
        assert "1. 事前確認（SIMロック・対応バンド・名義・残債）（完了）" in turn.text
        turn = say(turn, "1ステップずつ")
        assert turn.state.step_index == 1  # the first step not yet done

    def test_unclear_command_repeats_the_current_step(self) -> None:
        turn = say(plan_ready(), "1ステップずつ", "次へ", "ふむ")
        assert turn.state.step_index == 1
        assert turn.text.startswith("すみません")
        assert "ステップ 2/" in turn.text


class TestStopAndResume:
    def test_stop_then_navi_resumes_at_the_saved_step_even_after_a_round_trip_as_json(self) -> None:
        turn = say(plan_ready(), "1ステップずつ", "次へ", "次へ", "やめる")
        assert turn.state.active is False
        assert "終了しました" in turn.text
        stored = NavigatorState.model_validate_json(turn.state.model_dump_json())
        resumed = dialogue.advance(stored, "乗り換えナビ", CARRIERS, today=TODAY)
        assert resumed.state.active is True
        assert resumed.text.startswith("前回の続きから再開します")
        assert "ステップ 3/" in resumed.text

    def test_resume_in_the_middle_of_the_questions_asks_the_pending_one(self) -> None:
        turn = say(start(), "ドコモ", "やめる", "乗り換えたい")
        assert turn.state.question is Question.TO
        assert turn.text.startswith("前回の続きから再開します")

    def test_other_messages_while_stopped_do_not_reopen_the_flow(self) -> None:
        turn = say(start(), "ドコモ", "やめる", "楽天")
        assert turn.state.active is False
        assert turn.state.slots.to_brand is None

    def test_restart_forgets_everything(self) -> None:
        turn = say(plan_ready(), "最初から")
        assert turn.state == NavigatorState()
        assert turn.state.question is Question.FROM

    def test_a_later_day_recomputes_the_days_left(self) -> None:
        turn = plan_ready()
        later = dialogue.advance(turn.state, "全体を見る", CARRIERS, today=TODAY + dt.timedelta(days=10))
        assert later.plan is not None
        assert later.plan.reservation.days_left == 0
        assert "過ぎています" in later.text


@pytest.mark.parametrize(
    ("field", "cleared"),
    [
        ("from", "from_brand"),
        ("to", "to_brand"),
        ("channel", "channel"),
        ("sim", "sim"),
        ("device", "device"),
    ],
)
def test_a_rejected_field_clears_its_slot_only(field: str, cleared: str) -> None:
    slots = plan_ready().state.slots
    forgotten = dialogue.forget(slots, InvalidSituation(field, "x"))
    assert getattr(forgotten, cleared) is None
    assert forgotten.model_copy(update={cleared: getattr(slots, cleared)}) == slots


def test_an_unexpected_field_starts_the_questions_over() -> None:
    assert dialogue.forget(plan_ready().state.slots, InvalidSituation("sameHolder", "x")) == Slots()


def test_a_saved_step_beyond_a_shorter_plan_shows_its_last_step() -> None:
    update = {"question": Question.STEP, "mode": Mode.STEP, "step_index": 50}
    turn = dialogue.advance(plan_ready().state.model_copy(update=update), "ふむ", CARRIERS, today=TODAY)
    assert turn.plan is not None
    count = len(turn.plan.steps)
    assert f"ステップ {count}/{count}" in turn.text


def test_unclear_answer_to_the_mode_question_asks_it_again() -> None:
    turn = say(plan_ready(), "ふむ")
    assert turn.state.question is Question.MODE
    assert turn.text.startswith("すみません")
    assert turn.quick_replies == ["全体を見る", "1ステップずつ", "やめる"]
