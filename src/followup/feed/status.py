"""Has each calendar caught up? What the feed served to which kind of client, and when.

Google refreshes a subscription every 8–24 hours whatever the feed asks, Outlook.com
about every 3 hours, Apple as the user set: after a check-off nobody can tell whether a
calendar has it yet. The server tells clients apart by User-Agent and records, per
profile and kind of client, the revision it last served and when (`feed_fetches` in the
store); `followup feed status` and the page say what that means.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import threading
from dataclasses import dataclass
from typing import Any

from followup.store import Store


@dataclass(frozen=True)
class Client:
    name: str  # who fetched: "Google fetched revision 41 …"
    refresh: str  # how often it fetches, as a clause
    never: str  # before its first fetch


CLIENTS: dict[str, Client] = {
    "google": Client("Google", "Google refreshes every 8–24 h, whatever the feed asks",
                     "Google has not fetched a feed yet."),
    "microsoft": Client("Outlook", "Outlook refreshes about every 3 h",
                        "Outlook has not fetched a feed yet."),
    "apple": Client("Apple Calendar", "Apple Calendar refreshes as its Auto-refresh setting says",
                    "Apple Calendar has not fetched a feed yet."),
    "other": Client("Another app", "other apps refresh as their settings say",
                    "No other app has fetched a feed yet."),
}

# Google's fetcher says "Google-Calendar-Importer"; Outlook.com and Exchange "Microsoft …"
# or "Outlook-…"; Apple "iOS/17.0 (21A329) dataaccessd/1.0" or "macOS/14.0 … CalendarAgent/…".
_AGENTS = (
    ("google", re.compile(r"Google-Calendar-Importer|Google.*Calendar", re.IGNORECASE)),
    ("microsoft", re.compile(r"Microsoft|Outlook|Exchange|MSFT", re.IGNORECASE)),
    ("apple", re.compile(r"dataaccessd|CalendarAgent|\biOS/|\bmacOS/|Mac OS X/|\biCal/",
                         re.IGNORECASE)),
)

# A poll of the same revision is written again only this much later: "when" stays
# accurate enough for "7 hours ago", and a feed polled every minute does not write every
# minute (each write takes SQLite's write lock, which `followup done` also needs).
REWRITE_AFTER = dt.timedelta(minutes=10)
WRITE_TIMEOUT_MS = 100  # a record that cannot be written at once waits for the next poll


def client_kind(user_agent: str | None) -> str:
    for kind, pattern in _AGENTS:
        if user_agent and pattern.search(user_agent):
            return kind
    return "other"


class FetchLog:
    """Records what the feed served, shared by the server's threads."""

    def __init__(self, busy_timeout_ms: int) -> None:
        self.busy_timeout_ms = busy_timeout_ms  # the connection's usual timeout, restored after
        self._lock = threading.Lock()
        self._written: dict[tuple[str, str], tuple[int, dt.datetime]] = {}

    def record(self, store: Store, profile: str, kind: str, revision: int, now: dt.datetime) -> None:
        """Outside any transaction of `store`'s connection; never raises for a busy database."""
        key = (profile, kind)
        with self._lock:
            last = self._written.get(key)
            if last is not None and last[0] == revision and now - last[1] < REWRITE_AFTER:
                return
            self._written[key] = (revision, now)
        try:
            store.db.execute(f"PRAGMA busy_timeout = {WRITE_TIMEOUT_MS}")
            with store.transaction():
                store.record_fetch(profile, kind, revision, now)
        except sqlite3.OperationalError:
            with self._lock:  # busy: the next poll tries again
                if self._written.get(key) == (revision, now):
                    del self._written[key]
        finally:
            store.db.execute(f"PRAGMA busy_timeout = {self.busy_timeout_ms}")


@dataclass(frozen=True)
class ClientStatus:
    kind: str
    current: int  # the store's revision now
    profile: str | None = None  # None: never fetched
    revision: int | None = None
    fetched: dt.datetime | None = None

    @property
    def behind(self) -> int | None:
        """Changes since the fetch; None when unknown (never fetched, or a rebuilt store)."""
        if self.revision is None or self.revision > self.current:
            return None
        return self.current - self.revision

    def text(self, now: dt.datetime) -> str:
        client = CLIENTS[self.kind]
        if self.revision is None or self.fetched is None:
            return client.never
        said = (f"{client.name} fetched revision {self.revision} of the {self.profile} feed"
                f" {ago(now - self.fetched)}")
        behind = self.behind
        if behind == 0:
            return f"{said}: it has every change."
        changes = "the changes since then are" if behind is None else (
            f"your {behind} change{'' if behind == 1 else 's'} since then "
            + ("is" if behind == 1 else "are"))
        return f"{said}; {changes} not there yet; {client.refresh}."

    def doc(self, now: dt.datetime) -> dict[str, Any]:
        return {
            "client": self.kind,
            "name": CLIENTS[self.kind].name,
            "profile": self.profile,
            "revision": self.revision,
            "fetched": self.fetched.isoformat() if self.fetched else None,
            "behind": self.behind,
            "refresh": CLIENTS[self.kind].refresh,
            "text": self.text(now),
        }


def client_status(store: Store) -> list[ClientStatus]:
    """One entry per profile each kind of client fetched, or one saying it never did;
    in the caller's snapshot."""
    current = store.revision()
    seen: dict[str, list[ClientStatus]] = {kind: [] for kind in CLIENTS}
    for profile, kind, revision, fetched in store.fetches():
        if kind in seen:
            seen[kind].append(ClientStatus(kind, current, profile, revision,
                                           dt.datetime.fromisoformat(fetched)))
    return [status for kind, found in seen.items() for status in (found or [ClientStatus(kind, current)])]


def ago(delta: dt.timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 60:
        return "just now"
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'} ago"
    raise AssertionError("unreachable")
