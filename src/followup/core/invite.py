"""Interview invitations: an .ics file, or an email carrying a text/calendar part, read
into the values of an interview. Pure: bytes in, values out.

What is read: the first VEVENT of a calendar whose METHOD is REQUEST or PUBLISH (or
absent: a calendar file saved from a web page); its start and end (an IANA zone, a
Windows zone name as Outlook and Exchange write ("W. Europe Standard Time"), UTC, or a
zone the calendar defines itself, which is then shown in the user's zone); its location
or video link; its attendees other than the user, people only (no rooms), as the
interviewers (the organizer when nobody else is invited); its UID, so the same
invitation is never added twice. The company and role come from the title when it says
them ("Data Engineer interview at Acme"), else the company from its people's domain.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from followup.core.letters import base_domain, company_domains, decoded, is_ats, is_no_reply
from followup.core.model import DEFAULT_DURATION
from followup.errors import UsageError

ACCEPTED_METHODS = ("REQUEST", "PUBLISH", "")
_URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
_VIDEO = re.compile(r"https?://(?:[\w-]+\.)*(?:meet\.google\.com|zoom\.us|zoomgov\.com"
                    r"|teams\.microsoft\.com|teams\.live\.com|webex\.com|whereby\.com"
                    r"|gotomeet(?:ing)?\.com|meet\.jit\.si|chime\.aws|bluejeans\.com)"
                    r"/[^\s<>\"')\]]*", re.IGNORECASE)
# What Outlook and others write in LOCATION when the meeting is online.
_ONLINE_PLACEHOLDERS = re.compile(r"^(microsoft teams( meeting)?|teams|zoom( meeting)?|google meet"
                                  r"|online|video call|webex|virtual)$", re.IGNORECASE)
_INTERVIEW_WORDS = re.compile(r"interview|vorstellungsgespr|entretien|entrevista|colloquio"
                              r"|sollicitatiegesprek|phone screen|screening call|hiring",
                              re.IGNORECASE)
_PREFIXES = re.compile(r"^\s*(?:(?:updated |new )?invitation|einladung|invitaci[oó]n|accepted"
                       r"|fwd?|re|aw|wg|\[external\])\s*:\s*", re.IGNORECASE)
_SEP = r"\s*(?:[-–—:|]|\s@\s)\s*"
# "phone interview", "technical interview": the kind of interview, not part of the role.
_KIND = (r"(?:(?:phone|video|technical|onsite|on-site|in-person|remote|final|first|second|third"
         r"|initial|panel|screening|intro(?:ductory)?|culture|behaviou?ral|coding)\s+)?")
# Titles that say the role and the company, tried in order.
_TITLES = (
    re.compile(r"^(?:[\w ]*?)interview(?: for(?: the)?)?(?:\s*[:\-–—])?\s+(?P<role>.+?)"
               r"\s+(?:at|@|with)\s+(?P<company>.+)$", re.IGNORECASE),
    re.compile(r"^(?P<role>.+?)\s+" + _KIND + r"interview\s+(?:at|@|with)\s+(?P<company>.+)$",
               re.IGNORECASE),
    re.compile(r"^(?P<company>.+?)" + _SEP + r"(?P<role>.+?)\s+" + _KIND + r"interview$",
               re.IGNORECASE),
    re.compile(r"^(?:[\w ]*?)interview with (?P<company>.+?)" + _SEP + r"(?P<role>.+)$",
               re.IGNORECASE),
    re.compile(r"^(?:[\w ]*?)interview(?: for(?: the)?)?\s*[:\-–—]\s*(?P<role>.+)$",
               re.IGNORECASE),
    re.compile(r"^(?P<role>.+?)\s+" + _KIND + r"interview$", re.IGNORECASE),
)
_ROLE_TAIL = re.compile(r"\s*(?:[-–—,]\s*)?(?:\((?:video|phone|onsite|on-site|remote)[^)]*\)"
                        r"|\d+\s*min(?:utes)?|round \d+|\d+(?:st|nd|rd|th) round)\s*$",
                        re.IGNORECASE)


@dataclass(frozen=True)
class Person:
    name: str
    email: str

    @property
    def display(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email


@dataclass(frozen=True)
class Invitation:
    uid: str
    method: str  # REQUEST, PUBLISH, or "" when the calendar names none
    summary: str
    start: dt.datetime  # aware, in `tz`
    duration: dt.timedelta
    tz: str  # an IANA name
    zone_known: bool  # False: the invitation's own zone was unknown; shown in `tz`
    location: str
    organizer: Person | None
    attendees: tuple[Person, ...]  # people, the user among them
    description: str = ""
    subject: str = ""  # of the email that carried it
    message_id: str | None = None  # of that email: drafts answer it
    sender: Person | None = None  # of that email
    recipients: tuple[str, ...] = ()  # To and Cc of that email

    def interviewers(self, me: Iterable[str]) -> tuple[Person, ...]:
        """The organizer and the attendees other than the user, no-reply and ATS addresses
        left out. Exchange does not list the organizer among the attendees, Google does:
        either way the organizer (often the recruiter) comes first, the lead contact."""
        mine = {m.lower() for m in me}
        everyone = ([self.organizer] if self.organizer is not None else []) + list(self.attendees)
        people: dict[str, Person] = {}
        for person in everyone:
            if person.email not in mine and _human(person.email):
                people.setdefault(person.email, person)
        return tuple(people.values())

    def looks_like_interview(self) -> bool:
        """An invitation in the mailbox is taken as an interview only when it says so or
        comes from a recruiting system: most invitations are not."""
        texts = (self.summary, self.subject)
        senders = [p.email for p in (self.organizer, self.sender) if p is not None]
        return any(_INTERVIEW_WORDS.search(t) for t in texts) or any(
            is_ats(base_domain(s.rpartition("@")[2])) for s in senders)

    def company_and_role(self, people: Iterable[Person]) -> tuple[str | None, str | None]:
        """The company and the role as the title says them; else the company from the
        people's domain ("northwind-analytics.example" → "Northwind Analytics")."""
        company, role = parse_title(self.subject if not self.summary else self.summary)
        if company is None:
            senders = [p.email for p in (self.organizer, self.sender) if p is not None]
            domains = sorted(company_domains([p.email for p in people] + senders))
            company = company_from_domain(domains[0]) if domains else None
        return company, role


