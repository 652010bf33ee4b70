"""Calendar output follows CALENDAR_RULES.md, checked on real exports of every profile."""

from __future__ import annotations

import re

import icalendar
import pytest
from ical.calendar_stream import IcsCalendarStream

from conftest import Run

PANEL = ("add", "--company", "Acme", "--role", "Data Engineer", "--at", "2026-12-03 14:00",
         "--tz", "Europe/London", "--interviewer", "Jane Doe <jane@acme.example>",
         "--interviewer", "Bo Li <bo@acme.example>", "--deadline", "2026-12-10")
ABROAD = ("add", "--company", "Contoso", "--role", "SRE", "--at", "2026-12-07 09:30",
          "--tz", "America/New_York")


@pytest.fixture
def exports(run: Run) -> dict[str, bytes]:
    assert run(*PANEL).exit_code == 0
    assert run(*ABROAD).exit_code == 0
    run("done", "2", now="2026-12-03T15:40:00+00:00")
    run("outcome", "2", "rejected", now="2026-12-09T10:00:00+00:00")
    return {p: run("export", "--profile", p).stdout_bytes for p in ("full", "events", "tasks")}


@pytest.mark.parametrize("profile", ["full", "events", "tasks"])
def test_strict_parser_reads_every_profile(exports: dict[str, bytes], profile: str) -> None:
    calendar = IcsCalendarStream.calendar_from_ics(exports[profile].decode())
    expected = {"full": (8, 22), "events": (26, 0), "tasks": (0, 22)}[profile]
    assert (len(calendar.events), len(calendar.todos)) == expected


