"""The pure parts of the hand-off: business hours, the wait estimate, the settings' validation."""

import datetime as dt

import pytest

from mnp_chatbot.handoff.hours import InvalidHours, parse_hours
from mnp_chatbot.handoff.policy import HandoffPolicy, InvalidPolicy
from mnp_chatbot.handoff.queue import estimated_wait_seconds
from mnp_chatbot.handoff.status import Availability, request_notice

JST = dt.timezone(dt.timedelta(hours=9))


class TestBusinessHours:
    @pytest.mark.parametrize(
        ("spec", "at", "open_"),
        [
            ("always", dt.datetime(2026, 12, 5, 3, 0, tzinfo=JST), True),
            ("mon-fri 09:00-18:00 Asia/Tokyo", dt.datetime(2026, 12, 4, 9, 0, tzinfo=JST), True),  # Friday
            ("mon-fri 09:00-18:00 Asia/Tokyo", dt.datetime(2026, 12, 4, 18, 0, tzinfo=JST), False),
            (
                "mon-fri 09:00-18:00 Asia/Tokyo",
                dt.datetime(2026, 12, 5, 12, 0, tzinfo=JST),
                False,
            ),  # Saturday
            (
                "mon-fri 09:00-18:00 Asia/Tokyo",
                dt.datetime(2026, 12, 4, 0, 30, tzinfo=dt.UTC),
                True,
            ),  # 09:30 JST
            (
                "mon-fri 09:00-18:00, sat 10:00-17:00 Asia/Tokyo",
                dt.datetime(2026, 12, 5, 12, 0, tzinfo=JST),
                True,
            ),
            ("sat-mon 10:00-12:00", dt.datetime(2026, 12, 6, 11, 0, tzinfo=JST), True),  # Sunday, wraps
        ],
    )
    def test_open_at(self, spec: str, at: dt.datetime, open_: bool) -> None:
        assert parse_hours(spec).is_open(at) is open_

    def test_a_holiday_is_closed_all_day_even_when_always_open(self) -> None:
        hours = parse_hours("always", ["2027-01-01"])
        assert not hours.is_open(dt.datetime(2027, 1, 1, 12, 0, tzinfo=JST))
        assert hours.is_open(dt.datetime(2027, 1, 2, 12, 0, tzinfo=JST))

    @pytest.mark.parametrize(
        "spec",
        ["mon-fri 18:00-09:00", "月-金 9:00-18:00", "mon-fri 09:00-18:00 Mars/Base", "funday 10:00-11:00"],
    )
    def test_unreadable_hours_are_refused(self, spec: str) -> None:
        with pytest.raises(InvalidHours):
            parse_hours(spec)


class TestEstimate:
    @pytest.mark.parametrize(
        ("position", "free", "online", "waits", "expected"),
        [
            (1, 2, 1, [60.0, 100.0, 80.0], 80),
            (3, 2, 1, [60.0], 120),
            (1, 0, 0, [60.0], None),
            (1, 0, 2, [], 120),
        ],
    )
    def test_wait(
        self, position: int, free: int, online: int, waits: list[float], expected: int | None
    ) -> None:
        assert (
            estimated_wait_seconds(position, free_slots=free, online=online, recent_waits=waits) == expected
        )


class TestPolicy:
    base = HandoffPolicy("always", (), 3, 120, 1800)

    def test_overrides_apply(self) -> None:
        policy = self.base.with_overrides({"hours": "mon-fri 09:00-18:00 Asia/Tokyo", "capacity": 5})
        assert (policy.hours, policy.capacity) == ("mon-fri 09:00-18:00 Asia/Tokyo", 5)

    @pytest.mark.parametrize("values", [{"capacity": 0}, {"hours": "whenever"}, {"holidays": ["12/31"]}])
    def test_bad_overrides_are_refused(self, values: dict[str, object]) -> None:
        with pytest.raises(InvalidPolicy):
            self.base.with_overrides(values)


class TestNotice:
    def test_outside_hours_says_so_and_offers_a_call_back(self) -> None:
        text = request_notice(Availability(open=False, online=0, free_slots=0, hours="mon-fri 09:00-18:00"))
        assert "対応時間外" in text
        assert "折り返し" in text

    def test_nobody_online_says_so(self) -> None:
        assert "いません" in request_notice(Availability(open=True, online=0, free_slots=0, hours="always"))

    def test_with_operators_online_the_customer_waits_in_turn(self) -> None:
        assert "順番" in request_notice(Availability(open=True, online=1, free_slots=1, hours="always"))
