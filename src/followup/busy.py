"""Busy times from the user's own calendars (.ics files, vdir folders), recurring ones expanded.

A calendar that cannot be read is named in a warning and skipped: planning never fails
because of someone else's file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from followup.core.schedule import Busy

if TYPE_CHECKING:
    import icalendar


def load_busy(
    sources: Sequence[str],
    start: dt.datetime,
    end: dt.datetime,
    user_tz: str,
    warn: Callable[[str], None],
    remote_objects: Callable[[str], list[bytes]] | None = None,
) -> list[Busy]:
    """`sources` are .ics files, vdir folders, or "remote:NAME[:CALENDAR]" (read through
    `remote_objects`)."""
    busy: list[Busy] = []
    for source in sources:
        if source.startswith("remote:") and remote_objects is not None:
            try:
                datas = remote_objects(source)
            except Exception as exc:  # noqa: BLE001 - an unreachable server must not stop planning
                warn(f"busy calendar {source} cannot be read ({exc}); skipped")
                continue
            for data in datas:
                try:
                    busy.extend(_read(data, start, end, ZoneInfo(user_tz)))
                except Exception as exc:  # noqa: BLE001
                    warn(f"an event of busy calendar {source} cannot be read ({exc}); skipped")
            continue
        path = Path(source).expanduser()
        if path.is_dir():
            files = sorted(path.glob("*.ics"))
        elif path.is_file():
            files = [path]
        else:
            warn(f"busy calendar {source} does not exist; skipped")
            continue
        for file in files:
            try:
                busy.extend(_read(file.read_bytes(), start, end, ZoneInfo(user_tz)))
            except Exception as exc:  # noqa: BLE001 - any broken file is skipped, never fatal
                warn(f"busy calendar {file} cannot be read ({type(exc).__name__}: {exc}); skipped")
    busy.sort(key=lambda b: b.start)
    return busy


def _read(data: bytes, start: dt.datetime, end: dt.datetime, zone: ZoneInfo) -> Iterable[Busy]:
    import icalendar
    import recurring_ical_events

    calendar = icalendar.Calendar.from_ical(data)
    if calendar.name != "VCALENDAR":
        raise ValueError("not a VCALENDAR")
    found = []
    for event in recurring_ical_events.of(calendar).between(start, end):
        if event.name != "VEVENT" or "X-FOLLOWUP-STEP" in event:
            continue  # our own calls must not block themselves
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            continue
        begin, finish = event["DTSTART"].dt, event.get("DTEND")
        all_day = not isinstance(begin, dt.datetime)
        transp = str(event.get("TRANSP", "")).upper()
        # All-day events (birthdays, "working from home") block only when marked busy.
        if transp == "TRANSPARENT" or (all_day and transp != "OPAQUE"):
            continue
        finish_value = finish.dt if finish is not None else None
        found.append(Busy(_aware(begin, zone), _end(begin, finish_value, event, zone),
                          str(event.get("SUMMARY", ""))))
    return found


def _aware(value: dt.date | dt.datetime, zone: ZoneInfo) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        return dt.datetime.combine(value, dt.time(0), tzinfo=zone)
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)  # floating: user's


def _end(begin: dt.date | dt.datetime, finish: dt.date | dt.datetime | None,
         event: icalendar.cal.Component, zone: ZoneInfo) -> dt.datetime:
    if finish is not None:
        return _aware(finish, zone)
    duration = event.get("DURATION")
    if duration is not None:
        length: dt.timedelta = duration.dt
        return _aware(begin, zone) + length
    if isinstance(begin, dt.datetime):
        return _aware(begin, zone)
    return _aware(begin + dt.timedelta(days=1), zone)
