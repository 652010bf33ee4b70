"""Calendar objects as the sync engine sees them: which properties are ours, how a
server's copy is patched without losing what other clients added, and what a remote
change means (done, cancelled, moved). Pure: parsing and comparing, no I/O.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from typing import TYPE_CHECKING, Any

from followup.core.model import Contact, Interview, Outcome
from followup.core.render import EVENT_ALARM
from followup.store import parse_moment

if TYPE_CHECKING:
    import icalendar

UTC = dt.timezone.utc
DATA = "X-FOLLOWUP-DATA"
OWN = {"SUMMARY", "DESCRIPTION", "DTSTART", "DUE", "DTEND", "DURATION", "STATUS", "COMPLETED",
        "PERCENT-COMPLETE", "SEQUENCE", "LAST-MODIFIED", "DTSTAMP", "CREATED", "RELATED-TO",
        "CONTACT", "LOCATION", "CATEGORIES", "TRANSP"}
VOLATILE = {"SEQUENCE", "LAST-MODIFIED", "DTSTAMP", "CREATED"}


def is_own(name: str) -> bool:
    name = name.upper()
    return name in OWN or name.startswith("X-FOLLOWUP-")


# -- X-FOLLOWUP-DATA: what a second machine needs to rebuild an interview -------------------


def interview_from_data(uid: str, doc: dict[str, Any]) -> tuple[Interview, list[Outcome]]:
    from zoneinfo import ZoneInfo

    start = dt.datetime.fromisoformat(doc["start"]).astimezone(ZoneInfo(doc["tz"]))
    contacts = tuple(Contact(key=int(c["key"]), name=c["name"], email=c.get("email"),
                             tz=c.get("tz"), removed=bool(c.get("removed")),
                             phone=c.get("phone"), title=c.get("title"),
                             interviewer=bool(c.get("interviewer", True)))
                     for c in doc.get("contacts", []))
    interview = Interview(
        uid=uid, company=doc["company"], role=doc["role"], start=start,
        duration=dt.timedelta(seconds=int(doc["duration"])), tz=doc["tz"],
        deadline=dt.date.fromisoformat(doc["deadline"]) if doc.get("deadline") else None,
        channel=doc.get("channel", "email"), note=doc.get("note", "email"),
        location=doc.get("location", ""), contacts=contacts, country=doc.get("country"),
        subdivision=doc.get("subdivision"), held=doc.get("held", "onsite"),
        decision_key=doc.get("decision"), round=int(doc.get("round", 1)))
    outcomes = [Outcome(o["kind"], dt.datetime.fromisoformat(o["recorded"]))
                for o in doc.get("outcomes", [])]
    return interview, outcomes


_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")


def read_data(comp: icalendar.cal.Component) -> dict[str, Any] | None:
    """X-FOLLOWUP-DATA as a dict: base64url of the JSON (render.interview_data), or the plain
    JSON that followup wrote before (rule 22); None when neither can be read."""
    if DATA not in comp:
        return None
    value: Any = comp[DATA]
    raw = value.to_ical().decode() if hasattr(value, "to_ical") else str(value)
    texts = [re.sub(r"\\([\\;,nN])", lambda m: {"n": "\n", "N": "\n"}.get(m[1], m[1]), raw), raw]
    packed = raw.strip()
    if _BASE64URL.fullmatch(packed):
        try:
            texts.insert(0, base64.urlsafe_b64decode(packed + "=" * (-len(packed) % 4)).decode("utf-8"))
        except ValueError:  # binascii.Error and UnicodeDecodeError are ValueErrors
            pass
    for text in texts:
        try:
            doc = json.loads(text)
        except ValueError:
            continue
        return doc if isinstance(doc, dict) else None
    return None


# -- components -----------------------------------------------------------------------


def component_of(data: bytes | str) -> icalendar.cal.Component | None:
    """The one VTODO or VEVENT of a calendar object (None if there is not exactly one)."""
    import icalendar

    try:
        cal = icalendar.Calendar.from_ical(data)
    except Exception:  # noqa: BLE001 - anything unparsable is foreign to us
        return None
    found = [c for c in cal.subcomponents if c.name in ("VTODO", "VEVENT")]
    return found[0] if len(found) == 1 and "UID" in found[0] else None


def parse(text: str | None) -> icalendar.cal.Component | None:
    import icalendar

    if not text:
        return None
    try:
        return icalendar.Calendar.from_ical(text)  # a lone component parses as itself
    except Exception:  # noqa: BLE001
        return None


def text(comp: icalendar.cal.Component) -> str:
    return str(comp.to_ical().decode("utf-8"))


def decoded(comp: icalendar.cal.Component | None, name: str) -> Any:
    if comp is None or name not in comp:
        return None
    try:
        return comp.decoded(name)
    except Exception:  # noqa: BLE001 - a value another client wrote badly
        return None


def instant(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(UTC) if value.tzinfo else value
    return value


def is_done(comp: icalendar.cal.Component | None) -> bool:
    if comp is None:
        return False
    pct = decoded(comp, "PERCENT-COMPLETE")
    return str(comp.get("STATUS", "")).upper() == "COMPLETED" or (
        isinstance(pct, int) and pct >= 100)


def is_cancelled(comp: icalendar.cal.Component | None) -> bool:
    return comp is not None and str(comp.get("STATUS", "")).upper() == "CANCELLED"


def moved_time(comp: icalendar.cal.Component | None) -> Any:
    """The time a user moves: a task's DUE, an event's DTSTART."""
    if comp is None:
        return None
    return instant(decoded(comp, "DUE" if comp.name == "VTODO" else "DTSTART"))


def alarm_key(alarm: icalendar.cal.Component) -> tuple[str, str, Any]:
    return (str(alarm.get("ACTION", "")).upper(), str(alarm.get("DESCRIPTION", "")),
            instant(decoded(alarm, "TRIGGER")))


def our_alarms(comp: icalendar.cal.Component | None) -> set[tuple[str, str, Any]]:
    """The alarms our render makes: DISPLAY, absolute trigger, the item's title as text
    (an event's: EVENT_ALARM, since every calendar shows the event's title with it)."""
    if comp is None:
        return set()
    title = str(comp.get("SUMMARY", ""))
    keys = {alarm_key(a) for a in comp.subcomponents if a.name == "VALARM"}
    return {k for k in keys if k[0] == "DISPLAY" and isinstance(k[2], dt.datetime)
            and k[1] and (title.endswith(k[1]) or k[1] == EVENT_ALARM)}


def patch(server: icalendar.cal.Component, ours: icalendar.cal.Component,
          previous: icalendar.cal.Component | None) -> icalendar.cal.Component:
    """The server's copy with our properties and our alarm replaced by ``ours``.

    Foreign properties (X-MOZ-*, X-APPLE-*, ...) and alarms that other clients added stay;
    our alarm is recognised as one that our previous or current render made.
    """
    out = parse(text(server))
    assert out is not None
    for name in list(out.keys()):
        if is_own(name):
            del out[name]
    mine = our_alarms(previous) | our_alarms(ours)
    out.subcomponents = [s for s in out.subcomponents
                         if not (s.name == "VALARM" and alarm_key(s) in mine)]
    for name, value in ours.items():
        if name.upper() != "UID":
            out[name] = value
    out.subcomponents.extend(s for s in ours.subcomponents if s.name == "VALARM")
    return out


def signature(comp: icalendar.cal.Component) -> list[Any]:
    """What an update would change: our properties (less the volatile ones) and alarms.

    X-FOLLOWUP-DATA counts by what it says: a server that writes it back re-escaped
    (Cyrus drops the backslashes before commas) has not changed it.
    """
    data = read_data(comp)
    props = sorted((k.upper(), json.dumps(data, sort_keys=True) if k.upper() == DATA and data
                    else text_of(v)) for k, v in comp.items()
                   if is_own(k) and k.upper() not in VOLATILE)
    alarms = sorted(repr(alarm_key(a)) for a in comp.subcomponents if a.name == "VALARM")
    return [props, alarms]


def text_of(value: Any) -> str:
    if isinstance(value, list):
        return "\n".join(text_of(v) for v in value)
    try:
        return value.to_ical().decode() if hasattr(value, "to_ical") else str(value)
    except Exception:  # noqa: BLE001
        return str(value)


# -- times --------------------------------------------------------------------------------


def aware(value: dt.datetime, tz: str) -> dt.datetime:
    if value.tzinfo is not None:
        return value
    from zoneinfo import ZoneInfo

    return value.replace(tzinfo=ZoneInfo(tz))


def as_due(value: Any, row: Any) -> dt.datetime | None:
    """A time another client wrote, as an override: dates keep the planned time of day."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(row.tz)
    if isinstance(value, dt.datetime):
        return aware(value, row.tz).astimezone(zone)
    if isinstance(value, dt.date):
        planned = parse_moment(row.due)
        at = planned.astimezone(zone).time() if isinstance(planned, dt.datetime) else dt.time(9)
        return dt.datetime.combine(value, at, tzinfo=zone)
    return None
