"""Queue position and estimated wait (pure)."""

from collections.abc import Sequence

DEFAULT_WAIT_SECONDS = 120  # a first guess at how long a pick-up takes, before there is any history


def estimated_wait_seconds(
    position: int, *, free_slots: int, online: int, recent_waits: Sequence[float]
) -> int | None:
    """How long the customer at `position` (1 = next) likely waits; None when no operator is online.

    Customers are taken in turns as wide as the free slots (at least one per online operator); each turn
    takes about the median of recent waits."""
    if online <= 0:
        return None
    typical = median(recent_waits) if recent_waits else DEFAULT_WAIT_SECONDS
    width = max(free_slots, online, 1)
    turns = (max(position, 1) + width - 1) // width
    return round(turns * typical)


def median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
