"""A whole calendar in one profile, assembled from the store's cached per-item renders.

The one place that turns the store into calendar bytes: the calendar file, `export`,
published files and the feed server all use it, so they always agree.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from followup.core.render import CALENDAR_NAME, assemble, calendar_header, in_profile
from followup.store import Store


def calendar_bytes(store: Store, profile: str = "full",
                   feed: Mapping[str, object] | None = None,
                   leave_out: Collection[int] = ()) -> bytes:
    """Every item in `profile`, with a VTIMEZONE for each zone used, in the caller's snapshot;
    `leave_out`: interviews whose items stay out (chains that ended long ago)."""
    texts: list[str] = []
    tzids: set[str] = set()
    for row in store.calendar_rows():
        if leave_out and row["interview_id"] in leave_out:
            continue
        want_todo, want_event = in_profile(profile, row["kind"], bool(row["has_slot"]))
        if want_todo and row["vtodo"]:
            texts.append(row["vtodo"])
        if want_event:
            texts.append(row["vevent"])
        if want_todo or want_event:
            tzids.add(row["tz"])
    header = calendar_header(CALENDAR_NAME, tzids, feed)
    return assemble(header, texts)
