"""The hand-off settings in force: configuration, overridden by what admins saved (pure)."""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from mnp_chatbot.handoff.hours import BusinessHours, InvalidHours, parse_hours

LIMITS = {"capacity": (1, 50), "reclaimSeconds": (10, 86_400), "abandonSeconds": (60, 7 * 86_400)}


class InvalidPolicy(ValueError):
    """An override that cannot be used; the message says why."""


@dataclass(frozen=True, slots=True)
class HandoffPolicy:
    hours: str
    holidays: tuple[str, ...]
    capacity: int
    reclaim_seconds: int
    abandon_seconds: int

    @property
    def business_hours(self) -> BusinessHours:
        return parse_hours(self.hours, self.holidays)

    def as_json(self) -> dict[str, Any]:
        return {
            "hours": self.hours,
            "holidays": list(self.holidays),
            "capacity": self.capacity,
            "reclaimSeconds": self.reclaim_seconds,
            "abandonSeconds": self.abandon_seconds,
        }

    def with_overrides(self, values: Mapping[str, Any]) -> "HandoffPolicy":
        """This policy with `values` (camelCase keys, as saved) applied; raises InvalidPolicy."""
        merged = {**self.as_json(), **{k: v for k, v in values.items() if k in self.as_json()}}
        for key, (low, high) in LIMITS.items():
            value = merged[key]
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                raise InvalidPolicy(f"{key} must be a whole number from {low} to {high}")
        holidays = merged["holidays"]
        if not isinstance(holidays, list) or not all(isinstance(day, str) for day in holidays):
            raise InvalidPolicy("holidays must be a list of dates (YYYY-MM-DD)")
        if not isinstance(merged["hours"], str):
            raise InvalidPolicy("hours must be text, e.g. 'mon-fri 09:00-18:00 Asia/Tokyo' or 'always'")
        try:
            parse_hours(merged["hours"], holidays)
        except InvalidHours as error:
            raise InvalidPolicy(str(error)) from error
        return replace(
            self,
            hours=merged["hours"].strip(),
            holidays=tuple(sorted({day.strip() for day in holidays if day.strip()})),
            capacity=merged["capacity"],
            reclaim_seconds=merged["reclaimSeconds"],
            abandon_seconds=merged["abandonSeconds"],
        )