@pytest.mark.parametrize("profile", ["full", "events", "tasks"])
def test_serialisation_rules(exports: dict[str, bytes], profile: str) -> None:
    data = exports[profile]
    assert data.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//followup//followup//EN\r\n"
                           b"CALSCALE:GREGORIAN\r\n")
    assert data.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert max(len(line) for line in data.split(b"\r\n")) <= 75
    assert b"METHOD" not in data and b"ORGANIZER" not in data and b"ATTENDEE" not in data
    assert b"RELTYPE=CHILD" not in data
    for forbidden in (b"DTSTAMP;VALUE", b"COMPLETED;VALUE", b"CREATED;VALUE", b"LAST-MODIFIED;VALUE"):
        assert forbidden not in data
    cal = icalendar.Calendar.from_ical(data)
    tzids = {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")}
    used = set(re.findall(rb"TZID=([A-Za-z_/]+)", data))
    assert {t.decode() for t in used} == tzids
    for component in cal.walk():
        if component.name not in ("VEVENT", "VTODO"):
            continue
        assert re.fullmatch(r"[A-Za-z0-9_.+-]+", str(component["UID"]))
        for prop in ("DTSTAMP", "CREATED", "LAST-MODIFIED"):
            assert component[prop].dt.utcoffset().total_seconds() == 0
        assert "SEQUENCE" in component
        assert str(component["X-FOLLOWUP-STEP"])
        assert str(component["X-FOLLOWUP-INTERVIEW"])
        alarms = component.walk("VALARM")
        assert len(alarms) <= 1
        for alarm in alarms:
            assert str(alarm["ACTION"]) == "DISPLAY" and str(alarm["DESCRIPTION"])
            assert alarm["TRIGGER"].params["VALUE"] == "DATE-TIME"


def test_tasks_follow_the_vtodo_rules(exports: dict[str, bytes]) -> None:
    cal = icalendar.Calendar.from_ical(exports["tasks"])
    interviews = {}
    for todo in cal.walk("VTODO"):
        assert todo["DTSTART"].dt.tzinfo is not None
        assert todo["DTSTART"].params["TZID"] == todo["DUE"].params["TZID"]
        assert todo["DTSTART"].dt <= todo["DUE"].dt
        assert "DURATION" not in todo
        parent = todo["RELATED-TO"]
        assert parent.params["RELTYPE"] == "PARENT"
        interviews[str(todo["X-FOLLOWUP-INTERVIEW"])] = str(parent)
    assert all(parent == f"followup-{uid}-interview" for uid, parent in interviews.items())
    statuses = sorted(str(t["STATUS"]) for t in cal.walk("VTODO"))
    assert statuses.count("COMPLETED") == 1
    assert statuses.count("CANCELLED") == 7  # rejected: thank-you, the note, 5 chase tasks


def test_events_profile_projects_tasks_with_their_own_uids(exports: dict[str, bytes]) -> None:
    events = icalendar.Calendar.from_ical(exports["events"]).walk("VEVENT")
    todos = icalendar.Calendar.from_ical(exports["tasks"]).walk("VTODO")
    todo_uids = {str(t["UID"]) for t in todos}
    event_uids = {str(e["UID"]) for e in events}
    assert not todo_uids & event_uids
    assert {u + "-event" for u in todo_uids} <= event_uids
    deadline = next(e for e in events if str(e["X-FOLLOWUP-STEP"]) == "response-deadline"
                    and "Acme" in str(e["SUMMARY"]))
    assert deadline["DTSTART"].to_ical() == b"20261210"
    assert deadline["DTEND"].to_ical() == b"20261211"
    assert deadline["DTSTART"].params.get("VALUE") == "DATE"


def test_vtimezones_are_rrule_style(exports: dict[str, bytes]) -> None:
    cal = icalendar.Calendar.from_ical(exports["full"])
    zones = {str(tz["TZID"]): tz for tz in cal.walk("VTIMEZONE")}
    assert sorted(zones) == ["America/New_York", "Europe/London"]
    london = zones["Europe/London"].to_ical().decode()
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in london
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10" in london
    assert "RDATE" not in london
    new_york = zones["America/New_York"].to_ical().decode()
    assert "RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3" in new_york
    assert "RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11" in new_york


def test_recurrence_of_the_vtimezone_matches_zone_data() -> None:
    import datetime as dt
    from zoneinfo import ZoneInfo

    from followup.core.vtimezone import vtimezone

    cal = icalendar.Calendar()
    cal.add_component(vtimezone("Australia/Sydney"))
    event = icalendar.Event()
    event.add("dtstart", dt.datetime(2027, 10, 3, 9, 0, tzinfo=ZoneInfo("Australia/Sydney")))
    cal.add_component(event)
    parsed = IcsCalendarStream.calendar_from_ics(cal.to_ical().decode())
    assert parsed.timezones[0].tz_id == "Australia/Sydney"


def test_cancelled_steps_say_so_in_the_title_and_take_no_time(exports: dict[str, bytes]) -> None:
    """Issue 12, item 5: Outlook showed the cancelled steps of the events profile as ordinary
    free appointments (rule 25): a plain appointment cannot be cancelled there."""
    events = icalendar.Calendar.from_ical(exports["events"]).walk("VEVENT")
    cancelled = [e for e in events if str(e["STATUS"]) == "CANCELLED"]
    assert sorted(str(e["SUMMARY"]) for e in cancelled) == [
        "Cancelled: Call Contoso a second time",
        "Cancelled: Call Contoso about the SRE role",
        "Cancelled: Close the Contoso application and move on",
        "Cancelled: Contoso said they would decide (assumed)",
        "Cancelled: Email Contoso for a status update",
        "Cancelled: Prepare the call to Contoso",
        "Cancelled: Send a formal note to the hiring team (Contoso)",
        "Cancelled: Send a thank-you email to Contoso",
    ]
    assert {str(e["TRANSP"]) for e in cancelled} == {"TRANSPARENT"}
    assert [e for e in cancelled if e.walk("VALARM")] == []
    others = [str(e["SUMMARY"]) for e in events if str(e["STATUS"]) != "CANCELLED"]
    assert others and not [s for s in others if s.startswith("Cancelled")]
