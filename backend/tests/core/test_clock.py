"""The service's "today" is the date in Japan, whatever the host's time zone."""

import datetime as dt

import pytest

from mnp_chatbot.core import clock

UTC = dt.UTC


@pytest.mark.parametrize(
    ("instant", "date"),
    [
        (dt.datetime(2026, 12, 3, 23, 30, tzinfo=UTC), dt.date(2026, 12, 4)),  # 08:30 on the 4th in Japan
        (dt.datetime(2026, 12, 3, 14, 59, 59, tzinfo=UTC), dt.date(2026, 12, 3)),  # 23:59:59 in Japan
        (dt.datetime(2026, 12, 3, 15, 0, tzinfo=UTC), dt.date(2026, 12, 4)),  # midnight in Japan
        (dt.datetime(2026, 12, 31, 15, 0, tzinfo=UTC), dt.date(2027, 1, 1)),
        (dt.datetime(2026, 12, 3, 18, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5))), dt.date(2026, 12, 4)),
    ],
)
def test_date_in_japan_is_the_calendar_date_in_tokyo(instant: dt.datetime, date: dt.date) -> None:
    assert clock.date_in_japan(instant) == date


def test_today_jst_reads_the_clock_in_japan() -> None:
    before = clock.date_in_japan(dt.datetime.now(UTC))
    today = clock.today_jst()
    assert before <= today <= clock.date_in_japan(dt.datetime.now(UTC))