def _human(address: str) -> bool:
    return not is_no_reply(address) and not is_ats(address.rpartition("@")[2])


def parse_title(title: str) -> tuple[str | None, str | None]:
    """(company, role) from an event title; None for what it does not say."""
    text = " ".join(title.split())
    while _PREFIXES.match(text):
        text = _PREFIXES.sub("", text, count=1)
    text = re.sub(r"\s+@\s+\w{3} \d.*$", "", text)  # Google's " @ Thu 3 Dec 2026 14:00 - …"
    for pattern in _TITLES:
        found = pattern.match(text)
        if found:
            values = found.groupdict()
            role = _clean(values.get("role"))
            company = _clean(values.get("company"))
            if role and role.lower() in ("an", "a", "the", "your"):
                role = None
            return company, role
    return None, None


def _clean(text: str | None) -> str | None:
    if not text:
        return None
    value = text.strip(" -–—:|,.")
    while True:
        shorter = _ROLE_TAIL.sub("", value).strip(" -–—:|,")
        if shorter == value:
            break
        value = shorter
    return value or None


def company_from_domain(domain: str) -> str:
    label = base_domain(domain).split(".")[0]
    return " ".join(word.capitalize() for word in re.split(r"[-_]", label) if word)


# -- reading ------------------------------------------------------------------------------


def read_invitation(data: bytes, user_tz: str) -> Invitation:
    """An invitation from an .ics file or an email; a UsageError says what is wrong."""
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:15].upper().startswith(b"BEGIN:VCALENDAR"):
        return _from_calendar(stripped, user_tz)
    return _from_email(data, user_tz)


