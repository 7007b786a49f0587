"""The planner over the shipped carrier table: every ordered pair of brands, and the well-known cases."""

import datetime as dt
import itertools
from functools import cache

import pytest

from mnp_chatbot.knowledge.loader import load_carriers
from mnp_chatbot.knowledge.schemas import CarrierDocument, MoveKind
from mnp_chatbot.navigator import planner
from mnp_chatbot.navigator.exceptions import InvalidSituation
from mnp_chatbot.navigator.schemas import Plan, PlanKind, Situation
from mnp_chatbot.navigator.steps import HEDGE

TODAY = dt.date(2026, 11, 29)


@cache
def carriers() -> tuple[CarrierDocument, ...]:
    return tuple(load_carriers())


PAIRS = [(a.id, b.id) for a, b in itertools.permutations(carriers(), 2)]


def plan_for(from_: str, to: str, **fields: object) -> Plan:
    situation = Situation.model_validate({"from": from_, "to": to, **fields})
    return planner.make_plan(situation, carriers(), today=TODAY)


def brand(id_: str) -> CarrierDocument:
    return next(carrier for carrier in carriers() if carrier.id == id_)


def expected_kind(source: CarrierDocument, target: CarrierDocument, channel: str) -> PlanKind:
    moves_to = {move.to for move in source.group_moves}
    if source.group == target.group and target.id in moves_to:
        return PlanKind.IN_GROUP
    if channel == "online" and source.one_stop.participates and target.one_stop.participates:
        return PlanKind.ONE_STOP
    return PlanKind.TWO_STEP


def test_the_table_has_every_brand_of_the_brief() -> None:
    assert len(PAIRS) == len(carriers()) * (len(carriers()) - 1)
    assert {"docomo", "ahamo", "au", "uq_mobile", "softbank", "linemo", "rakuten", "aeon_mobile"} <= {
        carrier.id for carrier in carriers()
    }


@pytest.mark.parametrize("channel", ["online", "shop"])
@pytest.mark.parametrize(("from_", "to"), PAIRS)
def test_every_pair_gets_a_consistent_plan(from_: str, to: str, channel: str) -> None:
    source, target = brand(from_), brand(to)
    if channel == "shop" and target.accepts_shop_signup is False:  # unknown is not "online only"
        with pytest.raises(InvalidSituation) as caught:
            plan_for(from_, to, channel=channel, reservationIssuedOn=TODAY)
        assert caught.value.field == "channel"
        return
    plan = plan_for(
        from_, to, channel=channel, reservationIssuedOn=TODAY, sameHolder=False, familyDiscount=True
    )
    assert plan.kind is expected_kind(source, target, channel)
    assert plan.reservation.needed is (plan.kind is PlanKind.TWO_STEP)
    assert plan.reservation.days_left == 15
    titles = [step.title for step in plan.steps]
    assert len(titles) == len(set(titles)) >= 4
    assert any("予約番号の取得" in title for title in titles) is (plan.kind is PlanKind.TWO_STEP)
    assert ("ワンストップ方式の確認" in titles) is (plan.kind is PlanKind.ONE_STOP)
    for step in [*plan.steps, *plan.after_switch]:
        assert step.detail
        assert step.sources, step.title
        assert (HEDGE in step.detail) is not step.verified
        if not step.verified:
            assert step.sources[-1].url is not None


class TestGoldenCases:
    def test_docomo_to_rakuten_online_is_one_stop(self) -> None:
        plan = plan_for("ドコモ", "楽天モバイル")
        assert plan.kind is PlanKind.ONE_STOP
        assert plan.reservation.needed is False
        assert plan.steps[1].title == "ワンストップ方式の確認"
        application = plan.steps[2]
        assert application.title == "楽天モバイルへの申し込み（オンライン）"
        assert "無料" in application.detail
        assert "MNP予約番号" not in application.detail

    def test_docomo_to_rakuten_at_a_shop_needs_a_number_from_docomo(self) -> None:
        plan = plan_for("docomo", "楽天", channel="shop", reservationIssuedOn="2026-11-20")
        assert plan.kind is PlanKind.TWO_STEP
        assert plan.reservation.expires_on == dt.date(2026, 12, 4)
        assert plan.reservation.days_left == 6
        assert plan.reservation.warnings == []  # a shop only needs the number to be valid
        reservation_step = plan.steps[1]
        assert reservation_step.title == "予約番号の取得（ドコモ）"
        for fact in ("My docomo", "0120-800-000", "151", "9:00〜21:30", "12月4日"):
            assert fact in reservation_step.detail
        assert "有効期間内に来店" in plan.steps[2].detail

    def test_au_to_uq_is_a_number_transfer_without_reservation(self) -> None:
        plan = plan_for("au", "UQモバイル", channel="shop")
        assert (plan.kind, plan.move_kind) == (PlanKind.IN_GROUP, MoveKind.NUMBER_TRANSFER)
        assert plan.reservation.needed is False
        assert not any("予約番号の取得" in step.title for step in plan.steps)

    def test_docomo_to_ahamo_is_a_plan_change_online_only(self) -> None:
        plan = plan_for("ドコモ", "ahamo")
        assert (plan.kind, plan.move_kind) == (PlanKind.IN_GROUP, MoveKind.PLAN_CHANGE)
        assert plan.steps[-1].title == "プラン変更の完了"
        assert not any("開通" in step.title for step in plan.steps)
        with pytest.raises(InvalidSituation) as caught:
            plan_for("ドコモ", "ahamo", channel="shop")
        assert caught.value.field == "channel"

    def test_softbank_to_linemo_is_a_brand_switch(self) -> None:
        plan = plan_for("ソフトバンク", "LINEMO")
        assert (plan.kind, plan.move_kind) == (PlanKind.IN_GROUP, MoveKind.BRAND_SWITCH)
        assert plan.reservation.needed is False

    def test_mvno_without_one_stop_needs_a_number_and_enough_days(self) -> None:
        plan = plan_for("ドコモ", "イオンモバイル", reservationIssuedOn="2026-11-22")
        assert plan.kind is PlanKind.TWO_STEP
        assert plan.reservation.days_left == 8
        assert "10日以上" in plan.reservation.warnings[0]
        titles = [step.title for step in plan.after_switch]
        assert "イオンモバイルで確認すること" in titles

    def test_expired_number_must_be_issued_again(self) -> None:
        plan = plan_for("ドコモ", "イオンモバイル", reservationIssuedOn="2026-11-01")
        assert plan.reservation.days_left == 0
        assert plan.reservation.expires_on == dt.date(2026, 11, 15)
        assert "過ぎています" in plan.reservation.warnings[0]
        assert "有効期限が切れています" in plan.steps[1].detail
