import datetime as dt

import pytest

from mnp_chatbot.japanese.vocabulary import ApplyChannel, SimType
from mnp_chatbot.knowledge.schemas import MoveKind
from mnp_chatbot.navigator import planner
from mnp_chatbot.navigator.exceptions import InvalidSituation, UnknownBrand
from mnp_chatbot.navigator.schemas import Device, Plan, PlanKind, Situation
from mnp_chatbot.navigator.steps import HEDGE
from tests.navigator.sample_carriers import CARRIERS

TODAY = dt.date(2026, 11, 29)


def plan_for(from_: str, to: str, **fields: object) -> Plan:
    situation = Situation.model_validate({"from": from_, "to": to, **fields})
    return planner.make_plan(situation, CARRIERS, today=TODAY)


def step_titles(plan: Plan) -> list[str]:
    return [step.title for step in plan.steps]


class TestResolveBrand:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("docomo", "docomo"),
            ("ﾄﾞｺﾓ", "docomo"),
            ("ＮＴＴドコモ", "docomo"),
            ("ＵＱ　ｍｏｂｉｌｅ", "uq_mobile"),
            ("uqモバイル", "uq_mobile"),
            ("ＳＢ", "softbank"),
            ("Rakuten Mobile", "rakuten"),
            ("らいんも", "linemo"),
        ],
    )
    def test_finds_brand_by_id_name_or_alias_whatever_the_width_or_case(
        self, text: str, expected: str
    ) -> None:
        assert planner.resolve_brand(text, CARRIERS).id == expected

    def test_names_the_field_and_the_input_when_nothing_matches(self) -> None:
        with pytest.raises(UnknownBrand) as caught:
            planner.resolve_brand("ワイモバ", CARRIERS, field="to")
        assert caught.value.field == "to"
        assert "ワイモバ" in caught.value.message


class TestKindOfMove:
    @pytest.mark.parametrize(
        ("from_", "to", "channel", "kind", "move"),
        [
            ("ドコモ", "楽天", "online", PlanKind.ONE_STOP, None),
            ("ドコモ", "楽天", "shop", PlanKind.TWO_STEP, None),
            ("ドコモ", "ahamo", "online", PlanKind.IN_GROUP, MoveKind.PLAN_CHANGE),
            ("au", "UQ", "shop", PlanKind.IN_GROUP, MoveKind.NUMBER_TRANSFER),
            ("ソフトバンク", "LINEMO", "online", PlanKind.IN_GROUP, MoveKind.BRAND_SWITCH),
            ("UQ", "au", "online", PlanKind.ONE_STOP, None),  # same group, but no group move in the table
            ("ドコモ", "タイニー", "online", PlanKind.TWO_STEP, None),
            ("タイニー", "ドコモ", "online", PlanKind.TWO_STEP, None),
        ],
    )
    def test_is_read_from_the_table(
        self, from_: str, to: str, channel: str, kind: PlanKind, move: MoveKind | None
    ) -> None:
        plan = plan_for(from_, to, channel=channel)
        assert (plan.kind, plan.move_kind) == (kind, move)
        assert plan.reservation.needed is (kind is PlanKind.TWO_STEP)


