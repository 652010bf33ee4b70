"""A whole calendar in one profile, assembled from the store's cached per-item renders.

The one place that turns the store into calendar bytes: the calendar file, `export`,
published files and the feed server all use it, so they always agree.
"""

from __future__ import annotations

from collections.abc import Mapping

from followup.core.render import CALENDAR_NAME, assemble, calendar_header, in_profile
from followup.store import Store


def calendar_bytes(store: Store, profile: str = "full",
                   feed: Mapping[str, object] | None = None) -> bytes:
    """Every item in `profile`, with a VTIMEZONE for each zone used, in the caller's snapshot."""
    texts: list[str] = []
    tzids: set[str] = set()
    for row in store.calendar_rows():
        want_todo, want_event = in_profile(profile, row["kind"], bool(row["has_slot"]))
        if want_todo and row["vtodo"]:
            texts.append(row["vtodo"])
        if want_event:
            texts.append(row["vevent"])
        if want_todo or want_event:
            tzids.add(row["tz"])
    header = calendar_header(CALENDAR_NAME, tzids, feed)
    return assemble(header, texts)
