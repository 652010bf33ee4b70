"""The rules of PLAYBOOK.md, "Two people's calendars", checked on a finished plan from the
outside: by brute force over the two clocks (every quarter hour of the user's day), not
with the planner's own arithmetic. `check_plan` raises AssertionError naming the item and
the rule it breaks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from followup.core.model import Interview, ItemState, PlannedItem
from followup.core.schedule import Busy, Hours

QUARTER = dt.timedelta(minutes=15)
CALL_WINDOWS = ((dt.time(9), dt.time(11)), (dt.time(17), dt.time(19)))
MESSAGES = {"thank-you-email", "formal-note", "status-email", "reply-second-interview",
            "reply-offer", "gracious-reply"}
WORKING_DAY_STEPS = MESSAGES | {"call-script", "call", "second-call", "let-go"}
ON_SITE = {"interview", "ask-timeline", "business-card"}
CALLS = {"call", "second-call"}
CHASE = ("status-email", "call", "second-call")
NEVER_MEET = "never meet"
UTC = dt.timezone.utc


def later(moment: dt.datetime, delta: dt.timedelta) -> dt.datetime:
    """Elapsed time (PLAYBOOK.md: hour offsets are elapsed): Python's aware `+` adds to the
    wall clock, an hour off across a DST change."""
    return moment.astimezone(UTC) + delta


@dataclass
class World:
    """Everything a plan depends on besides what the user did."""

    interview: Interview
    user_tz: str
    hours: Hours
    user_holidays: Container[dt.date] = frozenset()
    contact_holidays: Container[dt.date] = frozenset()
    today: dt.date | None = None
    busy: Sequence[Busy] = ()
    thank_you_limit: dt.timedelta = dt.timedelta(hours=48)
    _days: dict[dt.date, bool] = field(default_factory=dict)

    # the two clocks ---------------------------------------------------------------------

    def contact_tz(self, item: PlannedItem) -> str:
        interview = self.interview
        if item.step == "formal-note" and item.key != "formal-note":
            key = int(item.key.rsplit("-", 1)[1])
            contact = next(c for c in interview.contacts if c.key == key)
            return contact.tz or interview.tz
        return next((c.tz for c in interview.contacts if not c.removed and c.tz), interview.tz)

    def user_date(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(ZoneInfo(self.user_tz)).date()

    def working_date(self, day: dt.date) -> bool:
        if day not in self._days:
            self._days[day] = (day.weekday() < 5 and day not in self.user_holidays
                               and day not in self.contact_holidays)
        return self._days[day]

    def working_moment(self, moment: dt.datetime, contact_tz: str) -> bool:
        return self.working_date(self.user_date(moment)) and self.working_date(
            moment.astimezone(ZoneInfo(contact_tz)).date())

    def in_hours(self, moment: dt.datetime) -> bool:
        local = moment.astimezone(ZoneInfo(self.user_tz)).time()
        return self.hours.start <= local <= self.hours.end

    def wshift(self, day: dt.date, count: int) -> dt.date:
        for _ in range(count):
            day += dt.timedelta(days=1)
            while not self.working_date(day):
                day += dt.timedelta(days=1)
        return day

    def grid(self, day: dt.date) -> list[dt.datetime]:
        """Every quarter hour of the user's hours on their `day`, and the end of the hours."""
        zone = ZoneInfo(self.user_tz)
        start = dt.datetime.combine(day, self.hours.start, tzinfo=zone)
        end = dt.datetime.combine(day, self.hours.end, tzinfo=zone)
        moments, moment = [], start
        while moment <= end:
            moments.append(moment)
            moment += QUARTER
        if moments[-1] != end:
            moments.append(end)
        return [m.astimezone(dt.timezone.utc) for m in moments]

    def working_grid(self, day: dt.date, contact_tz: str) -> list[dt.datetime]:
        return [m for m in self.grid(day) if self.working_moment(m, contact_tz)]

    def start_of(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(0), tzinfo=ZoneInfo(self.user_tz))


