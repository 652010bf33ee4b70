"""A whole calendar in one profile, assembled from the store's cached per-item renders.

The one place that turns the store into calendar bytes: the calendar file, `export`,
published files and the feed server all use it, so they always agree. A calendar is a
header (properties and a VTIMEZONE per zone used), one block per interview (its items'
cached renders, in interview order) and the closing line; `calendar_chunks` gives it piece
by piece, so writing a calendar of any size takes the memory of one interview.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from functools import partial
from itertools import groupby
from operator import itemgetter

from followup.core.memo import bounded
from followup.core.render import CALENDAR_NAME, assemble, calendar_header, in_profile
from followup.store import Store

CLOSING = b"END:VCALENDAR\r\n"
HEADERS_KEPT = 16
_HEADERS: dict[str, bytes] = {}


def calendar_bytes(store: Store, profile: str = "full",
                   feed: Mapping[str, object] | None = None,
                   leave_out: Collection[int] = ()) -> bytes:
    """Every item in `profile`, with a VTIMEZONE for each zone used, in the caller's snapshot;
    `leave_out`: interviews whose items stay out (chains that ended long ago)."""
    return b"".join(calendar_chunks(store, profile, feed, leave_out))


def calendar_chunks(store: Store, profile: str = "full",
                    feed: Mapping[str, object] | None = None,
                    leave_out: Collection[int] = ()) -> Iterator[bytes]:
    """The calendar as the header, one block per interview, and the closing line."""
    yield header(store, profile, feed, leave_out)
    for _, block in blocks(store, profile, leave_out=leave_out):
        yield block
    yield CLOSING


def kinds_of(profile: str) -> tuple[str, ...]:
    """The item kinds a profile shows anything of (the tasks profile has no events)."""
    return ("task",) if profile == "tasks" else ("event", "task")


def header(store: Store, profile: str, feed: Mapping[str, object] | None,
           leave_out: Collection[int] = ()) -> bytes:
    """Everything before the first item: the calendar's properties and a VTIMEZONE for each
    zone the profile's items use. Made once per process for each set of inputs (the
    VTIMEZONEs take a while); always made, never copied from a file, so what the code,
    icalendar or the zone data would write now is what every file gets."""
    tzids = store.calendar_zones(kinds_of(profile), leave_out)
    props = [(name, _ical(value), sorted(getattr(value, "params", {}).items()))
             for name, value in (feed or {}).items()]
    key = repr((tzids, props))
    if key not in _HEADERS:
        whole = assemble(calendar_header(CALENDAR_NAME, tzids, feed), ())
        bounded(_HEADERS, HEADERS_KEPT)[key] = whole[: -len(CLOSING)]  # a server runs for months
    return _HEADERS[key]


def _ical(value: object) -> object:
    to_ical = getattr(value, "to_ical", None)
    return to_ical() if to_ical else value


def blocks(store: Store, profile: str, interview_id: int | None = None,
           leave_out: Collection[int] = ()) -> Iterator[tuple[int, bytes]]:
    """(interview id, its items' renders in this profile), in file order."""
    rows = store.calendar_rows(partial(in_profile, profile), interview_id)
    for number, group in groupby(rows, key=itemgetter(0)):
        if number not in leave_out:
            yield number, b"".join([piece for _, piece in group])
