import datetime as dt

import pytest

from mnp_chatbot.navigator import planner, rendering
from mnp_chatbot.navigator.schemas import Plan, Situation
from tests.navigator.sample_carriers import CARRIERS

TODAY = dt.date(2026, 11, 29)


def plan_for(from_: str, to: str, **fields: object) -> Plan:
    situation = Situation.model_validate({"from": from_, "to": to, **fields})
    return planner.make_plan(situation, CARRIERS, today=TODAY)


@pytest.mark.parametrize(
    ("to", "issued", "expected"),
    [
        ("楽天", None, ""),
        ("タイニー", None, "予約番号が必要です（取得日を含めて15日間有効）。"),
        ("タイニー", "2026-11-29", "予約番号の有効期限：12月13日（日）（残り15日）"),
    ],
)
def test_reservation_line(to: str, issued: str | None, expected: str) -> None:
    assert rendering.reservation_line(plan_for("ドコモ", to, reservationIssuedOn=issued)) == expected


def test_roadmap_without_checks_has_no_checklist_heading() -> None:
    plan = plan_for("ドコモ", "楽天").model_copy(update={"after_switch": []})
    assert "【乗り換え後に確認すること】" not in rendering.roadmap(plan)
    assert rendering.checklist(plan) == ""


def test_step_view_names_sources_and_where_to_confirm_a_hedged_step() -> None:
    plan = plan_for("ドコモ", "タイニー")
    hedged = next(index for index, step in enumerate(plan.steps) if not step.verified)
    text = rendering.step_view(plan, hedged)
    assert "出典：" in text
    assert text.splitlines()[-1].startswith("確認先：https://")


def test_step_view_of_a_verified_step_has_no_confirmation_line() -> None:
    plan = plan_for("ドコモ", "楽天")
    verified = next(index for index, step in enumerate(plan.steps) if step.verified)
    text = rendering.step_view(plan, verified, completed={verified})
    assert "確認先" not in text
    assert "（完了）" in text.splitlines()[0]
