"""The service's calendar: the customers are in Japan, so "today" is the date in Japan (Asia/Tokyo), whatever
the host's time zone. Every "today" in the service comes from `today_jst`; pure code takes the date as an
argument.
"""

import datetime as dt
from zoneinfo import ZoneInfo

TIMEZONE = "Asia/Tokyo"  # also the name PostgreSQL groups days by
JST = ZoneInfo(TIMEZONE)


def date_in_japan(instant: dt.datetime) -> dt.date:
    """The date in Japan at an aware instant (2026-12-03T23:30Z is 08:30 on 2026-12-04 there)."""
    return instant.astimezone(JST).date()


def today_jst() -> dt.date:
    return date_in_japan(dt.datetime.now(dt.UTC))
