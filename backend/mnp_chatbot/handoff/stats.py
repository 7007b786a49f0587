"""Hand-off figures for the console's charts: requests, waits, first responses, abandoned, per operator.

Days are grouped in Japan time; a window is [start of `first`, end of `last`) in Japan time."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Float, case, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from mnp_chatbot.auth.models import User
from mnp_chatbot.core.clock import JST, TIMEZONE
from mnp_chatbot.handoff.models import Handoff


@dataclass(frozen=True, slots=True)
class DayFigures:
    date: dt.date
    requests: int
    abandoned: int
    missed: int
    wait_p50_seconds: float | None
    first_response_p50_seconds: float | None


@dataclass(frozen=True, slots=True)
class OperatorFigures:
    operator: str
    conversations: int
    resolved: int


@dataclass(frozen=True, slots=True)
class HandoffStats:
    from_: dt.date
    to: dt.date
    waiting: int
    requests: int
    resolved: int
    abandoned: int
    missed: int
    wait_p50_seconds: float | None
    wait_p90_seconds: float | None
    first_response_p50_seconds: float | None
    first_response_p90_seconds: float | None
    days: Sequence[DayFigures]
    operators: Sequence[OperatorFigures]
    timezone: str = TIMEZONE


def _seconds(later: Any, earlier: Any) -> ColumnElement[float]:
    return cast(func.extract("epoch", later - earlier), Float)


WAIT = _seconds(Handoff.claimed_at, Handoff.queued_at)
FIRST_RESPONSE = _seconds(Handoff.first_response_at, Handoff.queued_at)


def _percentile(fraction: float, value: ColumnElement[float]) -> ColumnElement[float]:
    return func.percentile_cont(fraction).within_group(value)


def _count(status: str) -> ColumnElement[int]:
    return func.count(case((Handoff.status == status, 1)))


class StatsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def stats(self, first: dt.date, last: dt.date) -> HandoffStats:
        start = dt.datetime.combine(first, dt.time(), tzinfo=JST)
        end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=JST)
        inside = (Handoff.created_at >= start, Handoff.created_at < end)
        totals = (
            await self.session.execute(
                select(
                    func.count(),
                    _count("resolved"),
                    _count("abandoned"),
                    _count("missed"),
                    _percentile(0.5, WAIT),
                    _percentile(0.9, WAIT),
                    _percentile(0.5, FIRST_RESPONSE),
                    _percentile(0.9, FIRST_RESPONSE),
                ).where(*inside)
            )
        ).one()
        day = func.date(func.timezone(TIMEZONE, Handoff.created_at))
        days = (
            await self.session.execute(
                select(
                    day,
                    func.count(),
                    _count("abandoned"),
                    _count("missed"),
                    _percentile(0.5, WAIT),
                    _percentile(0.5, FIRST_RESPONSE),
                )
                .where(*inside)
                .group_by(day)
                .order_by(day)
            )
        ).all()
        operators = (
            await self.session.execute(
                select(User.display_name, func.count(), _count("resolved"))
                .join(User, User.id == Handoff.operator_id)
                .where(*inside)
                .group_by(User.display_name)
                .order_by(func.count().desc())
            )
        ).all()
        waiting = await self.session.scalar(select(func.count()).where(Handoff.status == "waiting"))
        by_day: dict[dt.date, Sequence[Any]] = {row[0]: row for row in days}
        return HandoffStats(
            from_=first,
            to=last,
            waiting=int(waiting or 0),
            requests=int(totals[0]),
            resolved=int(totals[1]),
            abandoned=int(totals[2]),
            missed=int(totals[3]),
            wait_p50_seconds=totals[4],
            wait_p90_seconds=totals[5],
            first_response_p50_seconds=totals[6],
            first_response_p90_seconds=totals[7],
            days=[_day(date, by_day.get(date)) for date in _dates(first, last)],
            operators=[OperatorFigures(name, int(count), int(done)) for name, count, done in operators],
        )


def _dates(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=offset) for offset in range((last - first).days + 1)]


def _day(date: dt.date, row: Sequence[Any] | None) -> DayFigures:
    if row is None:
        return DayFigures(date, 0, 0, 0, None, None)
    return DayFigures(date, int(row[1]), int(row[2]), int(row[3]), row[4], row[5])
