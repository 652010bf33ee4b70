"""Putting one step on real days and hours (PLAYBOOK.md, "Two people's calendars", rules 1–4).

The planner says what a step wants (a day and a time, or an elapsed delay, or a call on a
day) and the earliest moment rule 5 allows; these functions find the moment that obeys
the working days of both people and the user's hours, and say why it moved. Pure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from followup.core.schedule import (
    ONE_DAY,
    SEARCH_LIMIT,
    Busy,
    Person,
    TwoCalendars,
    add_elapsed,
    at_wall_time,
    exact_key,
    overlapping,
    two_calendars,
    window_starts,
)

CALL_HORIZON = 14  # days a call looks ahead for a slot in both people's windows
FIT_DAYS = 10  # working days a time-boxed step may move to get off a busy time
WARNING = "Warning: "


@dataclass(frozen=True)
class Placed:
    moment: dt.datetime
    notes: tuple[str, ...] = ()


def weekends_only(calendars: TwoCalendars) -> TwoCalendars:
    """The same two clocks with no holidays and one zone: what a step would do if holidays
    and the contact's clock did not exist. A step that lands elsewhere says why."""
    # Asked by every step of every plan: kept with the calendars, not looked up by people.
    return calendars.remembered(("weekends_only",), lambda: two_calendars(
        Person(calendars.user.tz), Person(calendars.user.tz), calendars.hours))


def day_label(moment: dt.datetime, calendars: TwoCalendars) -> str:
    return f"{moment.astimezone(calendars.user.zone):%A %-d %b}"


def why_moved(calendars: TwoCalendars, plain: dt.datetime, actual: dt.datetime,
              contact_side: bool = True) -> str | None:
    """Why `actual` is on another day than the weekend-only `plain`: a holiday, or (with
    `contact_side`) the contact's clock showing their weekend or holiday then."""
    if actual == plain and (actual.tzinfo is not plain.tzinfo or actual.fold == plain.fold):
        # The same moment (most steps): the same day, and not earlier. (== compares two
        # moments of one zone by wall time alone: the fold tells the two 01:30 apart.)
        return None
    # Asked again by every interview whose step lands at the same time (Tuesday 10:00).
    return calendars.remembered(
        ("why_moved", exact_key(plain), exact_key(actual), contact_side),
        lambda: _why_moved(calendars, plain, actual, contact_side))


def _why_moved(calendars: TwoCalendars, plain: dt.datetime, actual: dt.datetime,
               contact_side: bool) -> str | None:
    first, last = calendars.user_date(plain), calendars.user_date(actual)
    if first == last:
        # The same day, earlier: the contact's day ended first (a user's evening is the
        # morning of the contact's Saturday).
        closed = calendars.closed(calendars.contact_date(plain))
        if actual < plain and contact_side and closed is not None:
            local = plain.astimezone(calendars.user.zone)
            return (f"at {actual.astimezone(calendars.user.zone):%H:%M}: {local:%H:%M} your time is"
                    f" {calendars.contact_date(plain):%A} in {calendars.contact.city}")
        return None
    low, high = min(first, last), max(first, last)
    day = low
    while day <= high:
        reason = calendars.closed(day)
        if reason is not None and day.weekday() < 5:
            return f"moved to {day_label(actual, calendars)}: {reason}"
        day += ONE_DAY
    contact_day = calendars.contact_date(plain)
    reason = calendars.closed(contact_day)
    if reason is None or not contact_side:
        return None
    local = plain.astimezone(calendars.user.zone)
    there = f"{contact_day:%A}" + ("" if contact_day.weekday() >= 5 else f", {reason}")
    return (f"moved to {day_label(actual, calendars)}: {local:%A %H:%M} your time is {there}"
            f" in {calendars.contact.city}")


# -- a day and a time ------------------------------------------------------------------------


def on_working_day(calendars: TwoCalendars, day: dt.date, at: dt.time,
                   floor: dt.datetime | None) -> dt.datetime:
    """`at` (inside the user's hours) on the first working day from `day` on that is a
    working moment for both and not before `floor`."""
    return calendars.remembered(
        ("on_working_day", day, at, at.fold, exact_key(floor) if floor is not None else None),
        lambda: _on_working_day(calendars, day, at, floor))


def _on_working_day(calendars: TwoCalendars, day: dt.date, at: dt.time,
                    floor: dt.datetime | None) -> dt.datetime:
    for _ in range(SEARCH_LIMIT):
        moment = calendars.at(day, at)
        if (floor is None or moment >= floor) and calendars.working_moment(moment):
            return moment
        if floor is not None and moment < floor:
            day = max(day + ONE_DAY, calendars.user_date(floor))
        else:
            day += ONE_DAY
    raise AssertionError(f"no working moment within {SEARCH_LIMIT} days of {day}")


