"""A whole calendar in one profile, assembled from the store's cached per-item renders.

The one place that turns the store into calendar bytes: the calendar file, `export`,
published files and the feed server all use it, so they always agree. A calendar is a
header (properties and a VTIMEZONE per zone used), one block per interview (its items'
cached renders, in interview order) and the closing line; `calendar_chunks` gives it piece
by piece, so writing a calendar of any size takes the memory of one interview.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Mapping
from itertools import groupby

from followup.core import render, serialise, vtimezone
from followup.core.render import CALENDAR_NAME, assemble, calendar_header, in_profile
from followup.store import Store

CLOSING = b"END:VCALENDAR\r\n"
NO_ITEMS_SPAN = (2026, 2026)
_HEADERS: dict[str, bytes] = {}


def calendar_bytes(store: Store, profile: str = "full",
                   feed: Mapping[str, object] | None = None) -> bytes:
    """Every item in `profile`, with a VTIMEZONE for each zone used, in the caller's snapshot."""
    return b"".join(calendar_chunks(store, profile, feed))


def calendar_chunks(store: Store, profile: str = "full",
                    feed: Mapping[str, object] | None = None) -> Iterator[bytes]:
    """The calendar as the header, one block per interview, and the closing line."""
    key, tzids, span = header_inputs(store, profile, feed)
    yield header_bytes(key, tzids, span, feed)
    for _, block in blocks(store, profile):
        yield block
    yield CLOSING


def kinds_of(profile: str) -> tuple[str, ...]:
    """The item kinds a profile shows anything of (the tasks profile has no events)."""
    return ("task",) if profile == "tasks" else ("event", "task")


def header_inputs(store: Store, profile: str, feed: Mapping[str, object] | None
                  ) -> tuple[str, list[str], tuple[int, int]]:
    """What the header depends on, and a key that changes whenever any of it does."""
    tzids, span = store.calendar_span(kinds_of(profile))
    span = span or NO_ITEMS_SPAN
    props = [(name, _ical(value), sorted(getattr(value, "params", {}).items()))
             for name, value in (feed or {}).items()]
    # The code that writes headers is part of the key: an upgrade that changes a VTIMEZONE
    # (or anything else in the header) must not be hidden by a header copied from the file.
    code = [(os.stat(module.__file__).st_mtime_ns, os.stat(module.__file__).st_size)
            for module in (render, serialise, vtimezone) if module.__file__]
    text = repr((CALENDAR_NAME, tzids, span, props, code))
    return hashlib.sha256(text.encode()).hexdigest(), tzids, span


def _ical(value: object) -> object:
    to_ical = getattr(value, "to_ical", None)
    return to_ical() if to_ical else value


def header_bytes(key: str, tzids: list[str], span: tuple[int, int],
                 feed: Mapping[str, object] | None) -> bytes:
    """The header, built once per process for each key (VTIMEZONEs take a while)."""
    if key not in _HEADERS:
        _HEADERS[key] = assemble(calendar_header(CALENDAR_NAME, tzids, span, feed), ())[
            : -len(CLOSING)]
    return _HEADERS[key]


def blocks(store: Store, profile: str, interview_id: int | None = None
           ) -> Iterator[tuple[int, bytes]]:
    """(interview id, its items' renders in this profile), in file order."""
    rows = store.calendar_rows(interview_id)
    for number, group in groupby(rows, key=lambda row: int(row["interview_id"])):
        texts = []
        for row in group:
            want_todo, want_event = in_profile(profile, row["kind"], bool(row["has_slot"]))
            if want_todo and row["vtodo"]:
                texts.append(row["vtodo"])
            if want_event:
                texts.append(row["vevent"])
        yield number, "".join(texts).encode("utf-8")
