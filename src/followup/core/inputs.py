"""Text a user typed → values, or a UsageError that says how to write it right."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from functools import partial
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from followup.core.model import (
    DEFAULT_DURATION,
    FIRST_YEAR,
    LAST_YEAR,
    Contact,
    Interview,
    interview_uid,
)
from followup.core.schedule import public_holidays
from followup.core.text import refuse_control
from followup.core.vocab import CHANNELS, HELD, NOTE_KINDS, TITLES
from followup.core.wording import check_language
from followup.errors import UsageError

T = TypeVar("T")
Day = TypeVar("Day", bound=dt.date)  # a date or a date-time

_DURATION = re.compile(r"^\s*(?:([0-9]+)\s*h)?\s*(?:([0-9]+)\s*m(?:in)?)?\s*$", re.IGNORECASE)
# The longest snooze: a follow-up put off further than this is a different plan.
MAX_SNOOZE = dt.timedelta(days=366)
_EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")


def zone(name: str) -> str:
    """A valid IANA zone name, as the user wrote it."""
    text = name.strip()
    try:
        if not text or text.startswith("/") or ".." in text or "\x00" in text:
            raise ValueError
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "Europe" is a folder
        raise UsageError(
            f"unknown time zone {name!r}; use an IANA name such as Europe/London or America/New_York"
        ) from None
    return text


def in_range(value: Day, text: str, what: str) -> Day:
    """`value` if its year is one followup plans in."""
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise UsageError(f"the {what} {text.strip()!r} is not in the years {FIRST_YEAR}–{LAST_YEAR}")
    return value


def date(text: str, what: str = "date") -> dt.date:
    try:
        value = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"invalid {what} {text!r}; write it as YYYY-MM-DD, e.g. 2026-12-15") from None
    return in_range(value, text, what)


def datetime(text: str, tz: str, what: str = "date and time") -> dt.datetime:
    """A wall-clock time in `tz` (an explicit offset in the text is converted to `tz`)."""
    cleaned = text.strip()
    try:
        value = dt.datetime.fromisoformat(cleaned)
    except ValueError:
        value = None
    if value is None or len(cleaned) <= 10:
        raise UsageError(
            f"invalid {what} {text!r}; write it as 'YYYY-MM-DD HH:MM', e.g. '2026-12-01 14:00'"
        )
    in_range(value, text, what)
    zone_info = ZoneInfo(tz)
    if value.tzinfo is not None:
        return value.astimezone(zone_info)
    local = value.replace(tzinfo=zone_info)
    normalised = local.astimezone(dt.timezone.utc).astimezone(zone_info)
    if normalised.replace(tzinfo=None) != value:
        raise UsageError(
            f"{text!r} does not exist in {tz} (the clocks skip it for daylight saving time);"
            " pick another time"
        )
    return local


def duration(text: str) -> dt.timedelta:
    """'45m', '1h30m', '90' (minutes), '2h'."""
    cleaned = text.strip()
    if cleaned.isascii() and cleaned.isdigit():
        minutes = int(cleaned)
    else:
        match = _DURATION.match(cleaned)
        if not match or not cleaned or not any(match.groups()):
            raise UsageError(f"invalid duration {text!r}; write it like 45m, 1h or 1h30m")
        minutes = int(match.group(1) or 0) * 60 + int(match.group(2) or 0)
    if minutes <= 0:
        raise UsageError(f"the duration {text!r} is zero; give a length such as 45m or 1h")
    if minutes > 24 * 60:
        raise UsageError(f"the duration {text!r} is longer than a day; write it like 45m or 1h30m")
    return dt.timedelta(minutes=minutes)


_PHONE = re.compile(r"^\+?[\d(][\d\s().\-/]*\d$")
_TRAILING_PHONE = re.compile(r"(?:^|\s)(\+?[\d(][\d\s().\-/]*\d)$")
INTERVIEWER_HINT = ("write it as \"Name <email> phone\", e.g. \"Jane Doe <jane@acme.example>"
                    " +44 20 7946 0000\"")


def phone(text: str) -> str:
    """A phone number as written ('+44 20 7946 0000', '(555) 010-4477'), checked."""
    cleaned = text = " ".join(text.split())
    digits = sum(ch.isdigit() for ch in cleaned)
    if not _PHONE.match(cleaned) or not 5 <= digits <= 15:
        raise UsageError(f"invalid phone number {text!r}; write it with digits, spaces and an"
                         " optional leading +, e.g. +44 20 7946 0000")
    return cleaned


def title(text: str) -> str:
    """How someone is addressed formally, as written: 'Dr', 'Prof.', 'Ms'."""
    cleaned = " ".join(refuse_control(text, "title").split())
    if not cleaned or len(cleaned) > 30 or any(ch in cleaned for ch in "<>@,;\"") \
            or any(ch.isdigit() for ch in cleaned):
        raise UsageError(f"invalid title {text!r}; give a title such as Dr, Prof or Ms")
    return cleaned


def interviewer(text: str, key: int, tz: str | None = None, *, phone_number: str | None = None,
                title_text: str | None = None) -> Contact:
    """'Dr Jane Doe <jane@acme.example> +44 20 7946 0000', 'Jane Doe', 'jane@acme.example'.

    A leading courtesy title (Dr, Prof, Ms, ...) is kept apart from the name; a phone
    number may follow. `phone_number` and `title_text` come from an import file's fields."""
    cleaned = " ".join(refuse_control(text, "interviewer").split())
    hint = INTERVIEWER_HINT
    number = phone(phone_number) if phone_number else None
    if ">" in cleaned and not cleaned.endswith(">"):
        cleaned, _, rest = cleaned.rpartition(">")
        cleaned += ">"
        number = phone(rest)
    elif "<" not in cleaned:
        found = _TRAILING_PHONE.search(cleaned)
        if found and sum(ch.isdigit() for ch in found[1]) >= 5:
            number = phone(found[1])
            cleaned = cleaned[: found.start()].strip()
    if not cleaned or cleaned.count("<") != cleaned.count(">") or cleaned.count("<") > 1:
        raise UsageError(f"malformed interviewer {text!r}; {hint}")
    if "<" in cleaned:
        from email.utils import parseaddr

        name, email = parseaddr(cleaned)
        if not cleaned.endswith(">") or not _EMAIL.match(email or ""):
            raise UsageError(f"malformed interviewer {text!r}; {hint}")
        name = name.strip().strip('"')
    elif "@" in cleaned:
        if not _EMAIL.match(cleaned):
            raise UsageError(f"malformed interviewer email {text!r}; {hint}")
        name, email = "", cleaned
    elif any(ch in cleaned for ch in "<>@"):
        raise UsageError(f"malformed interviewer {text!r}; {hint}")
    else:
        name, email = cleaned, None
    given_title = title(title_text) if title_text else None
    words = name.split()
    if given_title is None and len(words) > 1 and words[0].rstrip(".").lower() in TITLES:
        given_title, name = words[0], " ".join(words[1:])
    return Contact(key=key, name=name, email=email or None, tz=tz, phone=number,
                   title=given_title)