def on_working_day_before(calendars: TwoCalendars, day: dt.date, at: dt.time,
                          floor: dt.datetime | None) -> dt.datetime | None:
    """`at` on the latest working day up to `day` that is a working moment; None when that
    would be before `floor` (a preparation step must stay after what it follows)."""
    for _ in range(SEARCH_LIMIT):
        moment = calendars.at(day, at)
        if floor is not None and moment < floor:
            return None
        if calendars.working_moment(moment):
            return moment
        day -= ONE_DAY
    return None


# -- an elapsed delay ------------------------------------------------------------------------


def allowed(calendars: TwoCalendars, moment: dt.datetime, working: bool) -> bool:
    """Inside the user's hours, and a working moment for both when `working` (by_delay)."""
    return calendars.in_hours(moment) and (not working or calendars.working_moment(moment))


def by_delay(calendars: TwoCalendars, anchor: dt.datetime, natural: dt.datetime,
             working: bool) -> dt.datetime:
    """A step due `natural` (anchor + delay): the latest allowed moment between the anchor
    and `natural` (never later than the playbook says), else the first one after it.
    Allowed: inside the user's hours, and a working moment for both when `working`."""
    if allowed(calendars, natural, working):
        return natural
    day = calendars.user_date(natural)
    while day >= calendars.user_date(anchor):
        window = calendars.day_window(day, working)
        if window is not None and window[0] <= natural and window[1] >= anchor:
            return min(window[1], natural)
        day -= ONE_DAY
    day = calendars.user_date(natural)
    for _ in range(SEARCH_LIMIT):
        window = calendars.day_window(day, working)
        if window is not None and window[1] >= natural:
            return max(window[0], natural)
        day += ONE_DAY
    raise AssertionError(f"no working moment within {SEARCH_LIMIT} days of {natural}")


def end_of_hours(calendars: TwoCalendars, end: dt.datetime, limit: dt.timedelta) -> dt.datetime:
    """The thank-you rule: the end of the user's hours on the first working day after the
    interview, never later than `end + limit`; when no working day is in reach (a Friday
    interview), the evening of the interview day."""
    last = add_elapsed(end, limit)
    interview_day = calendars.user_date(end)
    day = interview_day + ONE_DAY
    while day <= calendars.user_date(last):
        window = calendars.day_window(day)
        if window is not None:
            if window[0] <= last:
                return min(window[1], last)
            break
        day += ONE_DAY
    for working in (True, False):
        window = calendars.day_window(interview_day, working)
        if window is not None and window[1] >= end:
            return max(min(window[1], last), window[0], end)
    # The interview ended after the user's hours: the next evening, else what the hours allow.
    evening = calendars.day_window(interview_day + ONE_DAY, working=False)
    assert evening is not None
    if evening[1] <= last:
        return evening[1]
    return by_delay(calendars, end, last, working=False)


# -- alarms ------------------------------------------------------------------------------------


def alarm_in_hours(calendars: TwoCalendars, alarm: dt.datetime, due: dt.datetime) -> dt.datetime:
    """A reminder inside the user's hours: moved on to the next start of their hours, but
    never after the step is due."""
    return min(calendars.clamp_forward(alarm), due) if alarm <= due else due


# -- calls -------------------------------------------------------------------------------------


def _clipped(windows: Sequence[tuple[dt.time, dt.time]], at: dt.time) -> list[tuple[dt.time, dt.time]]:
    """The windows from `at` on (a playbook's later call time); all of them when `at` is past."""
    clipped = [(max(start, at), end) for start, end in windows if end > at]
    return clipped or list(windows)


def _call_starts(calendars: TwoCalendars, earliest: dt.datetime, windows: Sequence[tuple[dt.time, dt.time]],
                 length: dt.timedelta, in_hours: bool = True) -> Iterator[dt.datetime]:
    """Starts inside the contact's windows on working moments from `earliest`, in order;
    with `in_hours`, only calls inside the user's hours."""
    day = calendars.contact_date(earliest)
    for _ in range(CALL_HORIZON):
        yield from calendars.call_starts(day, windows, length, in_hours, earliest)
        day += ONE_DAY