class TestReservationNumber:
    @pytest.mark.parametrize(
        ("issued_days_ago", "expires_on", "days_left"),
        [
            (0, dt.date(2026, 12, 13), 15),
            (7, dt.date(2026, 12, 6), 8),
            (14, dt.date(2026, 11, 29), 1),
            (15, dt.date(2026, 11, 28), 0),
            (40, dt.date(2026, 11, 3), 0),
        ],
    )
    def test_is_valid_fifteen_days_including_the_issue_day(
        self, issued_days_ago: int, expires_on: dt.date, days_left: int
    ) -> None:
        issued = TODAY - dt.timedelta(days=issued_days_ago)
        plan = plan_for("ドコモ", "楽天", channel="shop", reservationIssuedOn=issued)
        assert plan.reservation.expires_on == expires_on
        assert plan.reservation.days_left == days_left

    @pytest.mark.parametrize(
        ("to", "channel", "issued_days_ago", "expected"),
        [
            ("楽天", "shop", 14, None),  # shop: any day of validity will do
            ("楽天", "shop", 15, "過ぎています"),
            ("タイニー", "online", 5, None),  # 10 days left, 10 needed
            ("タイニー", "online", 6, "10日以上"),  # 9 days left
            ("タイニー", "online", 20, "過ぎています"),
        ],
    )
    def test_warns_when_the_target_needs_more_days_or_the_number_expired(
        self, to: str, channel: str, issued_days_ago: int, expected: str | None
    ) -> None:
        issued = TODAY - dt.timedelta(days=issued_days_ago)
        warnings = plan_for("ドコモ", to, channel=channel, reservationIssuedOn=issued).reservation.warnings
        if expected is None:
            assert warnings == []
        else:
            assert len(warnings) == 1
            assert expected in warnings[0]

    def test_expired_number_asks_to_issue_it_again_in_the_steps(self) -> None:
        plan = plan_for("ドコモ", "タイニー", reservationIssuedOn=TODAY - dt.timedelta(days=30))
        reservation_step = next(step for step in plan.steps if "予約番号の取得" in step.title)
        assert "有効期限が切れています" in reservation_step.detail

    def test_one_stop_says_an_issued_number_is_not_needed(self) -> None:
        plan = plan_for("ドコモ", "楽天", reservationIssuedOn=TODAY)
        assert plan.reservation.needed is False
        assert "必要ありません" in plan.reservation.warnings[0]


class TestInvalidSituation:
    @pytest.mark.parametrize(
        ("fields", "field"),
        [
            ({"from": "ドコモ", "to": "docomo"}, "to"),
            ({"from": "どこも２", "to": "au"}, "from"),
            ({"from": "au", "to": "存在しない会社"}, "to"),
            ({"from": "au", "to": "ahamo", "channel": "shop"}, "channel"),
            (
                {"from": "au", "to": "楽天", "reservationIssuedOn": TODAY + dt.timedelta(days=1)},
                "reservationIssuedOn",
            ),
        ],
    )
    def test_names_the_offending_field(self, fields: dict[str, object], field: str) -> None:
        with pytest.raises(InvalidSituation) as caught:
            planner.make_plan(Situation.model_validate(fields), CARRIERS, today=TODAY)
        assert caught.value.field == field
        assert caught.value.status_code == 422
        assert caught.value.message.startswith(f"{field}: ")