def held(text: str | None, location: str) -> str:
    """How the interview is held; unsaid: `video` at a link, else `onsite`."""
    if text:
        return choice(text, HELD, "way the interview is held")
    return "video" if is_link(location) else "onsite"


def is_link(location: str) -> bool:
    return location.strip().lower().startswith(("http://", "https://", "www."))


def country(text: str) -> tuple[str, str | None]:
    """'GB', 'US-CA' or 'GB-SCT' (ISO 3166 country, optional subdivision), checked."""
    code, _, subdivision = text.strip().partition("-")
    public_holidays(code, subdivision or None)  # raises a UsageError naming what is unknown
    return code.upper(), (subdivision.upper() or None)


def contact_zone(text: str) -> str:
    """An IANA zone, or a country code whose country has a single zone (pytz's data)."""
    cleaned = text.strip()
    if len(cleaned) == 2 and cleaned.isalpha():
        import pytz

        zones = pytz.country_timezones.get(cleaned.upper())
        if not zones:
            raise UsageError(f"unknown country {text!r}; give an IANA zone such as Europe/London")
        if len(zones) > 1:
            shown = ", ".join(zones[:4]) + (", …" if len(zones) > 4 else "")
            raise UsageError(f"{cleaned.upper()} has several time zones ({shown}); give one of them")
        return str(zones[0])
    return zone(cleaned)


