"""Daily figures for the charts (pure)."""

import datetime as dt

import pytest

from mnp_chatbot.insights import analytics
from mnp_chatbot.insights.analytics import ConversationDay, ReplyDay

D1, D2, D3 = dt.date(2026, 11, 10), dt.date(2026, 11, 11), dt.date(2026, 11, 12)


class TestRatio:
    @pytest.mark.parametrize(
        ("part", "whole", "expected"), [(1, 3, 0.3333), (2, 2, 1.0), (0, 5, 0.0), (0, 0, None), (3, 0, None)]
    )
    def test_ratio(self, part: int, whole: int, expected: float | None) -> None:
        assert analytics.ratio(part, whole) == expected

    @pytest.mark.parametrize(
        ("value", "expected"), [(369.99999999999994, 370.0), (12.345, 12.3), (None, None)]
    )
    def test_milliseconds_are_rounded(self, value: float | None, expected: float | None) -> None:
        assert analytics.milliseconds(value) == expected


class TestDaily:
    def test_every_day_gets_a_row_and_quiet_days_are_zero(self) -> None:
        days = analytics.daily(
            D1,
            D3,
            [ConversationDay(D1, 4, 1, 2)],
            [ReplyDay(D1, 9, 3, 1, 120.0, 800.4), ReplyDay(D3, 1, 0, 1, 50.0, 50.0)],
        )
        assert [d.day for d in days] == [D1, D2, D3]
        first, quiet, last = days
        assert (first.conversations, first.turns, first.resolved, first.handoffs) == (4, 9, 2, 1)
        assert (first.resolution_rate, first.handoff_rate, first.feedback_ratio) == (0.5, 0.25, 0.75)
        assert (first.latency_p50_ms, first.latency_p95_ms) == (120.0, 800.4)
        assert (quiet.conversations, quiet.turns, quiet.resolution_rate, quiet.latency_p50_ms) == (
            0,
            0,
            None,
            None,
        )
        assert (last.conversations, last.turns, last.resolution_rate, last.feedback_ratio) == (
            0,
            1,
            None,
            0.0,
        )

    def test_a_single_day_range(self) -> None:
        assert [d.day for d in analytics.daily(D2, D2, [], [])] == [D2]

    def test_totals_add_up_and_take_the_overall_percentiles(self) -> None:
        days = analytics.daily(
            D1,
            D2,
            [ConversationDay(D1, 4, 1, 2), ConversationDay(D2, 1, 0, 1)],
            [ReplyDay(D1, 9, 3, 1, 1.0, 2.0)],
        )
        totals = analytics.totals(days, latency_p50_ms=99.96, latency_p95_ms=None)
        assert totals.day is None
        assert (totals.conversations, totals.turns, totals.resolved, totals.handoffs) == (5, 9, 3, 1)
        assert (totals.resolution_rate, totals.handoff_rate, totals.feedback_ratio) == (0.6, 0.2, 0.75)
        assert (totals.latency_p50_ms, totals.latency_p95_ms) == (100.0, None)
