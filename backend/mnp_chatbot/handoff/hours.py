"""Business hours for the hand-off (pure): `always`, or days and times in a time zone, minus holidays.

    always
    mon-fri 09:00-18:00 Asia/Tokyo
    mon-fri 09:00-18:00, sat 10:00-17:00 Asia/Tokyo

Holidays are dates (in that time zone) on which nobody takes conversations.
"""

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_ZONE = "Asia/Tokyo"
_SPAN = re.compile(
    r"^(?P<first>[a-z]{3})(?:-(?P<last>[a-z]{3}))?\s+(?P<start>\d{1,2}:\d{2})-(?P<end>\d{1,2}:\d{2})$"
)


class InvalidHours(ValueError):
    """HANDOFF_HOURS cannot be read."""


@dataclass(frozen=True, slots=True)
class Window:
    days: frozenset[int]  # 0 = Monday
    start: dt.time
    end: dt.time


@dataclass(frozen=True, slots=True)
class BusinessHours:
    windows: tuple[Window, ...]  # empty: always open
    zone: str = DEFAULT_ZONE
    holidays: frozenset[dt.date] = frozenset()

    @property
    def always(self) -> bool:
        return not self.windows

    def is_open(self, now: dt.datetime) -> bool:
        local = now.astimezone(ZoneInfo(self.zone))
        if local.date() in self.holidays:
            return False
        if self.always:
            return True
        moment = local.time().replace(tzinfo=None)
        return any(
            local.weekday() in window.days and window.start <= moment < window.end for window in self.windows
        )


def _time(value: str) -> dt.time:
    hours, minutes = (int(part) for part in value.split(":"))
    if hours == 24 and minutes == 0:
        return dt.time.max
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise InvalidHours(f"not a time of day: {value!r}")
    return dt.time(hours, minutes)


def _days(first: str, last: str | None) -> frozenset[int]:
    if first not in DAYS or (last is not None and last not in DAYS):
        raise InvalidHours(f"unknown day in {first}-{last}")
    start, end = DAYS.index(first), DAYS.index(last or first)
    return frozenset(day % 7 for day in range(start, end + 1 if end >= start else end + 8))


def _window(text: str) -> Window:
    match = _SPAN.match(text.strip())
    if match is None:
        raise InvalidHours(f"cannot read {text.strip()!r}; write e.g. 'mon-fri 09:00-18:00'")
    start, end = _time(match["start"]), _time(match["end"])
    if end <= start:
        raise InvalidHours(f"the end of {text.strip()!r} is not after its start")
    return Window(_days(match["first"], match["last"]), start, end)


def parse_holidays(values: Iterable[str]) -> frozenset[dt.date]:
    try:
        return frozenset(dt.date.fromisoformat(value.strip()) for value in values if value.strip())
    except ValueError as error:
        raise InvalidHours(f"a holiday is not a date (YYYY-MM-DD): {error}") from error


def parse_hours(text: str, holidays: Iterable[str] = ()) -> BusinessHours:
    """`text` as BusinessHours; raises InvalidHours with a readable reason."""
    spec = " ".join(text.strip().lower().split())
    days_off = parse_holidays(holidays)
    if spec in ("", "always", "24/7"):
        return BusinessHours((), DEFAULT_ZONE, days_off)
    zone = DEFAULT_ZONE
    head, _, last_word = spec.rpartition(" ")
    if "/" in last_word or last_word == "utc":
        zone = "UTC" if last_word == "utc" else text.strip().split()[-1]
        spec = head
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise InvalidHours(f"unknown time zone {zone!r}") from error
    windows = tuple(_window(part) for part in spec.split(",") if part.strip())
    if not windows:
        raise InvalidHours("no hours given")
    return BusinessHours(windows, zone, days_off)