def call_slot(calendars: TwoCalendars, earliest: dt.datetime, at: dt.time,
              windows: Sequence[tuple[dt.time, dt.time]], length: dt.timedelta,
              busy: Sequence[Busy]) -> Placed:
    """Rule 4: the first slot from `earliest` in the contact's windows, inside the user's
    hours, on a working moment, free in the user's calendars; morning first."""
    if busy:
        return _call_slot(calendars, earliest, at, windows, length, busy)
    # With no busy times the answer depends on the day and the calendars alone: the calls
    # of an import's interviews look from the start of the same few days.
    return calendars.remembered(
        ("call_slot", exact_key(earliest), at, at.fold, tuple(windows), length),
        lambda: _call_slot(calendars, earliest, at, windows, length, busy))


def _call_slot(calendars: TwoCalendars, earliest: dt.datetime, at: dt.time,
               windows: Sequence[tuple[dt.time, dt.time]], length: dt.timedelta,
               busy: Sequence[Busy]) -> Placed:
    def free(start: dt.datetime) -> bool:
        return not busy or overlapping(start, add_elapsed(start, length), busy) is None

    first: dt.datetime | None = None  # the first slot in both people's hours
    chosen: dt.datetime | None = None
    # A playbook's later `at` is a preference: the whole windows when it finds nothing.
    for tried in (_clipped(windows, at), list(windows)):
        for start in _call_starts(calendars, earliest, tried, length):
            first = first or start
            if free(start):
                chosen = start
                break
        if first is not None:
            break
    notes: list[str] = []
    if first is None:
        # The windows never meet the user's hours (London and Sydney): the contact's slot
        # nearest to the user's hours, and a warning.
        starts = list(_call_starts(calendars, earliest, windows, length, in_hours=False))
        nearest = min(calendars.hours_distance(s, add_elapsed(s, length)) for s in starts)
        candidates = [s for s in starts
                      if calendars.hours_distance(s, add_elapsed(s, length)) == nearest]
        first = candidates[0]
        chosen = next((s for s in candidates if free(s)), None)
        spans = ", ".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in windows)
        notes.append(f"{WARNING}your hours ({calendars.hours}) never meet {calendars.contact.city}'s"
                     f" call windows ({spans}); the slot nearest to your hours is taken")
    if chosen is None:
        blocker = overlapping(first, add_elapsed(first, length), busy)
        notes.append(f"no free slot found within {CALL_HORIZON} days; kept despite "
                     f"{blocker.summary if blocker and blocker.summary else 'a busy event'}")
        chosen = first
    elif chosen != first:
        blocker = overlapping(first, add_elapsed(first, length), busy)
        assert blocker is not None
        notes.append(f"moved from {_short(first, calendars)}: busy with {blocker.summary or 'an event'}")
    if chosen.utcoffset() != chosen.astimezone(calendars.user.zone).utcoffset():
        notes.append(f"{chosen.astimezone(calendars.contact.zone):%H:%M} {calendars.contact.city}"
                     f" = {chosen.astimezone(calendars.user.zone):%H:%M} your time")
    return Placed(chosen.astimezone(calendars.contact.zone), tuple(notes))


def _short(moment: dt.datetime, calendars: TwoCalendars) -> str:
    return f"{moment.astimezone(calendars.user.zone):%a %d %b %H:%M}"


# -- off busy times ----------------------------------------------------------------------------


def fit_box(calendars: TwoCalendars, planned: dt.datetime, length: dt.timedelta,
            windows: Sequence[tuple[dt.time, dt.time]], search: int, busy: Sequence[Busy],
            floor: dt.datetime | None) -> Placed:
    """Move a time-boxed step (the call script) off the user's busy times: within its
    windows (and the user's hours) on the same day, then on earlier or later working days."""
    blocker = overlapping(planned, add_elapsed(planned, length), busy)
    if blocker is None:
        return Placed(planned)
    hours = calendars.hours
    inside = [(max(a, hours.start), min(b, hours.end)) for a, b in windows
              if max(a, hours.start) < min(b, hours.end)] or [(hours.start, hours.end)]
    day = calendars.user_date(planned)
    for _ in range(FIT_DAYS):
        for start in window_starts(day, inside, length, calendars.user.tz):
            if (day == calendars.user_date(planned) and search > 0 and start < planned) or (
                    floor is not None and start < floor):
                continue
            if calendars.working_moment(start) and overlapping(
                    start, add_elapsed(start, length), busy) is None:
                return Placed(start, (f"moved from {_short(planned, calendars)}: busy with "
                                      f"{blocker.summary or 'an event'}",))
        day = calendars.shift(day, search)
        if floor is not None and search < 0 and at_wall_time(day, hours.end, calendars.user.tz) < floor:
            break
    return Placed(planned, (f"no free slot found within {FIT_DAYS} working days; kept despite "
                            f"{blocker.summary or 'a busy event'}",))