def calendar_part(data: bytes) -> tuple[bytes | None, Any]:
    """(the text/calendar part of an email, the parsed message); the part is None when
    the message carries none (an attached .ics counts)."""
    import email
    import email.policy

    message = email.message_from_bytes(data, policy=email.policy.compat32)
    for part in message.walk():
        kind = part.get_content_type()
        name = (part.get_filename() or "").lower()
        if kind == "text/calendar" or kind == "application/ics" or name.endswith(".ics"):
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes) and payload.strip():
                return payload, message
    return None, message


def _from_email(data: bytes, user_tz: str) -> Invitation:
    from email.utils import getaddresses

    part, message = calendar_part(data)
    if part is None:
        if not message.keys():
            raise UsageError("this is neither a calendar (.ics) nor an email (.eml)")
        raise UsageError("the email carries no invitation (no text/calendar part or .ics attachment)")
    invitation = _from_calendar(part, user_tz)
    found = re.search(r"<[^<>\s]+>", decoded(message.get("Message-ID", "")))
    senders = getaddresses([decoded(message.get("From", ""))])
    sender = Person(" ".join(senders[0][0].split()), senders[0][1].lower()) \
        if senders and "@" in senders[0][1] else None
    to = [a.lower() for _, a in getaddresses([decoded(message.get(f, "")) for f in ("To", "Cc")])
          if "@" in a]
    return replace(invitation, subject=" ".join(decoded(message.get("Subject", "")).split()),
                   message_id=found.group(0) if found else None, sender=sender,
                   recipients=tuple(to))


def _from_calendar(data: bytes, user_tz: str) -> Invitation:
    import warnings

    import icalendar

    with warnings.catch_warnings():  # guesses icalendar warns about are ours to make
        warnings.simplefilter("ignore")
        try:
            calendar = icalendar.Calendar.from_ical(data)
        except Exception as exc:  # noqa: BLE001 - icalendar raises ValueError, KeyError, …
            raise UsageError(f"the invitation cannot be read as a calendar: {_short(exc)}") from None
        return _event(calendar, user_tz)


def _event(calendar: Any, user_tz: str) -> Invitation:
    method = str(calendar.get("METHOD", "")).strip().upper()
    if method not in ACCEPTED_METHODS:
        what = {"CANCEL": "a cancellation", "REPLY": "an answer to an invitation",
                "COUNTER": "a proposal of a new time"}.get(method, f"METHOD:{method}")
        raise UsageError(f"the calendar is {what}, not an invitation (METHOD:REQUEST or PUBLISH)")
    events = [c for c in calendar.walk("VEVENT")]
    if not events:
        raise UsageError("the calendar holds no event (VEVENT)")
    event = events[0]
    uid = str(event.get("UID", "")).strip()
    if not uid:
        raise UsageError("the invitation has no UID, so it could be added twice; refused")
    start, tz, known = _start(event, user_tz)
    return Invitation(
        uid=uid,
        method=method,
        summary=" ".join(str(event.get("SUMMARY", "")).split()),
        start=start,
        duration=_duration(event, start),
        tz=tz,
        zone_known=known,
        location=_location(event),
        organizer=_person(event.get("ORGANIZER")),
        attendees=_attendees(event.get("ATTENDEE")),
        description=str(event.get("DESCRIPTION", "")),
    )


def _short(exc: Exception) -> str:
    text = " ".join(str(exc).split()).split(": b'")[0] or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."


def iana_zone(tzid: str) -> str | None:
    """An IANA name for a TZID: itself, or the zone of a Windows name; None when unknown."""
    from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

    name = tzid.strip().strip('"')
    candidates = [name, WINDOWS_TO_OLSON.get(name, "")]
    # Some writers prefix a path ("/freeassociation.sourceforge.net/Europe/Berlin").
    candidates.append("/".join(name.split("/")[-2:]) if "/" in name else "")
    for candidate in candidates:
        if not candidate or candidate.startswith("/") or ".." in candidate:
            continue
        try:
            ZoneInfo(candidate)
        except (ZoneInfoNotFoundError, ValueError):
            continue
        return candidate
    return None