class TestSteps:
    def test_two_step_tells_where_and_when_to_get_the_number(self) -> None:
        plan = plan_for("ドコモ", "楽天", channel="shop", reservationIssuedOn=TODAY)
        step = plan.steps[1]
        assert step.title == "予約番号の取得（ドコモ）"
        for expected in ("My docomo", "9:00〜21:30", "0120-800-000", "151", "12月13日（日）"):
            assert expected in step.detail
        assert "MNP予約番号" in plan.steps[2].detail

    def test_one_stop_has_no_reservation_step_and_links_both_brands(self) -> None:
        plan = plan_for("ドコモ", "楽天")
        assert not any("予約番号の取得" in title for title in step_titles(plan))
        one_stop = next(step for step in plan.steps if step.title == "ワンストップ方式の確認")
        urls = {ref.url for ref in one_stop.sources}
        assert {"https://example.jp/docomo-onestop", "https://example.jp/rakuten-onestop"} <= urls

    def test_order_is_check_then_number_then_apply_then_activate_then_cancel(self) -> None:
        titles = step_titles(plan_for("ドコモ", "タイニー", sameHolder=False))
        assert titles[0].startswith("事前確認")
        assert titles[1:] == [
            "名義の変更（ドコモで）",
            "予約番号の取得（ドコモ）",
            "タイニーSIMへの申し込み（オンライン）",
            "SIMカードの受け取りと開通",
            "ドコモの自動解約",
        ]

    def test_plan_change_keeps_the_line_and_skips_activation(self) -> None:
        titles = step_titles(plan_for("ドコモ", "ahamo"))
        assert titles[1:] == ["プラン変更の確認", "ahamoへのプラン変更（オンライン）", "プラン変更の完了"]

    @pytest.mark.parametrize(
        ("channel", "expected", "absent"),
        [
            ("shop", "4,950円（2025年10月19日時点）", "無料"),
            ("online", "無料（2025年10月19日時点）", "4,950円"),
        ],
    )
    def test_application_quotes_the_fee_of_the_channel_with_its_date(
        self, channel: str, expected: str, absent: str
    ) -> None:
        application = plan_for("au", "ドコモ", channel=channel).steps[2]
        assert expected in application.detail
        assert absent not in application.detail

    @pytest.mark.parametrize(
        ("sim", "device", "expected"),
        [
            (SimType.ESIM, Device.KEEP, "eSIMに対応しているか"),
            (SimType.CARD, Device.NEW, "新しく用意する端末"),
            (SimType.CARD, Device.BUNDLE, "一緒に購入"),
        ],
    )
    def test_precheck_follows_sim_and_device(self, sim: SimType, device: Device, expected: str) -> None:
        assert expected in plan_for("ドコモ", "楽天", sim=sim, device=device).steps[0].detail

    def test_unverified_facts_are_hedged_and_point_to_the_official_site(self) -> None:
        plan = plan_for("ドコモ", "楽天", channel=ApplyChannel.SHOP)
        reservation_step = plan.steps[1]  # one of docomo's port-out channels is only secondary
        assert reservation_step.verified is False
        assert reservation_step.detail.endswith(HEDGE)
        assert reservation_step.sources[-1].url == "https://docomo.example.jp/"

    def test_verified_steps_are_not_hedged(self) -> None:
        plan = plan_for("ドコモ", "楽天")
        verified = [step for step in plan.steps if step.verified]
        assert verified
        assert all(HEDGE not in step.detail and step.sources for step in verified)


class TestAfterSwitch:
    @pytest.mark.parametrize(
        ("to", "expected", "absent"),
        [
            ("ミニ", "通信設定（APN）の確認", "ミニモバイルで確認すること"),
            (
                "タイニー",
                "タイニーSIMで確認すること",
                "通信設定（APN）の確認",
            ),  # its own APN note replaces ours
        ],
    )
    def test_mvno_target_gets_apn_advice_once(self, to: str, expected: str, absent: str) -> None:
        titles = [step.title for step in plan_for("ドコモ", to).after_switch]
        assert expected in titles
        assert absent not in titles

    def test_mno_target_needs_no_apn_step(self) -> None:
        titles = [step.title for step in plan_for("タイニー", "ドコモ").after_switch]
        assert "通信設定（APN）の確認" not in titles

    def test_carrier_mail_comes_from_the_table(self) -> None:
        mail = next(
            step for step in plan_for("ドコモ", "楽天").after_switch if step.title == "キャリアメール"
        )
        assert "31日以内" in mail.detail

    @pytest.mark.parametrize(("family", "present"), [(True, True), (False, False)])
    def test_family_discount_effects_only_when_the_customer_has_one(
        self, family: bool, present: bool
    ) -> None:
        titles = [step.title for step in plan_for("au", "楽天", familyDiscount=family).after_switch]
        assert ("家族割・セット割" in titles) is present


class TestSerialisation:
    def test_uses_the_camel_case_names_of_the_api(self) -> None:
        body = plan_for("ドコモ", "楽天", channel="shop", reservationIssuedOn="2026-11-20").model_dump(
            mode="json", by_alias=True
        )
        assert body["kind"] == "two_step"
        assert body["reservationNumber"]["expiresOn"] == "2026-12-04"
        assert body["reservationNumber"]["needed"] is True
        assert {"title", "detail", "sources"} <= set(body["steps"][0])
        assert body["afterSwitch"]
