"""VTIMEZONE components in the RRULE style Outlook needs (CALENDAR_RULES.md rules 4 and 19).

A VTIMEZONE must cover every time that uses it: ical.js (Thunderbird) reads a time before
the first observance as UTC. So each zone is described, as the zone data has it, from
1999-01-01, a year before the first time followup accepts (model.FIRST_YEAR):

- one observance at 1999-01-01 with the offset then in force;
- each run of years whose transitions follow one yearly rule ("last Sunday of March at
  01:00 UTC") as an observance with DTSTART in its first year, an RRULE and, unless it is
  the rule in force today, an UNTIL; a year with a rule of its own as plain observances;
- the rule in force last has no UNTIL: it holds for every later year, as zoneinfo's own
  footer rule does.

Outlook reads only the STANDARD and the DAYLIGHT with the latest DTSTART (MS-OXCICAL
2.1.3.1.1.19.2), which is the rule in force. A zone without daylight saving time today
writes its old daylight periods as STANDARD observances, so Outlook sees no DAYLIGHT rule
to apply. Where the zone's present rule is not one yearly RRULE (Morocco and Palestine
move their clocks around Ramadan), every transition up to 2100 is an observance of its
own. No RDATE anywhere: Outlook mis-reads it, and ical.js reads only the first value of an
RDATE and skips the DTSTART of an observance that has one, so icalendar's own generator
(RDATE lists) put Santiago and Casablanca an hour off in Thunderbird.

The result depends on the zone alone (and the installed zone data): callers may cache it
per zone.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from followup.core import model

if TYPE_CHECKING:
    import icalendar

UTC = dt.timezone.utc
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
FIRST_YEAR = model.FIRST_YEAR - 1  # every VTIMEZONE starts here, with a year to spare
# Years probed against the zone data. zoneinfo follows one yearly rule after the last
# transition its file lists (2037 in "fat" files); the rule found here for HORIZON is
# that rule, checked against every year up to 2100 by tests/test_timezones.py.
HORIZON = 2040
LAST_YEAR = model.LAST_YEAR + 1  # zones without a yearly rule are listed to here
STABLE_YEARS = 5  # the rule in force must have held this long to be written as an RRULE
_PROBE = dt.timedelta(days=7)  # no zone changes its offset twice within a week


@dataclass(frozen=True)
class _Transition:
    moment: dt.datetime  # UTC, to the minute
    local: dt.datetime  # naive wall-clock time just before it (RFC 5545 DTSTART)
    offset_from: dt.timedelta
    offset_to: dt.timedelta
    dst: bool
    name: str

    @property
    def shape(self) -> tuple[object, ...]:
        """What a yearly rule keeps from year to year, besides the day of the month."""
        return (self.local.month, self.local.weekday(), self.local.time(), self.offset_from,
                self.offset_to, self.dst, self.name)

    @property
    def days(self) -> frozenset[str | int]:
        """The yearly rules this day fits: "2SU" (the second Sunday), "-1SU" (the last), or
        the first day of a week of the month it lies in ("Sunday on or after the 2nd": 2)."""
        day, last = self.local.day, calendar.monthrange(self.local.year, self.local.month)[1]
        weekday = WEEKDAYS[self.local.weekday()]
        rules: set[str | int] = {f"{(day - 1) // 7 + 1}{weekday}"}
        if day + 7 > last:
            rules.add(f"-1{weekday}")
        rules.update(range(max(1, day - 6), min(day, last - 6) + 1))
        return frozenset(rules)


def _transitions(zone: ZoneInfo, first_year: int, last_year: int) -> list[_Transition]:
    """Every change of the zone's UTC offset (or its name) in the years given, found by
    probing every week (POSIX seconds: the cheapest way to ask zoneinfo) and halving."""
    start = int(dt.datetime(first_year, 1, 1, tzinfo=UTC).timestamp())
    end = int(dt.datetime(last_year + 1, 1, 1, tzinfo=UTC).timestamp())
    step = int(_PROBE.total_seconds())

    def kind(seconds: int) -> tuple[dt.timedelta | None, str | None]:
        local = dt.datetime.fromtimestamp(seconds, zone)
        return local.utcoffset(), local.tzname()

    probes = range(start, end + step, step)
    kinds = [kind(seconds) for seconds in probes]
    found = []
    for n in range(1, len(kinds)):
        if kinds[n] == kinds[n - 1]:
            continue
        low, high = probes[n - 1], probes[n]  # the change is in (low, high]: find the minute
        while high - low > 60:
            mid = (low + high) // 120 * 60
            if mid <= low:
                break
            if kind(mid) == kinds[n - 1]:
                low = mid
            else:
                high = mid
        before, after = kinds[n - 1][0], dt.datetime.fromtimestamp(high, zone)
        offset_to = after.utcoffset()
        assert before is not None and offset_to is not None
        moment = dt.datetime.fromtimestamp(high, UTC)
        found.append(_Transition(moment, (moment + before).replace(tzinfo=None), before,
                                 offset_to, bool(after.dst()), after.tzname() or ""))
    return found


Era = list[list[_Transition]]  # consecutive years, each with its transitions in order


def _eras(transitions: list[_Transition]) -> list[tuple[Era, list[frozenset[str | int]]]]:
    """Runs of consecutive years whose transitions follow the same yearly rules, each with
    the rules (per transition of a year) that fit every year of the run."""
    by_year: dict[int, list[_Transition]] = {}
    for transition in transitions:
        by_year.setdefault(transition.local.year, []).append(transition)
    eras: list[tuple[Era, list[frozenset[str | int]]]] = []
    previous_year = None
    for year in sorted(by_year):
        this = by_year[year]
        if eras and previous_year == year - 1:
            era, rules = eras[-1]
            if [t.shape for t in era[0]] == [t.shape for t in this]:
                narrowed = [fits & t.days for fits, t in zip(rules, this, strict=True)]
                if all(narrowed):
                    era.append(this)
                    eras[-1] = (era, narrowed)
                    previous_year = year
                    continue
        eras.append(([this], [t.days for t in this]))
        previous_year = year
    return eras


def _rule(first: _Transition, fits: frozenset[str | int]) -> dict[str, object]:
    """A yearly RRULE: Outlook reads only BYDAY=<n><weekday> (MS-OXCICAL 2.1.3.1.1.19.2.2),
    so that form wins; a rule such as Chile's "Sunday on or after the 2nd" needs BYMONTHDAY."""
    weekday = WEEKDAYS[first.local.weekday()]
    named = sorted(str(f) for f in fits if isinstance(f, str))  # "-1SU" sorts first
    rule: dict[str, object] = {"freq": "yearly", "bymonth": first.local.month}
    if named:
        rule["byday"] = named[0]  # when the 4th is the last Sunday every year, say "last"
    else:
        start = min(f for f in fits if isinstance(f, int))
        rule["byday"] = weekday
        rule["bymonthday"] = list(range(start, start + 7))
    return rule


