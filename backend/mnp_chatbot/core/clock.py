"""The service's calendar: the customers are in Japan, so "today" is the date in Japan time."""

import datetime as dt

JST = dt.timezone(dt.timedelta(hours=9), "JST")


def japan_today() -> dt.date:
    return dt.datetime.now(JST).date()
