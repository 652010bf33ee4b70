"""Working days, hours and wall-clock arithmetic for two people (PLAYBOOK.md, "Two people's
calendars"), kept pure: no clock reads, no I/O.

The **user** works in their zone, inside their hours, on their country's working days; the
**contact** (the interviewer) in theirs. A *working date* is Monday–Friday and a public
holiday in neither country; a *working moment* is one whose date is a working date on both
people's clocks.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Container, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo

from followup.core.memo import bounded
from followup.errors import UsageError

T = TypeVar("T")
ONE_DAY = dt.timedelta(days=1)
QUARTER = dt.timedelta(minutes=15)
MIN_HOURS = dt.timedelta(hours=2)
# No stretch of days is closed for both people for this long (weekends plus the longest
# holiday runs); a search that goes further has a bug, not a calendar, to blame.
SEARCH_LIMIT = 60


# -- the user's hours ----------------------------------------------------------------------


@dataclass(frozen=True)
class Hours:
    """The part of the day the user does follow-up work in (config `hours`)."""

    start: dt.time = dt.time(8, 0)
    end: dt.time = dt.time(20, 0)

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    def clamp(self, time: dt.time) -> dt.time:
        if time < self.start:  # min(max(time, start), end), without the two calls
            time = self.start
        return self.end if self.end < time else time


DEFAULT_HOURS = Hours()
_HOURS = re.compile(r"(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})")


def parse_hours(text: str) -> Hours:
    """'08:00-20:00' → Hours; empty, malformed, reversed or shorter than 2 h is an error."""
    cleaned = text.strip()
    if not cleaned:
        raise UsageError('the hours are empty; give them as "08:00-20:00"')
    match = _HOURS.fullmatch(cleaned)
    try:
        if not match:
            raise ValueError
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        start, end = dt.time(h1, m1), dt.time(h2, m2)
    except ValueError:
        raise UsageError(f'the hours {text!r} are not a range such as "08:00-20:00"') from None
    if end <= start:
        raise UsageError(f"the hours {text!r} end before they start; give them as "
                         '"08:00-20:00" (hours past midnight are not supported)')
    length = dt.datetime.combine(dt.date.min, end) - dt.datetime.combine(dt.date.min, start)
    if length < MIN_HOURS:
        raise UsageError(f"the hours {text!r} are shorter than 2 hours; a plan needs room")
    return Hours(start, end)


# -- holidays ------------------------------------------------------------------------------

# Holidays in the `holidays` package's PUBLIC category that ordinary private employers work
# on: in the US that category is the federal list, and Columbus Day and Veterans Day close
# federal offices and banks, not companies (README, "The plan").
WORKED_THROUGH = {
    "US": frozenset({"Columbus Day", "Indigenous Peoples' Day", "Veterans Day"}),
}


@dataclass(frozen=True, eq=False)
class Holidays:
    """A country's public holidays that close private employers, with their names."""

    calendar: Any  # a holidays.HolidayBase: it fills in each year when first asked
    country: str
    worked: frozenset[str] = frozenset()

    def name(self, day: dt.date) -> str | None:
        text = self.calendar.get(day)
        if not text:
            return None
        names = [n for n in str(text).split("; ") if n.split(" (")[0] not in self.worked]
        return "; ".join(names) or None

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.name(day) is not None


def public_holidays(country: str, subdivision: str | None = None) -> Holidays:
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
    # English names when the country has them: they appear in "moved to …: <name> in US".
    kind = getattr(holidays, code, None)
    languages = getattr(kind, "supported_languages", ())
    language = "en_US" if "en_US" in languages else None
    calendar = holidays.country_holidays(
        code, subdiv=subdivision.upper() if subdivision else None, language=language)
    label = f"{code}-{subdivision.upper()}" if subdivision else code
    return Holidays(calendar, label, WORKED_THROUGH.get(code, frozenset()))


def holiday_name(holidays: Container[dt.date], day: dt.date) -> str | None:
    if isinstance(holidays, Holidays):
        return holidays.name(day)
    return "a public holiday" if day in holidays else None