def _slot_ok(world: World, start: dt.datetime, contact_tz: str) -> bool:
    """Inside the contact's windows, inside the user's hours, a working moment."""
    end = later(start, QUARTER)
    local_start, local_end = start.astimezone(ZoneInfo(contact_tz)), end.astimezone(ZoneInfo(contact_tz))
    in_window = local_start.date() == local_end.date() and any(
        a <= local_start.time() and local_end.time() <= b for a, b in CALL_WINDOWS)
    return (in_window and world.in_hours(start) and world.in_hours(end)
            and world.working_moment(start, contact_tz))


def _window_slots(world: World, contact_day: dt.date, contact_tz: str) -> list[dt.datetime]:
    zone = ZoneInfo(contact_tz)
    slots = []
    for a, b in CALL_WINDOWS:
        moment = dt.datetime.combine(contact_day, a, tzinfo=zone)
        while (moment + QUARTER).time() <= b and (moment + QUARTER).date() == contact_day:
            slots.append(moment)
            moment += QUARTER
    return slots


# -- the check -------------------------------------------------------------------------------


def check_plan(world: World, items: Sequence[PlannedItem],
               states: Mapping[str, ItemState] | None = None) -> None:
    states = states or {}
    by_key = {i.key: i for i in items}
    interview = world.interview
    for step in CHASE:
        assert sum(i.step == step for i in items) == 1, f"three-shot policy: {step}"
    open_items = [i for i in items if i.status == "needs-action" and not i.overridden]
    for item in open_items:
        if item.kind == "event" and item.step != "interview":
            # The decision day is an all-day marker; its reminder is in the user's hours.
            assert item.alarm is not None and world.in_hours(item.alarm), f"rule 2: {item.key} {item.alarm}"
        if item.step == "interview" or item.kind != "task":
            continue
        due = item.due
        assert due is not None
        where = f"{item.key} due {due.astimezone(ZoneInfo(world.user_tz))} (user {world.user_tz})"
        contact_tz = world.contact_tz(item)
        warned = any(NEVER_MEET in n for n in item.notes)
        if item.step in ON_SITE:
            assert due == interview.end, where
            continue
        assert due >= interview.end, f"{where}: before the interview ended"
        # Rule 2: every timed task and its reminder inside the user's hours.
        if not warned:
            assert world.in_hours(due), f"rule 2: {where}"
            assert item.alarm is not None and world.in_hours(item.alarm) and item.alarm <= due, (
                f"rule 2 (reminder {item.alarm}): {where}")
        # Rules 1 and 3: working days of both; messages on the contact's working day too.
        if item.step in WORKING_DAY_STEPS and item.step != "thank-you-email":
            assert world.working_moment(due, contact_tz), f"rules 1/3: {where}"
        if item.step == "thank-you-email":
            _check_thank_you(world, item, contact_tz, where)
        if item.step == "notes":
            natural = later(interview.end, dt.timedelta(hours=2))
            reachable = [m for d in {world.user_date(interview.end), world.user_date(natural)}
                         for m in world.grid(d) if interview.end <= m <= natural]
            if reachable:
                assert due <= natural, f"notes later than 2 h though your hours allow it: {where}"
        if item.step in CALLS:
            _check_call(world, item, contact_tz, warned, where)
    _check_order(world, items, by_key, states)


def _check_thank_you(world: World, item: PlannedItem, contact_tz: str, where: str) -> None:
    end = world.interview.end
    last = later(end, world.thank_you_limit)
    due = item.due
    assert due is not None
    end_day = world.user_date(end)
    day = end_day + dt.timedelta(days=1)
    while day <= world.user_date(last):
        window = world.working_grid(day, contact_tz)
        if window:
            if window[0] <= last:
                expected = min(window[-1], last)
                assert due == expected, f"thank-you: expected {expected}: {where}"
                return
            break
        day += dt.timedelta(days=1)
    # No working day in reach (a Friday): the evening of the interview day.
    assert end <= due, where
    assert world.user_date(due) in (end_day, end_day + dt.timedelta(days=1)), f"thank-you: {where}"
    if world.grid(end_day)[-1] >= end:
        assert world.user_date(due) == end_day, f"thank-you not on the interview day: {where}"
        assert due <= last, where