@lru_cache(maxsize=256)
def vtimezone(tzid: str) -> icalendar.Timezone:
    """The zone from 1999 on, RRULE style; the same zone gives the same component."""
    import icalendar

    zone = ZoneInfo(tzid)
    transitions = _transitions(zone, FIRST_YEAR, HORIZON)
    eras = _eras(transitions)
    has_dst = bool(eras) and eras[-1][0][-1][0].local.year == HORIZON  # clocks change today
    in_force = has_dst and len(eras[-1][0]) >= STABLE_YEARS
    if has_dst and not in_force:
        # No yearly rule today: every transition up to LAST_YEAR, each an observance of
        # its own. Not RDATE lists: ical.js reads only the first value of an RDATE, and
        # never the DTSTART of an observance that has RDATEs.
        eras = _eras(transitions + _transitions(zone, HORIZON + 1, LAST_YEAR))
    component = icalendar.Timezone()
    component.add("tzid", tzid)
    start = dt.datetime(FIRST_YEAR, 1, 1, tzinfo=UTC).astimezone(zone)
    offset = start.utcoffset()
    assert offset is not None
    component.add_component(_observance(
        has_dst and bool(start.dst()), dt.datetime(FIRST_YEAR, 1, 1), offset, offset,
        start.tzname() or ""))
    for number, (era, rules) in enumerate(eras):
        open_ended = in_force and number == len(eras) - 1
        for index, first in enumerate(era[0]):
            sub = _observance(has_dst and first.dst, first.local, first.offset_from,
                              first.offset_to, first.name)
            if len(era) > 1 or open_ended:
                rule = _rule(first, rules[index])
                if not open_ended:
                    rule["until"] = _until(era[-1][index])
                sub.add("rrule", rule)
            component.add_component(sub)
    return component


def _until(last: _Transition) -> dt.datetime:
    """UNTIL for a rule whose last onset is `last`: its UTC time, or its wall-clock time read
    as UTC when that is later. dateutil (icalendar's reader) compares UNTIL with the naive
    wall-clock onset, so east of Greenwich the last onset would be lost; any UNTIL before
    the next year's onset means the same to a reader that does it right."""
    return max(last.moment, last.local.replace(tzinfo=UTC))


def _observance(daylight: bool, start: dt.datetime, offset_from: dt.timedelta,
                offset_to: dt.timedelta, name: str) -> icalendar.cal.Component:
    import icalendar

    sub = icalendar.TimezoneDaylight() if daylight else icalendar.TimezoneStandard()
    sub.add("dtstart", start)
    sub.add("tzoffsetfrom", offset_from)
    sub.add("tzoffsetto", offset_to)
    if name:
        sub.add("tzname", name)
    return sub
