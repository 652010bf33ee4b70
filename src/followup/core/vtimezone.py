"""VTIMEZONE components in the RRULE style Outlook needs (CALENDAR_RULES.md).

icalendar's own generator lists every transition as RDATEs; Outlook mis-reads those and
shifts times, so we describe the rule in force ("last Sunday of March at 01:00 UTC")
and check it against the zone data over the years our items use. Where a zone's rule
cannot be written as one yearly RRULE over that span, we fall back to icalendar's output.
"""

from __future__ import annotations

import calendar
import datetime as dt
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    import icalendar

UTC = dt.timezone.utc
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _transitions(zone: ZoneInfo, year: int) -> list[dt.datetime]:
    """UTC instants in `year` where the zone's UTC offset changes, to the minute."""
    found = []
    start = dt.datetime(year, 1, 1, tzinfo=UTC)
    previous = start.astimezone(zone).utcoffset()
    for day in range(1, 367):
        moment = start + dt.timedelta(days=day)
        offset = moment.astimezone(zone).utcoffset()
        if offset != previous:
            low, high = moment - dt.timedelta(days=1), moment
            while high - low > dt.timedelta(minutes=1):
                mid = low + (high - low) / 2
                mid = mid.replace(second=0, microsecond=0)
                if mid <= low:
                    break
                if mid.astimezone(zone).utcoffset() == previous:
                    low = mid
                else:
                    high = mid
            found.append(high)
            previous = offset
        if moment.year > year:
            break
    return found


def _byday(local: dt.datetime) -> str:
    days_in_month = calendar.monthrange(local.year, local.month)[1]
    weekday = WEEKDAYS[local.weekday()]
    if local.day + 7 > days_in_month:
        return f"-1{weekday}"
    return f"{(local.day - 1) // 7 + 1}{weekday}"


def _occurs(byday: str, month: int, year: int) -> dt.date:
    ordinal, weekday = int(byday[:-2]), WEEKDAYS.index(byday[-2:])
    days = [
        dt.date(year, month, d)
        for d in range(1, calendar.monthrange(year, month)[1] + 1)
        if dt.date(year, month, d).weekday() == weekday
    ]
    return days[ordinal - 1] if ordinal > 0 else days[ordinal]


def _rule_holds(zone: ZoneInfo, first: list[dt.datetime], years: range) -> bool:
    shape = [(_local_before(zone, t).month, _byday(_local_before(zone, t)),
              _local_before(zone, t).time()) for t in first]
    for year in years:
        moments = _transitions(zone, year)
        if len(moments) != len(first):
            return False
        for moment, (month, byday, time) in zip(moments, shape, strict=True):
            local = _local_before(zone, moment)
            if (local.date(), local.time()) != (_occurs(byday, month, year), time):
                return False
    return True


def _local_before(zone: ZoneInfo, moment: dt.datetime) -> dt.datetime:
    """Wall-clock time of a transition, as clocks showed it just before (RFC 5545)."""
    before = (moment - dt.timedelta(minutes=1)).astimezone(zone).utcoffset()
    assert before is not None
    return (moment + before).replace(tzinfo=None)


@lru_cache(maxsize=64)
def vtimezone(tzid: str, first_year: int, last_year: int) -> icalendar.Timezone:
    import icalendar

    zone = ZoneInfo(tzid)
    moments = _transitions(zone, first_year)
    if moments and not _rule_holds(zone, moments, range(first_year, last_year + 2)):
        return icalendar.Timezone.from_tzid(tzid)
    component = icalendar.Timezone()
    component.add("tzid", tzid)
    if not moments:
        noon = dt.datetime(first_year, 7, 1, 12, tzinfo=UTC).astimezone(zone)
        standard = icalendar.TimezoneStandard()
        standard.add("dtstart", dt.datetime(1970, 1, 1))
        standard.add("tzoffsetfrom", noon.utcoffset())
        standard.add("tzoffsetto", noon.utcoffset())
        standard.add("tzname", noon.tzname())
        component.add_component(standard)
        return component
    for moment in moments:
        local = _local_before(zone, moment)
        after = moment.astimezone(zone)
        before_offset = (moment - dt.timedelta(minutes=1)).astimezone(zone).utcoffset()
        is_dst = bool(after.dst())
        sub = icalendar.TimezoneDaylight() if is_dst else icalendar.TimezoneStandard()
        sub.add("dtstart", local)
        sub.add("rrule", {"freq": "yearly", "bymonth": local.month, "byday": _byday(local)})
        sub.add("tzoffsetfrom", before_offset)
        sub.add("tzoffsetto", after.utcoffset())
        sub.add("tzname", after.tzname())
        component.add_component(sub)
    return component
