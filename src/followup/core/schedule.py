"""Business-day and wall-clock arithmetic, kept pure: no clock reads, no I/O."""

from __future__ import annotations

import datetime as dt
from collections.abc import Container, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from followup.errors import UsageError

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



@dataclass(frozen=True)
class Busy:
    """A time the user is not free, from one of their calendars."""

    start: dt.datetime
    end: dt.datetime
    summary: str = ""


def overlapping(start: dt.datetime, end: dt.datetime, busy: Sequence[Busy]) -> Busy | None:
    return next((b for b in busy if b.start < end and b.end > start), None)


def free_slot(
    day: dt.date,
    first: dt.time,
    windows: Sequence[tuple[dt.time, dt.time]],
    length: dt.timedelta,
    tz: str,
    busy: Sequence[Busy],
    step: dt.timedelta = dt.timedelta(minutes=15),
) -> dt.datetime | None:
    """The first start on `day`, from `first` on, inside one of the windows, that is free."""
    for window_start, window_end in windows:
        if window_end <= first:
            continue
        begin = at_wall_time(day, max(first, window_start), tz)
        limit = at_wall_time(day, window_end, tz)
        candidate = begin
        while add_elapsed(candidate, length) <= limit:
            if overlapping(candidate, add_elapsed(candidate, length), busy) is None:
                return candidate
            candidate = add_elapsed(candidate, step)
    return None


def public_holidays(country: str, subdivision: str | None = None) -> Container[dt.date]:
    """The public holidays of a country (ISO 3166 code) and optional subdivision."""
    import holidays  # a tenth of a second to load: only when a plan needs holidays

    code = country.strip().upper()
    supported = holidays.list_supported_countries()
    if code not in supported:
        raise UsageError(
            f"unknown country {country!r}; use an ISO 3166 code such as GB, US or DE"
        )
    if subdivision and subdivision.upper() not in supported[code]:
        raise UsageError(
            f"unknown subdivision {subdivision!r} of {code}; use one of: "
            + ", ".join(supported[code])
        )
    return holidays.country_holidays(code, subdiv=subdivision.upper() if subdivision else None)