def _check_call(world: World, item: PlannedItem, contact_tz: str, warned: bool, where: str) -> None:
    start = item.start
    assert isinstance(start, dt.datetime) and item.end == later(start, QUARTER), where
    local = start.astimezone(ZoneInfo(contact_tz))
    assert any(a <= local.time() and later(start, QUARTER).astimezone(ZoneInfo(contact_tz)).time() <= b
               for a, b in CALL_WINDOWS), f"rule 4: outside the contact's windows: {where}"
    assert world.working_moment(start, contact_tz), f"rule 4: not a working day: {where}"
    if warned:
        # The windows never meet the user's hours: none of the next days has such a slot.
        for offset in range(7):
            day = local.date() + dt.timedelta(days=offset)
            assert not any(_slot_ok(world, s, contact_tz) for s in _window_slots(world, day, contact_tz)), (
                f"rule 4: warned, but a slot in both windows exists on {day}: {where}")
    else:
        assert world.in_hours(start) and world.in_hours(later(start, QUARTER)), f"rule 4: {where}"
    kept = any("kept despite" in n for n in item.notes)
    if world.busy and not kept:
        assert not any(b.start < later(start, QUARTER) and b.end > start for b in world.busy), (
            f"rule 4: on a busy time: {where}")


def _ref(world: World, item: PlannedItem) -> tuple[dt.datetime, bool] | None:
    """What later steps count from: sent, else due, else today when overdue by > 1 day."""
    if item.status == "cancelled":
        return None
    if item.status == "completed":
        assert item.completed is not None
        return item.completed, False
    moment = item.due or item.start
    assert isinstance(moment, dt.datetime)
    if world.today is not None and world.user_date(moment) <= world.today - dt.timedelta(days=2):
        return world.start_of(world.today), True
    return moment, False


def _check_order(world: World, items: Sequence[PlannedItem], by_key: Mapping[str, PlannedItem],
                 states: Mapping[str, ItemState]) -> None:
    """Rule 5, with rule 6's today for what follows an overdue step."""
    def refs(step: str) -> list[dt.datetime]:
        found = [_ref(world, i) for i in items if i.step == step]
        return [r[0] for r in found if r is not None]

    def is_open(item: PlannedItem | None) -> bool:
        return item is not None and item.status == "needs-action" and not item.overridden

    def day(moment: dt.datetime) -> dt.date:
        return world.user_date(moment)

    for item in items:
        if not is_open(item) or item.kind != "task":
            continue
        due = item.due
        assert due is not None
        where = f"rule 5: {item.key} on {day(due)}"
        if item.step == "formal-note":
            for ref in refs("thank-you-email"):
                assert day(due) >= world.wshift(day(ref), 1), f"{where}: < 1 working day after thank-you {ref}"
        if item.step == "status-email":
            for ref in refs("thank-you-email"):
                assert day(due) >= world.wshift(day(ref), 1), f"{where}: thank-you {ref}"
            for ref in refs("formal-note"):
                assert day(due) >= world.wshift(day(ref), 2), f"{where}: < 2 working days after note {ref}"
        if item.step == "call-script":
            call = by_key.get("call")
            # Preparation for a call already made (or cancelled) stays before that call.
            for ref in refs("status-email") if is_open(call) else ():
                assert due > ref, f"{where}: not after the status email {ref}"
            if is_open(call):
                assert call is not None and isinstance(call.start, dt.datetime)
                assert due < call.start, f"{where}: not before the call {call.start}"
        if item.step == "call":
            for ref in refs("status-email"):
                assert day(due) >= world.wshift(day(ref), 1), f"{where}: status email {ref}"
        if item.step == "second-call":
            for ref in refs("call"):
                assert day(due) >= day(ref) + dt.timedelta(days=14), f"{where}: call {ref}"
        if item.step == "let-go":
            for ref in refs("second-call"):
                assert day(due) >= day(ref) + dt.timedelta(days=7), f"{where}: second call {ref}"
