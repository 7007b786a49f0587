"""Issue 18, customers: the navigator takes a carrier it has no data for, and its plan never contradicts
itself (over the shipped carrier table, every ordered pair where the rule is general)."""

import datetime as dt
import itertools
import re
from functools import cache

import pytest

from mnp_chatbot.chat.reply import Mode
from mnp_chatbot.knowledge.loader import load_carriers
from mnp_chatbot.knowledge.schemas import CarrierDocument
from mnp_chatbot.navigator import planner, questions, references
from mnp_chatbot.navigator.schemas import Plan, Question, Situation, Slots
from scripts.evaluation import replay

TODAY = dt.date(2026, 12, 3)
FLOW = ("オンライン", "今の端末を使う", "eSIM", "同じ名義", "家族割なし", "まだ取っていない")


@cache
def carriers() -> tuple[CarrierDocument, ...]:
    return tuple(load_carriers())


PAIRS = [(a.id, b.id) for a, b in itertools.permutations(carriers(), 2)]


def plan_for(from_: str, to: str, **fields: object) -> Plan:
    situation = Situation.model_validate({"from": from_, "to": to, **fields})
    return planner.make_plan(situation, carriers(), today=TODAY)


def text_of(plan: Plan) -> str:
    return "\n".join(step.detail for step in (*plan.steps, *plan.after_switch))


def group(id_: str) -> str:
    return next(carrier.group for carrier in carriers() if carrier.id == id_)


@pytest.fixture
def session() -> replay.Session:
    return replay.Session(replay.shipped_snapshot(TODAY), TODAY)


class TestUnknownCarrier:
    @pytest.mark.parametrize("company", ["QTモバイル", "ほげほげモバイル"])
    def test_a_carrier_not_in_the_data_gets_a_general_two_step_plan_with_a_note(
        self, session: replay.Session, company: str
    ) -> None:
        session.say("乗り換えナビ")
        asked = session.say(company)
        assert "うまく読み取れませんでした" not in asked.text
        assert "乗り換え先はどちらですか" in asked.text
        session.say("ドコモ")
        replies = [session.say(answer) for answer in FLOW]
        overview = replies[-1]
        assert overview.mode is Mode.NAVIGATOR
        assert f"{company}についてはこのボットにデータがないため" in overview.text
        assert "予約番号を使うMNP（ツーステップ）" in overview.text
        roadmap = session.say("全体を見る").text
        assert f"予約番号の取得（{company}）" in roadmap

    def test_a_question_or_a_generic_word_is_not_taken_for_a_company(self) -> None:
        for text in ("格安SIM", "eSIMって何？", "モバイル", "今日はいい天気ですね"):
            slots, _ = questions.read_answer(Question.FROM, text, Slots(), carriers(), today=TODAY)
            assert slots.from_brand is None, text


class TestConsistentPlans:
    @pytest.mark.parametrize(("from_", "to"), PAIRS)
    def test_no_physical_sim_steps_after_esim_was_chosen(self, from_: str, to: str) -> None:
        text = text_of(plan_for(from_, to, sim="esim"))
        assert "物理SIM" not in text
        assert "SIMカードが届いたら" not in text

    @pytest.mark.parametrize(("from_", "to"), PAIRS)
    def test_only_docomo_plans_speak_of_a_d_account(self, from_: str, to: str) -> None:
        if "docomo" in (group(from_), group(to)):
            return
        assert "dアカウント" not in text_of(plan_for(from_, to))

    @pytest.mark.parametrize(("from_", "to"), PAIRS)
    def test_fees_are_stated_once(self, from_: str, to: str) -> None:
        text = text_of(plan_for(from_, to))
        said_free = "予約番号の発行は原則無料" in text
        assert not (said_free and "MNP転出手数料" in text)

    @pytest.mark.parametrize(("from_", "to"), PAIRS)
    def test_a_move_that_is_not_mnp_has_no_mnp_steps(self, from_: str, to: str) -> None:
        plan = plan_for(from_, to)
        if "MNPではありません" not in plan.summary:
            return
        text = text_of(plan)
        assert "MNP転出手数料" not in text
        assert "予約番号（10桁）を取得" not in text

    @pytest.mark.parametrize(("from_", "to"), PAIRS)
    def test_sources_concern_the_brands_at_hand(self, from_: str, to: str) -> None:
        plan = plan_for(from_, to)
        groups = {group(from_), group(to)}
        for step in (*plan.steps, *plan.after_switch):
            for ref in step.sources:
                owner = references.BRAND_SPECIFIC.get(ref.title)
                assert owner is None or owner in groups, (step.title, ref.title)

    @pytest.mark.parametrize(("from_", "to"), PAIRS)
    def test_dates_are_japanese(self, from_: str, to: str) -> None:
        plan = plan_for(from_, to)
        assert not re.search(r"\d{4}-\d{2}-\d{2}", text_of(plan) + plan.summary)


class TestStepMode:
    def test_done_marks_the_step_and_next_only_moves_on(self, session: replay.Session) -> None:
        for text in ("乗り換えナビ", "ドコモ", "au", *FLOW[:-1], "1ステップずつ"):
            session.say(text)
        moved = session.say("次へ").text
        done = session.say("完了").text
        assert "完了にしました" not in moved
        assert "を完了にしました（1/" in done
        review = session.say("全体を見る").text
        assert "（完了）" in review
