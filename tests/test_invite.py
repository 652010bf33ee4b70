"""Invitations read into interviews: the three kinds people receive (Google Calendar,
Outlook/Exchange, Greenhouse), zones by IANA and Windows names, what is refused."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from followup.core.invite import Person, iana_zone, parse_title, read_invitation
from followup.errors import UsageError

MAIL = Path(__file__).parent / "mail"
ME = ["sam@carter.example"]


def invitation(name: str, tz: str = "Europe/London"):
    return read_invitation((MAIL / name).read_bytes(), tz)


def test_google_invitation() -> None:
    found = invitation("google-invitation.eml")
    assert found.uid == "7kq2m1c0v5r9s8t3u4w6x0y1z2@google.com"
    assert found.method == "REQUEST"
    # Google writes UTC: the interview is shown in the user's zone.
    assert found.start == dt.datetime(2026, 12, 3, 14, 0, tzinfo=ZoneInfo("Europe/London"))
    assert (found.tz, found.zone_known) == ("Europe/London", True)
    assert found.duration == dt.timedelta(hours=1)
    assert found.location == "https://meet.google.com/qpk-rstu-vwx"
    people = found.interviewers(ME)
    assert people == (Person("Priya Shah", "priya.shah@northwind-analytics.example"),
                      Person("Tom O'Neill", "tom.oneill@northwind-analytics.example"))
    # The title names the role only: the company comes from the people's domain.
    assert found.company_and_role(people) == ("Northwind Analytics", "Senior Data Engineer")
    assert found.message_id == "<calendar-5b1f0c3e-8d3a-4c1e-9a57-2f6d1e0b7c44@google.com>"
    assert found.looks_like_interview()


def test_outlook_invitation_with_a_windows_zone_a_room_and_teams() -> None:
    found = invitation("outlook-invitation.eml")
    assert found.uid.startswith("040000008200E00074C5B7101A82E008")
    assert found.start == dt.datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert found.start.utcoffset() == dt.timedelta(hours=1)
    assert found.tz == "Europe/Berlin"
    assert found.location == ("https://teams.microsoft.com/l/meetup-join/19%3ameeting_NzQ4ZTkx"
                              "%40thread.v2/0?context=%7b%22Tid%22%3a%22c0ffee%22%7d")
    # Exchange does not list the organizer among the attendees; the room is no interviewer.
    people = found.interviewers(ME)
    assert people == (Person("Dana Whitfield", "dana.whitfield@contoso.example"),
                      Person("Tom O'Neill", "tom.oneill@contoso.example"))
    assert found.company_and_role(people) == ("Contoso", "Data Engineer")


def test_greenhouse_invitation_sent_by_a_no_reply_address() -> None:
    found = invitation("greenhouse-invitation.eml")
    assert found.method == "PUBLISH"
    assert found.start == dt.datetime(2026, 12, 7, 11, 0, tzinfo=ZoneInfo("America/New_York"))
    assert found.duration == dt.timedelta(minutes=45)
    assert found.location == "https://fabrikam.zoom.us/j/93845720011?pwd=dGVzdFBhc3N3b3Jk"
    people = found.interviewers(ME)  # the no-reply organizer is nobody to thank
    assert people == (Person("Ana de la Cruz", "ana.delacruz@fabrikam.example"),
                      Person("Ravi Iyer", "ravi.iyer@fabrikam.example"))
    assert found.company_and_role(people) == ("Fabrikam", "Platform Engineer")
    assert found.sender == Person("Fabrikam Recruiting", "no-reply@us.greenhouse-mail.io")


CALENDAR = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//EN\r
{method}BEGIN:VEVENT\r
UID:abc-1@example\r
DTSTAMP:20261120T100000Z\r
SUMMARY:Data Engineer interview at Acme\r
{start}\r
{end}\r
LOCATION:2 Canal Street, Manchester\r
DESCRIPTION:Join by video: https://acme.zoom.us/j/123456 if you cannot come.\r
ORGANIZER;CN=Jane Doe:mailto:jane@acme.example\r
ATTENDEE;CN=Sam Carter:mailto:sam@carter.example\r
END:VEVENT\r
END:VCALENDAR\r
"""


def calendar(start: str = "DTSTART;TZID=Europe/London:20261203T140000",
             end: str = "DTEND;TZID=Europe/London:20261203T150000", method: str = "PUBLISH") -> bytes:
    method_line = f"METHOD:{method}\r\n" if method else ""
    return CALENDAR.format(start=start, end=end, method=method_line).encode()