def snooze_target(text: str, base: dt.datetime, tz: str) -> dt.datetime:
    """'2d', '3h', '1w', '1d4h', '90m' after `base`, or a date and time in `tz`."""
    match = re.fullmatch(r"\s*(?:([0-9]+)w)?\s*(?:([0-9]+)d)?\s*(?:([0-9]+)h)?\s*(?:([0-9]+)m)?\s*",
                         text.lower())
    if match and any(match.groups()):
        weeks, days, hours, minutes = (int(g or 0) for g in match.groups())
        minutes += ((weeks * 7 + days) * 24 + hours) * 60
        if not minutes:
            raise UsageError(f"the snooze {text!r} is zero; give e.g. 2d, 3h or 1w")
        if minutes > MAX_SNOOZE / dt.timedelta(minutes=1):
            raise UsageError(f"the snooze {text!r} is longer than a year; give e.g. 2d, 3h or 1w")
        return base + dt.timedelta(minutes=minutes)
    if len(text.strip()) == 10:
        try:
            day = dt.date.fromisoformat(text.strip())
        except ValueError:
            pass
        else:
            text = f"{day.isoformat()} {base.astimezone(_zone(tz)):%H:%M}"
    try:
        return datetime(text, tz, "snooze time")
    except UsageError:
        raise UsageError(
            f"invalid snooze {text!r}; give a duration (2d, 3h, 1w) or 'YYYY-MM-DD HH:MM'"
        ) from None


def _zone(tz: str) -> dt.tzinfo:
    return ZoneInfo(tz)


def about(field: str, parse: Callable[[], T]) -> T:
    """`parse()`, its UsageError marked as being about `field` (the option or the import
    file's key that carries it: the CLI and the importer name it)."""
    try:
        return parse()
    except UsageError as exc:
        if exc.field is None:
            exc.field = field
        raise


def interview(*, company: str, role: str, at: str, tz: str, length: str | None = None,
              deadline: str | None = None, channel: str = "email", note: str = "email",
              location: str = "", contacts: tuple[Contact, ...] = (),
              holidays: str | None = None, held_as: str | None = None,
              decision: Contact | None = None, lang: str | None = None) -> Interview:
    """An Interview from what a user typed (command line or import file), every field checked;
    an error names the field it is about."""
    for field, value in (("company", company), ("role", role), ("location", location)):
        refuse_control(value, field, field)
    zone_name = about("tz", lambda: zone(tz))
    start = about("at", lambda: datetime(at, zone_name, "interview time"))
    code, subdivision = about("country", lambda: country(holidays)) if holidays else (None, None)
    return Interview(
        uid=interview_uid(company, role, start),
        company=company,
        role=role,
        start=start,
        duration=about("duration", lambda: duration(length)) if length else DEFAULT_DURATION,
        tz=zone_name,
        deadline=about("deadline", lambda: date(deadline, "deadline")) if deadline else None,
        channel=about("channel", lambda: choice(channel, CHANNELS, "channel")),
        note=about("note", lambda: choice(note, NOTE_KINDS, "note kind")),
        location=location,
        contacts=contacts,
        country=code,
        subdivision=subdivision,
        held=about("held", lambda: held(held_as, location)),
        language=about("language", partial(language, lang)) if lang else None,
    ).with_decision_contact(decision)


def interviewers(texts: Sequence[str], zones: Sequence[str], first_key: int) -> list[Contact]:
    """Interviewers, each with the zone given at the same position (a panel's zones in order)."""
    if len(zones) > len(texts):
        raise UsageError("more zones than interviewers; give one zone per interviewer, in order",
                         field="contact_tzs")
    contacts = []
    for n, text in enumerate(texts):
        tz = about("contact_tzs", partial(contact_zone, zones[n])) if n < len(zones) else None
        contacts.append(about("interviewers", partial(interviewer, text, first_key + n, tz)))
    return contacts


def language(text: str) -> str:
    """'de', 'fr', 'es' or 'en': the language of an interview's drafts and titles."""
    try:
        return check_language(text)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def choice(text: str, options: tuple[str, ...], what: str) -> str:
    value = text.strip().lower()
    if value not in options:
        raise UsageError(f"unknown {what} {text!r}; use one of: {', '.join(options)}")
    return value
