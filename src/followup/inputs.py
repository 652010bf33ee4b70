"""Text a user typed → values, or a UsageError that says how to write it right."""

from __future__ import annotations

import datetime as dt
import re

from followup.errors import UsageError
from followup.model import Contact

_DURATION = re.compile(r"^\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?\s*$", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")


def zone(name: str) -> str:
    """A valid IANA zone name, as the user wrote it."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    text = name.strip()
    try:
        if not text or text.startswith("/") or ".." in text:
            raise ValueError
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(
            f"unknown time zone {name!r}; use an IANA name such as Europe/London or America/New_York"
        ) from None
    return text


def date(text: str, what: str = "date") -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"invalid {what} {text!r}; write it as YYYY-MM-DD, e.g. 2026-12-15") from None


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
    from zoneinfo import ZoneInfo

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
    if cleaned.isdigit():
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


def interviewer(text: str, key: int, tz: str | None = None) -> Contact:
    """'Jane Doe <jane@acme.example>', 'Jane Doe' or 'jane@acme.example'."""
    cleaned = " ".join(text.split())
    hint = "write it as \"Name <email>\", e.g. \"Jane Doe <jane@acme.example>\""
    if not cleaned or cleaned.count("<") != cleaned.count(">") or cleaned.count("<") > 1:
        raise UsageError(f"malformed interviewer {text!r}; {hint}")
    if "<" in cleaned:
        from email.utils import parseaddr

        name, email = parseaddr(cleaned)
        if not cleaned.endswith(">") or not _EMAIL.match(email or ""):
            raise UsageError(f"malformed interviewer {text!r}; {hint}")
        return Contact(key=key, name=name.strip().strip('"'), email=email, tz=tz)
    if "@" in cleaned:
        if not _EMAIL.match(cleaned):
            raise UsageError(f"malformed interviewer email {text!r}; {hint}")
        return Contact(key=key, name="", email=cleaned, tz=tz)
    if any(ch in cleaned for ch in "<>@"):
        raise UsageError(f"malformed interviewer {text!r}; {hint}")
    return Contact(key=key, name=cleaned, email=None, tz=tz)


def choice(text: str, options: tuple[str, ...], what: str) -> str:
    value = text.strip().lower()
    if value not in options:
        raise UsageError(f"unknown {what} {text!r}; use one of: {', '.join(options)}")
    return value
