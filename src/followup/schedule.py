"""Business-day and wall-clock arithmetic, kept pure: no clock reads, no I/O."""

from __future__ import annotations

import datetime as dt
from collections.abc import Container
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class BusinessDays:
    """Monday to Friday, minus the given public holidays.

    `holidays` is anything supporting `date in holidays` (a set, or a `holidays`
    package calendar).
    """

    holidays: Container[dt.date] = field(default_factory=frozenset)

    def is_business_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and day not in self.holidays

    def next_or_same(self, day: dt.date) -> dt.date:
        """'Next business day' in the playbook: a business day stays as it is."""
        while not self.is_business_day(day):
            day += ONE_DAY
        return day

    def shift(self, day: dt.date, count: int) -> dt.date:
        """The `count`-th business day after `day` (before it when negative); 0 keeps `day`."""
        step = ONE_DAY if count > 0 else -ONE_DAY
        for _ in range(abs(count)):
            day += step
            while not self.is_business_day(day):
                day += step
        return day


def at_wall_time(day: dt.date, time: dt.time, tz: str) -> dt.datetime:
    """`time` on `day` as a clock in `tz` shows it (a DST gap moves it forward)."""
    zone = ZoneInfo(tz)
    local = dt.datetime.combine(day, time, tzinfo=zone)
    # Round-trip through UTC to normalise a non-existent wall time (inside a DST gap).
    return local.astimezone(dt.timezone.utc).astimezone(zone)


def add_elapsed(moment: dt.datetime, delta: dt.timedelta) -> dt.datetime:
    """`moment + delta` in real elapsed time, expressed in `moment`'s zone."""
    return (moment.astimezone(dt.timezone.utc) + delta).astimezone(moment.tzinfo)