@pytest.mark.parametrize(("tzid", "iana"), [
    ("W. Europe Standard Time", "Europe/Berlin"),
    ("Pacific Standard Time", "America/Los_Angeles"),
    ("GMT Standard Time", "Europe/London"),
    ("Tokyo Standard Time", "Asia/Tokyo"),
    ("India Standard Time", "Asia/Calcutta"),
    ("America/New_York", "America/New_York"),
    ("/freeassociation.sourceforge.net/Europe/Paris", "Europe/Paris"),
])
def test_zone_names(tzid: str, iana: str) -> None:
    assert iana_zone(tzid) == iana
    found = read_invitation(calendar(f'DTSTART;TZID="{tzid}":20261203T090000', "DTEND:20261203T235900Z"),
                            "Europe/London")
    assert (found.start.replace(tzinfo=None), found.tz, found.zone_known) == (
        dt.datetime(2026, 12, 3, 9, 0), iana, True)


def test_a_zone_only_the_calendar_defines_keeps_the_instant_in_the_users_zone() -> None:
    data = calendar("DTSTART;TZID=Customized Time Zone:20261203T140000",
                    "DTEND;TZID=Customized Time Zone:20261203T153000").replace(
        b"BEGIN:VEVENT", b"BEGIN:VTIMEZONE\r\nTZID:Customized Time Zone\r\nBEGIN:STANDARD\r\n"
        b"DTSTART:16010101T000000\r\nTZOFFSETFROM:+0530\r\nTZOFFSETTO:+0530\r\nEND:STANDARD\r\n"
        b"END:VTIMEZONE\r\nBEGIN:VEVENT", 1)
    found = read_invitation(data, "Europe/London")
    assert found.start == dt.datetime(2026, 12, 3, 8, 30, tzinfo=ZoneInfo("Europe/London"))
    assert (found.tz, found.zone_known, found.duration) == ("Europe/London", False, dt.timedelta(minutes=90))


def test_a_floating_time_is_the_users_wall_time_and_the_place_keeps_the_link() -> None:
    found = read_invitation(calendar("DTSTART:20261203T140000", "DURATION:PT45M", method=""),
                            "America/Chicago")
    assert found.start == dt.datetime(2026, 12, 3, 14, 0, tzinfo=ZoneInfo("America/Chicago"))
    assert found.duration == dt.timedelta(minutes=45)
    assert found.method == ""
    assert found.location == "2 Canal Street, Manchester; https://acme.zoom.us/j/123456"
    # No attendee but the user: the organizer is the interviewer.
    assert found.interviewers(ME) == (Person("Jane Doe", "jane@acme.example"),)
    assert found.company_and_role(found.interviewers(ME)) == ("Acme", "Data Engineer")


@pytest.mark.parametrize(("data", "message"), [
    (calendar(method="CANCEL"), "the calendar is a cancellation, not an invitation (METHOD:REQUEST or PUBLISH)"),
    (calendar(method="REPLY"), "the calendar is an answer to an invitation, not an invitation (METHOD:REQUEST or PUBLISH)"),
    (calendar("DTSTART;VALUE=DATE:20261203", "DTEND;VALUE=DATE:20261204"),
     "the invitation is an all-day event; an interview needs a start time"),
    (calendar().replace(b"UID:abc-1@example\r\n", b""),
     "the invitation has no UID, so it could be added twice; refused"),
    (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "the calendar holds no event (VEVENT)"),
    (b"Subject: hello\r\n\r\nno calendar here\r\n",
     "the email carries no invitation (no text/calendar part or .ics attachment)"),
    (b"\x00\x01 binary junk", "this is neither a calendar (.ics) nor an email (.eml)"),
])
def test_what_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(UsageError) as exc:
        read_invitation(data, "Europe/London")
    assert str(exc.value) == message


def test_a_malformed_calendar_is_one_line() -> None:
    with pytest.raises(UsageError) as exc:
        read_invitation((MAIL / "malformed.eml").read_bytes(), "Europe/London")
    assert str(exc.value) == ("the invitation cannot be read as a calendar: Found no components"
                              " where exactly one is required")


@pytest.mark.parametrize(("title", "company", "role"), [
    ("Senior Data Engineer interview", None, "Senior Data Engineer"),
    ("Interview: Data Engineer at Contoso", "Contoso", "Data Engineer"),
    ("Interview for Platform Engineer at Fabrikam", "Fabrikam", "Platform Engineer"),
    ("Phone interview: Data Engineer", None, "Data Engineer"),
    ("Acme - Data Engineer technical interview", "Acme", "Data Engineer"),
    ("Interview with Acme | SRE", "Acme", "SRE"),
    ("Data Engineer interview at Acme (video call)", "Acme", "Data Engineer"),
    ("Updated invitation: Data Engineer interview at Acme @ Thu 3 Dec 2026 14:00 - 15:00 (GMT) (sam@x.example)",
     "Acme", "Data Engineer"),
    ("Lunch with Bob", None, None),
])
def test_titles(title: str, company: str | None, role: str | None) -> None:
    assert parse_title(title) == (company, role)
