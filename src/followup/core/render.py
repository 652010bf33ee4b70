"""Planned items → icalendar components, deterministically (CALENDAR_RULES.md).

Everything that varies between renders (DTSTAMP, LAST-MODIFIED, SEQUENCE, CREATED)
comes from the stored revision passed in `Meta`, so the same state gives the same bytes.
No TEXT value keeps a control character (rule 21): input refuses them where the user
types, and whatever else carries one (a user's draft template) loses it here.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

from followup.core import serialise
from followup.core.model import CANCELLED, COMPLETED, Interview, Outcome, PlannedItem
from followup.core.serialise import Factory, Lines, Property, add_all, library_component
from followup.core.text import drop_control
from followup.core.vtimezone import vtimezone

if TYPE_CHECKING:
    import icalendar

# The form of every item render. The store keeps each item's VTODO and VEVENT text, made
# once when the item changed; a version whose renders differ (a new property, another title,
# another order) must raise this number, so that the first command that changes state after
# an upgrade renders every stored item again (app/service.py, `render_version`; a new
# icalendar release counts as a new version there too). VTIMEZONEs are not item renders: the calendar's
# header is made afresh every time (feed/calendar.py).
RENDER_VERSION = 1
PRODID = "-//followup//followup//EN"  # stable: it is part of every byte-compared render
TASK_EVENT_LENGTH = dt.timedelta(minutes=15)
DONE_PREFIX = "✓ "
# Outlook cannot cancel an appointment that is not a meeting: it shows a STATUS:CANCELLED
# event as an ordinary free one (MS-OXCICAL; rule 25). The title says it in every client.
CANCELLED_PREFIX = "Cancelled: "
CALENDAR_NAME = "Job search follow-up"
EVENT_ALARM = "Reminder"

UTC = dt.timezone.utc
# The test suite sets FOLLOWUP_CHECK_RENDER=1: every render is then also made by icalendar
# and compared byte for byte (core/serialise.py). Read once: the core reads no clock or
# file, and an environment flag fixed at import keeps renders deterministic.
CHECK_RENDER = os.environ.get("FOLLOWUP_CHECK_RENDER", "") not in ("", "0")
T = TypeVar("T")


@dataclass(frozen=True)
class Meta:
    uid: str
    interview_uid: str
    parent_uid: str
    sequence: int
    created: dt.datetime
    modified: dt.datetime


def interview_data(interview: Interview, outcomes: Iterable[Outcome], dismissed: Iterable[str],
                   round_of: str | None = None) -> str:
    """The interview as compact JSON (sorted keys) in base64url: what a second machine syncing
    the same calendar needs to rebuild it, since "Interview: {role} at {company}" is lossy.
    `round_of` is the UID of the earlier round (ids differ between machines).

    The sync engine adds it as X-FOLLOWUP-DATA to the interview event it pushes; exports
    leave it out, so editing a deadline does not rewrite the interview event there.
    Base64url, not the JSON itself: other clients "fix" text they do not own (python-caldav's
    `vcal.fix()` strips the backslash before every `"`, which broke the JSON of a company
    named 'Acme "Robots"'); its letters, digits, '-' and '_' are left alone by everyone
    (rule 22). sync/objects.py reads this form and the older plain JSON."""
    import base64
    import json

    doc = {
        "v": 1, "company": interview.company, "role": interview.role,
        "start": interview.start.isoformat(), "tz": interview.tz,
        "duration": int(interview.duration.total_seconds()),
        "deadline": interview.deadline.isoformat() if interview.deadline else None,
        "channel": interview.channel, "note": interview.note, "location": interview.location,
        "country": interview.country, "subdivision": interview.subdivision,
        "contacts": [{"key": c.key, "name": c.name, "email": c.email, "tz": c.tz,
                      "removed": c.removed, "phone": c.phone, "title": c.title,
                      "interviewer": c.interviewer} for c in interview.contacts],
        "held": interview.held, "decision": interview.decision_key, "round": interview.round,
        "round_of": round_of,
        "outcomes": [{"kind": o.kind, "recorded": o.recorded.astimezone(UTC).isoformat()}
                     for o in outcomes],
        "dismissed": sorted(dismissed),
    }
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")


def event_uid(item_uid: str, kind: str) -> str:
    """A task's calendar event gets its own UID: never the VTODO's (CALENDAR_RULES.md)."""
    return item_uid if kind == "event" else f"{item_uid}-event"


def _common(component: icalendar.cal.Component, item: PlannedItem, meta: Meta, uid: str) -> None:
    component.add("uid", uid)
    add_all(component, _revision(meta.modified, meta.created, meta.sequence, meta.interview_uid))
    component.add("description", drop_control(item.description))
    for contact in item.contacts:
        component.add("contact", drop_control(contact))
    if item.location:
        component.add("location", drop_control(item.location))
    component.add("x-followup-step", item.step)
    if item.key != item.step:  # said once: a reader takes the step for the key (rule 24)
        component.add("x-followup-key", item.key)


CATEGORIES = ["Job search"]


@lru_cache(maxsize=64)
def _revision(modified: dt.datetime, created: dt.datetime, sequence: int,
              interview_uid: str) -> tuple[Property, ...]:
    """What every item of an interview says alike at one revision: the same tuple for each
    (an import's items all have the same one), so the fast render writes its lines once
    (serialise.Lines.add_all)."""
    return (("dtstamp", modified.astimezone(UTC), None),
            ("created", created.astimezone(UTC), None),
            ("last-modified", modified.astimezone(UTC), None),
            ("sequence", sequence, None),
            ("categories", CATEGORIES, None),
            ("x-followup-interview", interview_uid, None))


def _alarm(component: icalendar.cal.Component, item: PlannedItem, new: Factory,
           text: str | None = None) -> None:
    # Closed items ring no more; one absolute DISPLAY alarm otherwise (rule 11).
    if item.alarm is None or item.status in (COMPLETED, CANCELLED):
        return
    alarm = new("VALARM")
    alarm.add("action", "DISPLAY")
    alarm.add("description", drop_control(text or item.summary))
    alarm.add("trigger", item.alarm.astimezone(UTC), parameters={"VALUE": "DATE-TIME"})
    component.add_component(alarm)


def _zoned(value: T, tz: str) -> T:
    """A date-time in the item's IANA zone, whatever tzinfo carried it: a time read back from
    the store has a fixed offset, which icalendar would write as TZID="UTC-05:00" with no
    VTIMEZONE (rule 20). The calendar holds a VTIMEZONE for every item's `tz`."""
    if isinstance(value, dt.datetime):
        return value.astimezone(ZoneInfo(tz))
    return value


def todo(item: PlannedItem, meta: Meta, new: Factory = library_component) -> icalendar.Todo:
    """The task as a VTODO; `new` makes the components (icalendar's, or serialise.Lines)."""
    assert item.kind == "task" and item.due is not None
    component: icalendar.Todo = new("VTODO")
    _common(component, item, meta, meta.uid)
    component.add("summary", drop_control(item.summary))
    # DTSTART = DUE (same TZID) unless the step holds a real slot: Apple Reminders drops
    # the time otherwise, and OpenTasks rejects DUE < DTSTART.
    start = item.start if isinstance(item.start, dt.datetime) else item.due
    component.add("dtstart", _zoned(start, item.tz))
    component.add("due", _zoned(item.due, item.tz))
    component.add("status", item.status.upper())
    if item.status == COMPLETED and item.completed is not None:
        component.add("completed", item.completed.astimezone(UTC))
        component.add("percent-complete", 100)
    component.add("related-to", meta.parent_uid, parameters={"RELTYPE": "PARENT"})
    _alarm(component, item, new)
    return component


def event(item: PlannedItem, meta: Meta, new: Factory = library_component) -> icalendar.Event:
    """The item as a calendar event: itself for events, a projection for tasks."""
    component: icalendar.Event = new("VEVENT")
    _common(component, item, meta, event_uid(meta.uid, item.kind))
    prefix = {COMPLETED: DONE_PREFIX, CANCELLED: CANCELLED_PREFIX}.get(item.status, "")
    component.add("summary", prefix + drop_control(item.summary))
    if item.all_day:
        component.add("dtstart", item.start)  # VALUE=DATE, exclusive DTEND
        component.add("dtend", item.end)
        component.add("transp", "TRANSPARENT")
    elif item.start is not None and item.end is not None:
        component.add("dtstart", _zoned(item.start, item.tz))
        component.add("dtend", _zoned(item.end, item.tz))
        # A cancelled interview or call no longer takes the time.
        component.add("transp", "TRANSPARENT" if item.status == CANCELLED else "OPAQUE")
    else:
        # A task without a slot shows when it is time to act: at its reminder.
        begin = item.alarm or item.due
        assert isinstance(begin, dt.datetime)
        begin = _zoned(begin, item.tz)
        component.add("dtstart", begin)
        component.add("dtend", begin + TASK_EVENT_LENGTH)
        component.add("transp", "TRANSPARENT")
    component.add("status", "CANCELLED" if item.status == CANCELLED else "CONFIRMED")
    # An event's alarm shows the event's title in every calendar (Google's own exports say
    # "This is an event reminder"): its text need not repeat the summary (rule 24).
    _alarm(component, item, new, EVENT_ALARM)
    return component


def component_text(component: icalendar.cal.Component) -> str:
    text: str = component.to_ical().decode("utf-8")
    return text


Build = Callable[[PlannedItem, Meta, Factory], "icalendar.cal.Component"]
# What an item is rendered from: the item, its revision, and its form as an event when that is
# not the item itself (a task's).
Render = tuple[PlannedItem, Meta, "PlannedItem | None"]


def render_items(renders: Sequence[Render]) -> list[tuple[str | None, str]]:
    """(VTODO text or None, VEVENT text) of each item: both forms are cached with the item's
    revision. icalendar's bytes: the lines written by icalendar, folded by us, the items'
    new texts escaped together (core/serialise.py); checked against icalendar's own
    `to_ical()` in the test suite."""
    made: list[Any] = []  # Lines, made through icalendar's calls
    for item, meta, shown in renders:
        if item.kind == "task":
            made.append(todo(item, meta, Lines))
        made.append(event(shown or item, meta, Lines))
    written = iter(serialise.texts(made))
    out = [(next(written) if item.kind == "task" else None, next(written))
           for item, _, _ in renders]
    if CHECK_RENDER:
        for (item, meta, shown), (todo_text, event_text) in zip(renders, out, strict=True):
            if todo_text is not None:
                _check(todo_text, todo, item, meta)
            _check(event_text, event, shown or item, meta)
    return out


def _check(text: str, build: Build, item: PlannedItem, meta: Meta) -> None:
    expected = component_text(build(item, meta, library_component))
    if text != expected:
        raise AssertionError(f"fast render differs from icalendar's:\n{text}\n---\n{expected}")


def render_item(item: PlannedItem, meta: Meta,
                shown: PlannedItem | None = None) -> tuple[str | None, str]:
    """(VTODO text or None, VEVENT text) of one item (render_items)."""
    return render_items(((item, meta, shown),))[0]


def in_profile(profile: str, kind: str, has_slot: bool) -> tuple[bool, bool]:
    """Which forms of an item a profile holds: (its VTODO, its VEVENT)."""
    if profile == "tasks":
        return kind == "task", False
    if profile == "events":
        return False, True
    return kind == "task", kind == "event" or has_slot


def calendar_header(name: str, tzids: Iterable[str],
                    feed: Mapping[str, object] | None = None) -> icalendar.Calendar:
    import icalendar

    cal = icalendar.Calendar()
    cal.add("version", "2.0")
    cal.add("prodid", PRODID)
    cal.add("calscale", "GREGORIAN")
    cal.add("name", name)
    cal.add("x-wr-calname", name)
    for key, value in (feed or {}).items():
        cal.add(key, value)
    for tzid in sorted(set(tzids)):
        cal.add_component(vtimezone(tzid))
    return cal


def assemble(header: icalendar.Calendar, components: Iterable[str]) -> bytes:
    """Splice cached, library-serialised components into the library-serialised header.

    Re-parsing thousands of cached components only to serialise them again would cost
    seconds per export; their bytes are already icalendar's output.
    """
    head: str = header.to_ical().decode("utf-8")
    closing = "END:VCALENDAR\r\n"
    assert head.endswith(closing)
    return (head[: -len(closing)] + "".join(components) + closing).encode("utf-8")