def _start(event: Any, user_tz: str) -> tuple[dt.datetime, str, bool]:
    prop = event.get("DTSTART")
    if prop is None:
        raise UsageError("the invitation has no start time (DTSTART)")
    try:
        value = prop.dt
    except Exception:  # noqa: BLE001 - a malformed value
        raise UsageError("the invitation's start time cannot be read") from None
    if not isinstance(value, dt.datetime):
        raise UsageError("the invitation is an all-day event; an interview needs a start time")
    tzid = prop.params.get("TZID")
    named = iana_zone(str(tzid)) if tzid else None
    if named is not None:
        zone = ZoneInfo(named)
        if value.tzinfo is None or value.utcoffset() is None:
            return value.replace(tzinfo=zone), named, True
        return value.astimezone(zone), named, True
    user = ZoneInfo(user_tz)
    if value.tzinfo is None or value.utcoffset() is None:  # floating: the user's wall time
        return value.replace(tzinfo=user), user_tz, tzid is None
    # UTC (Google writes invitations in UTC) or a zone only the calendar defines.
    return value.astimezone(user), user_tz, tzid is None


def _duration(event: Any, start: dt.datetime) -> dt.timedelta:
    end = event.get("DTEND")
    length = None
    try:
        if end is not None and isinstance(end.dt, dt.datetime):
            finish = end.dt if end.dt.tzinfo is not None else end.dt.replace(tzinfo=start.tzinfo)
            length = finish - start
        elif event.get("DURATION") is not None:
            length = event["DURATION"].dt
    except Exception:  # noqa: BLE001 - a malformed end: the default length
        length = None
    if not isinstance(length, dt.timedelta) or length <= dt.timedelta(0) \
            or length > dt.timedelta(hours=24):
        return DEFAULT_DURATION
    return length


def _location(event: Any) -> str:
    place = " ".join(str(event.get("LOCATION", "")).split())
    link = _video_link(event)
    if not link or link in place:
        return place
    if not place or _ONLINE_PLACEHOLDERS.match(place) or _URL.fullmatch(place):
        return link
    return f"{place}; {link}"


def _video_link(event: Any) -> str | None:
    for name in ("CONFERENCE", "X-GOOGLE-CONFERENCE", "X-MICROSOFT-SKYPETEAMSMEETINGURL",
                 "X-MICROSOFT-ONLINEMEETINGCONFLINK"):
        values = event.get(name)
        for value in values if isinstance(values, list) else [values]:
            if value is not None and _URL.match(str(value)):
                return str(value)
    for name in ("LOCATION", "DESCRIPTION", "X-ALT-DESC"):
        found = _VIDEO.search(str(event.get(name, "")))
        if found:
            return found.group(0).rstrip(".,;")
    return None


def _address(value: Any) -> str:
    text = str(value).strip()
    return text[7:].strip().lower() if text.lower().startswith("mailto:") else ""


def _person(value: Any) -> Person | None:
    if value is None:
        return None
    email = _address(value)
    if "@" not in email:
        return None
    name = " ".join(str(getattr(value, "params", {}).get("CN", "")).strip('"').split())
    return Person("" if name.lower() == email else name, email)


def _attendees(values: Any) -> tuple[Person, ...]:
    if values is None:
        return ()
    people: dict[str, Person] = {}
    for value in values if isinstance(values, list) else [values]:
        kind = str(getattr(value, "params", {}).get("CUTYPE", "INDIVIDUAL")).upper()
        person = _person(value)
        if person is not None and kind in ("INDIVIDUAL", "UNKNOWN") and person.email not in people:
            people[person.email] = person
    return tuple(people.values())