# -- two people's calendars ----------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    tz: str
    holidays: Container[dt.date] = field(default_factory=frozenset)

    @functools.cached_property  # asked on every date and time a plan computes
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    @property
    def city(self) -> str:
        """'America/Los_Angeles' → 'Los Angeles': how a note names the zone."""
        return self.tz.rsplit("/", 1)[-1].replace("_", " ")


@dataclass(frozen=True)
class TwoCalendars:
    """The user's and one contact's calendars: where a step may go (rules 1–3)."""

    user: Person
    contact: Person
    hours: Hours = DEFAULT_HOURS
    # Working dates already looked up: a plan asks about the same few weeks many times, and
    # the calendars of a pair of people are shared by the plans of a command (two_calendars).
    _working: dict[dt.date, bool] = field(default_factory=dict, compare=False, repr=False)
    # Working days counted from a day (shift), by the day and the count: every plan
    # counts from the few days its interview's steps fall on.
    _shifts: dict[tuple[dt.date, int], dt.date] = field(default_factory=dict, compare=False,
                                                        repr=False)
    # Whole answers of placing.py (remembered), by what they were asked.
    _answers: dict[tuple[Any, ...], Any] = field(default_factory=dict, compare=False, repr=False)

    # dates ------------------------------------------------------------------------------

    def closed(self, day: dt.date) -> str | None:
        """Why `day` is not a working date: None when it is one."""
        if day.weekday() >= 5:
            return f"{day:%A}"
        for person in (self.user, self.contact):
            name = holiday_name(person.holidays, day)
            if name is not None:
                country = getattr(person.holidays, "country", None)
                return f"{name} in {country}" if country else name
        return None

    def working_date(self, day: dt.date) -> bool:
        known = self._working.get(day)
        if known is None:
            known = bounded(self._working, KEPT)[day] = self.closed(day) is None
        return known

    def next_or_same(self, day: dt.date) -> dt.date:
        """'Next working day': a working day stays as it is."""
        for _ in range(SEARCH_LIMIT):
            if self.working_date(day):
                return day
            day += ONE_DAY
        raise AssertionError(f"no working day within {SEARCH_LIMIT} days of {day}")

    def shift(self, day: dt.date, count: int) -> dt.date:
        """The `count`-th working day after `day` (before it when negative); 0 keeps `day`."""
        key = (day, count)
        found = self._shifts.get(key)
        if found is None:
            found = bounded(self._shifts, KEPT)[key] = self._shift(day, count)
        return found

    def _shift(self, day: dt.date, count: int) -> dt.date:
        step = ONE_DAY if count > 0 else -ONE_DAY
        for _ in range(abs(count)):
            day += step
            for _ in range(SEARCH_LIMIT):
                if self.working_date(day):
                    break
                day += step
        return day

    # moments ----------------------------------------------------------------------------

    def user_date(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(self.user.zone).date()

    def contact_date(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(self.contact.zone).date()

    def working_moment(self, moment: dt.datetime) -> bool:
        """A working date on both people's clocks (rules 1 and 3)."""
        return self.working_date(self.user_date(moment)) and self.working_date(
            self.contact_date(moment))

    def in_hours(self, moment: dt.datetime) -> bool:
        local = moment.astimezone(self.user.zone).time()
        return self.hours.start <= local <= self.hours.end

    def at(self, day: dt.date, time: dt.time) -> dt.datetime:
        """`time` (kept inside the user's hours) on the user's `day`."""
        return at_wall_time(day, self.hours.clamp(time), self.user.tz)

    def day_window(self, day: dt.date, working: bool = True) -> tuple[dt.datetime, dt.datetime] | None:
        """The user's hours on their `day`; with `working`, only the part that is a working
        moment for both (a user's evening can be the contact's Saturday). None when empty."""
        start, end = self.at(day, self.hours.start), self.at(day, self.hours.end)
        if not working:
            return start, end
        if not self.working_date(day):
            return None
        # The contact's date changes at most once inside a day of hours: cut there.
        contact_start, contact_end = self.contact_date(start), self.contact_date(end)
        if contact_start == contact_end:
            return (start, end) if self.working_date(contact_start) else None
        first, second = self.working_date(contact_start), self.working_date(contact_end)
        if first and second:
            return start, end
        midnight = at_wall_time(contact_end, dt.time(0), self.contact.tz)
        if first:
            cut = add_elapsed(midnight, -QUARTER)  # the last quarter of the contact's day
            return (start, cut) if cut >= start else None
        if second:
            return midnight, end
        return None

    def clamp_forward(self, moment: dt.datetime) -> dt.datetime:
        """`moment` if inside the user's hours, else the next start of their hours."""
        if self.in_hours(moment):
            return moment
        local = moment.astimezone(self.user.zone)
        day = local.date() if local.time() < self.hours.start else local.date() + ONE_DAY
        return self.at(day, self.hours.start)

    def remembered(self, key: tuple[Any, ...], make: Callable[[], T]) -> T:
        """make(), the answer of a pure question about these calendars, asked once: `key`
        names the question and holds everything the answer depends on besides the two
        calendars (a moment as exact_key(), or an equal moment of another fold or zone
        object would share its answer)."""
        answer = self._answers.get(key, _UNKNOWN)  # one lookup: a tuple's hash is not kept
        if answer is not _UNKNOWN:
            return cast(T, answer)
        answer = bounded(self._answers, KEPT)[key] = make()
        return answer

    def call_starts(self, day: dt.date, windows: Sequence[tuple[dt.time, dt.time]],
                    length: dt.timedelta, in_hours: bool = True,
                    earliest: dt.datetime | None = None) -> Iterator[dt.datetime]:
        """The starts, in order, of a `length` call inside the contact's `windows` on their
        `day` on a working moment for both, from `earliest` on; with `in_hours`, only calls
        inside the user's hours (rule 4). Found one by one: a plan takes the first that
        suits it, and seldom asks for the same day's calls again (an import's thousand
        plans asked again for one day in six: listing whole days cost more than it saved)."""
        if not self.working_date(day):
            return
        for start in window_moments(day, windows, length, self.contact.tz):
            if (earliest is None or start >= earliest) and self._call_fits(start, length, in_hours):
                yield start

    def _call_fits(self, start: dt.datetime, length: dt.timedelta, in_hours: bool) -> bool:
        """working_moment(start), and with `in_hours` in_hours() at both ends of the call:
        the user's clock read once for the start (a thousand plans' calls, day after day)."""
        local = start.astimezone(self.user.zone)
        if not (self.working_date(local.date()) and self.working_date(self.contact_date(start))):
            return False
        return not in_hours or (self.hours.start <= local.time() <= self.hours.end
                                and self.in_hours(add_elapsed(start, length)))

    def hours_distance(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """How far a slot would have to move to lie inside the user's hours (0: it does)."""
        day = self.user_date(start)
        best = dt.timedelta.max
        for offset in (-1, 0, 1):
            begin = self.at(day + offset * ONE_DAY, self.hours.start)
            finish = self.at(day + offset * ONE_DAY, self.hours.end)
            best = min(best, max(begin - start, end - finish, dt.timedelta(0)))
        return best


_UNKNOWN = object()  # no answer remembered (None is an answer)
KEPT = 4096  # answers a TwoCalendars keeps of each kind: a long-running feed server's plans


def exact_key(moment: dt.datetime) -> tuple[dt.datetime, int, dt.tzinfo | None]:
    """A key that tells apart moments Python's == does not: two of the same zone compare
    by their wall time alone, so the two 01:30 of a night the clocks go back are equal.
    With the fold and the zone beside it, the moment itself is such a key: equal keys
    have the same zone and fold, so their moments compare by wall time, and are one
    (cheaper than a naive copy, made by a keyword call)."""
    return moment, moment.fold, moment.tzinfo


def two_calendars(user: Person, contact: Person, hours: Hours = DEFAULT_HOURS) -> TwoCalendars:
    """The calendars of this pair of people, shared by every plan that asks for them: an
    import plans thousands of interviews in a few zones, and each pair answers which dates
    are working dates once (holidays that are not hashable: calendars of their own)."""
    try:
        return _shared_calendars(user, contact, hours)
    except TypeError:  # a set of holidays (tests): nothing to key the cache by
        return TwoCalendars(user, contact, hours)


@functools.lru_cache(maxsize=64)
def _shared_calendars(user: Person, contact: Person, hours: Hours) -> TwoCalendars:
    return TwoCalendars(user, contact, hours)


def at_wall_time(day: dt.date, time: dt.time, tz: str) -> dt.datetime:
    """`time` on `day` as a clock in `tz` shows it (a DST gap moves it forward)."""
    if time.fold:  # equal to its fold-0 twin as a key: made, not remembered
        return _at_wall_time.__wrapped__(day, time, tz)
    return _at_wall_time(day, time, tz)


def start_of_day(day: dt.date, tz: str) -> dt.datetime:
    """at_wall_time(day, 00:00, tz): the start of a day in a plan (rule 6, rule 5's gaps)."""
    return _at_wall_time(day, MIDNIGHT, tz)  # fold 0: remembered


MIDNIGHT = dt.time(0)


@functools.lru_cache(maxsize=4096)  # pure; the plans of an import ask for the same few weeks
def _at_wall_time(day: dt.date, time: dt.time, tz: str) -> dt.datetime:
    zone = ZoneInfo(tz)
    local = dt.datetime.combine(day, time, tzinfo=zone)
    # Round-trip through UTC to normalise a non-existent wall time (inside a DST gap).
    return local.astimezone(dt.timezone.utc).astimezone(zone)


def add_elapsed(moment: dt.datetime, delta: dt.timedelta) -> dt.datetime:
    """`moment + delta` in real elapsed time, expressed in `moment`'s zone."""
    return (moment.astimezone(dt.timezone.utc) + delta).astimezone(moment.tzinfo)


# -- busy times ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Busy:
    """A time the user is not free, from one of their calendars."""

    start: dt.datetime
    end: dt.datetime
    summary: str = ""


def overlapping(start: dt.datetime, end: dt.datetime, busy: Sequence[Busy]) -> Busy | None:
    return next((b for b in busy if b.start < end and b.end > start), None)


def window_starts(
    day: dt.date,
    windows: Sequence[tuple[dt.time, dt.time]],
    length: dt.timedelta,
    tz: str,
    step: dt.timedelta = QUARTER,
) -> tuple[dt.datetime, ...]:
    """Every start, `step` apart, of a `length` slot inside the windows of `day` in `tz`."""
    return _window_starts(day, tuple(windows), length, tz, step)


@functools.lru_cache(maxsize=1024)  # pure; the time-boxed steps of an import ask for the same few weeks
def _window_starts(day: dt.date, windows: tuple[tuple[dt.time, dt.time], ...],
                   length: dt.timedelta, tz: str, step: dt.timedelta) -> tuple[dt.datetime, ...]:
    return tuple(window_moments(day, windows, length, tz, step))


def window_moments(
    day: dt.date,
    windows: Sequence[tuple[dt.time, dt.time]],
    length: dt.timedelta,
    tz: str,
    step: dt.timedelta = QUARTER,
) -> Iterator[dt.datetime]:
    """window_starts(), one by one: for who needs only the first few."""
    for window_start, window_end in windows:
        candidate = at_wall_time(day, window_start, tz)
        limit = at_wall_time(day, window_end, tz)
        # add_elapsed, counted once in UTC: the same moments, in the same zone object.
        zone, elapsed = candidate.tzinfo, candidate.astimezone(dt.timezone.utc)
        while (elapsed + length).astimezone(zone) <= limit:
            yield candidate
            elapsed += step
            candidate = elapsed.astimezone(zone)
